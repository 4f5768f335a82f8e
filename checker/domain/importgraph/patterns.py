"""What contracts name: Python modules by dotted expression (`app.db`, `app.*.api`, `app.**`) and
files of any language by path glob (`web/src/ui/**`); a pattern with a "/" is a glob.

A pattern finds the *member* an endpoint belongs to: the module or folder the pattern names that
holds the endpoint. Two endpoints are in the same member of an independence contract or of one
layer exactly when their members are equal."""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from checker.config.globs import Globs, check_pattern
from checker.domain.importgraph.edges import Edge, Endpoint

ARROW = "->"


class Pattern(Protocol):
    text: str

    def member(self, endpoint: Endpoint) -> str | None:
        """The module or folder named by this pattern that holds ENDPOINT, or None."""


def module_expression_error(text: str) -> str | None:
    """Why TEXT is not a module expression in import-linter's syntax, or None."""
    if not text or text != text.strip():
        return "a module name must not be empty or padded with spaces"
    last = ""
    for part in text.split("."):
        if not part:
            return f"{text!r} has an empty name between dots"
        if part in ("*", "**"):
            if last == "**" or (last == "*" and part == "**"):
                return f"{text!r}: a wildcard cannot follow a recursive wildcard, nor ** follow *"
            last = part
            continue
        if "*" in part:
            return f"{text!r}: a wildcard must stand for a whole name (a.*.c, not a.b*)"
        if not part.isidentifier():
            return f"{text!r}: {part!r} is not a module name"
        last = ""
    return None


def _module_regex(text: str) -> str:
    pieces = []
    for part in text.split("."):
        if part == "*":
            pieces.append(r"[^.]+")
        elif part == "**":
            pieces.append(r"[^.]+(?:\.[^.]+)*?")
        else:
            pieces.append(re.escape(part))
    return r"\.".join(pieces)


class ModulePattern:
    """A dotted module expression. As a package (the default) it also holds every module inside
    the ones it names; exact (import-linter's ignore_imports) it holds only those."""

    def __init__(self, text: str, package: bool = True) -> None:
        self.text = text
        tail = r"(?:\..+)?" if package else ""
        self._regex = re.compile(rf"({_module_regex(text)}){tail}\Z")

    def member(self, endpoint: Endpoint) -> str | None:
        if endpoint.module is None:
            return None
        found = self._regex.match(endpoint.module)
        return found.group(1) if found else None


class PathPattern:
    """A gitignore-style glob over repository paths, anchored at the repository root. A Go
    package (a folder ending in "/") matches when the glob matches the folder."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._globs = Globs((text if text.startswith("/") else "/" + text,))
        parts = text.strip("/").split("/")
        depth = next((i for i, p in enumerate(parts) if "**" in p), len(parts))
        self._depth = max(depth, 1)  # the folders a member spans: those before the first **

    def member(self, endpoint: Endpoint) -> str | None:
        path = endpoint.path
        if path is None or not self._globs.match(path):
            return None
        return "/".join(path.strip("/").split("/")[: self._depth])


def is_path(text: str) -> bool:
    return "/" in text


def pattern_error(text: str) -> str | None:
    """Why TEXT is neither a module expression nor a path glob, or None."""
    if is_path(text):
        why = check_pattern(text)
        return f"bad glob {text!r}: {why}" if why else None
    return module_expression_error(text)


def compile_pattern(text: str, package: bool = True) -> Pattern:
    return PathPattern(text) if is_path(text) else ModulePattern(text, package)


class EdgePattern(NamedTuple):
    """`importer -> imported`, each side a pattern: an ignored or allowed edge."""

    text: str
    importer: Pattern
    imported: Pattern

    def matches(self, edge: Edge) -> bool:
        return (
            self.importer.member(edge.importer) is not None
            and self.imported.member(edge.imported) is not None
        )


def edge_pattern_error(text: str) -> str | None:
    importer, arrow, imported = text.partition(ARROW)
    if not arrow or not importer.strip() or not imported.strip():
        return f'{text!r} is not an import edge: write "importer -> imported"'
    return pattern_error(importer.strip()) or pattern_error(imported.strip())


def compile_edge(text: str, package: bool = True) -> EdgePattern:
    importer, _, imported = text.partition(ARROW)
    return EdgePattern(
        text.strip(),
        compile_pattern(importer.strip(), package),
        compile_pattern(imported.strip(), package),
    )
