"""Gitignore-style path patterns (`**` crosses directories, `!` re-includes).

Most patterns in policies and presets have one of a few shapes: a name (`CODEOWNERS`), a name
with `*` (`*.lock`, `Jenkinsfile.*`), a folder (`.github/workflows/**`, `**/migrations/**`) or a
fixed path (`docs/CODEOWNERS`). Those are matched with string operations, so a small change
needs neither pathspec nor a regular expression. Every other pattern is translated by pathspec
with git's own rules, and the patterns of one list are joined into one expression, compiled
when first needed, so a 100,000-file change is still matched in one pass per list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any, Generic, NamedTuple, TypeVar

# A component made of ordinary file-name characters only: no wildcard, escape, bracket,
# space (gitignore trims trailing spaces) or "!" / "#" (special at a pattern's start).
_PLAIN = re.compile(r"[A-Za-z0-9_.@+=,-]+")
_STARRED = re.compile(r"[A-Za-z0-9_.@+=,*-]+")
K = TypeVar("K")


class BadGlob(ValueError):
    """A pattern that git's rules reject or that can match nothing."""


class _Shape(NamedTuple):
    """A pattern matched without a regular expression.

    kind "name": PARTS[0] is a component glob (only `*` wildcards) that any component of the
    path matches (DIRECTORY: any component but the last, the pattern ended with "/").
    kind "path": the components PARTS appear consecutively in the path, from its start when
    ANCHORED, and are followed by more of it when DIRECTORY (`a/b/**`, `a/b/`).
    """

    kind: str
    parts: tuple[str, ...]
    anchored: bool
    directory: bool


def _plain_component(part: str) -> bool:
    return part not in (".", "..") and _PLAIN.fullmatch(part) is not None


def _shape(pattern: str) -> _Shape | None:
    """The fast shape of PATTERN, or None when it needs git's full rules (pathspec)."""
    text, directory = pattern, False
    if text.endswith("/"):
        text, directory = text[:-1], True
    # A slash at the start or inside anchors a pattern to the root, unless it starts with "**/".
    floating = text.startswith("**/") or "/" not in text
    if not directory and text.endswith("/**"):
        text, directory = text[:-3], True
    if text.startswith("**/"):
        text = text[3:]
    elif text.startswith("/"):
        text = text[1:]
    parts = tuple(text.split("/"))
    if len(parts) == 1 and floating and _STARRED.fullmatch(parts[0]):
        if "**" in parts[0] or parts[0] in (".", ".."):
            return None
        return _Shape("name", parts, False, directory)
    if all(_plain_component(part) for part in parts):
        return _Shape("path", parts, not floating, directory)
    return None


@functools.cache  # a user's pattern is checked in its file, in Globs() and when first matched
def _translate(pattern: str) -> tuple[str, bool]:
    if not pattern.strip():
        raise BadGlob("an empty pattern matches nothing")
    if pattern.startswith("#"):
        raise BadGlob("a pattern starting with '#' is a comment in gitignore syntax")
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(pattern)
        if regex is not None:
            re.compile(regex)  # pathspec translates some bracket forms it cannot compile
    except Exception as exc:  # pathspec's own error type changed between releases
        raise BadGlob(str(exc)) from None
    if regex is None or include is None:
        raise BadGlob("it is not a valid gitignore pattern (check '[' brackets)")
    # Group names repeat across patterns; the joined expression needs them anonymous.
    return regex.replace("(?P<ps_d>", "(?:"), include


def joined(expressions: Iterable[str]) -> re.Pattern[str] | None:
    """One expression matching any of EXPRESSIONS; None for none."""
    listed = list(expressions)
    return re.compile("|".join(f"(?:{rx})" for rx in listed)) if listed else None


def _loose_last_part(pattern: str) -> str | None:
    """A `*`-only glob that the last component of PATTERN matches at least whatever PATTERN's
    own last component matches (`?` and `[...]` widened to `*`); None when there is none."""
    last = pattern.rstrip("/").rsplit("/", 1)[-1]
    if not last or last == "**" or "\\" in last or last != last.strip():
        return None  # escapes, and spaces git may trim, are left to pathspec
    # From the first "[" to the last "]": however the brackets pair up ("[]x]" is one), all of
    # them lie in that span.
    loose = re.sub(r"\[.*\]", "*", last).replace("?", "*")
    return None if "[" in loose or "]" in loose else loose


class _PartGlobs:
    """Component globs (only `*` wildcards), tested against each component of a path: names by
    set lookup, `*.ext` and `name.*` by one endswith / startswith each, the rest one by one."""

    __slots__ = ("_names", "_prefixes", "_stars", "_suffixes")

    def __init__(self, globs: Iterable[str]) -> None:
        listed = list(dict.fromkeys(globs))
        self._names = frozenset(g for g in listed if "*" not in g)
        starred = [g for g in listed if "*" in g]
        self._suffixes = tuple(g[1:] for g in starred if g.count("*") == 1 and g[0] == "*")
        self._prefixes = tuple(g[:-1] for g in starred if g.count("*") == 1 and g[-1] == "*")
        stars = [g for g in starred if g.count("*") > 1 or (g[0] != "*" and g[-1] != "*")]
        # The rest, joined into one expression: one search per component, not one per glob.
        self._stars = (
            re.compile(
                "|".join(".*".join(map(re.escape, g.split("*"))) for g in stars), re.DOTALL
            )
            if stars
            else None
        )

    def __bool__(self) -> bool:
        return bool(self._names or self._suffixes or self._prefixes or self._stars is not None)

    def any_of(self, parts: list[str]) -> bool:
        if self._names and not self._names.isdisjoint(parts):
            return True
        if self._suffixes and any(part.endswith(self._suffixes) for part in parts):
            return True
        if self._prefixes and any(part.startswith(self._prefixes) for part in parts):
            return True
        stars = self._stars
        return stars is not None and any(stars.fullmatch(part) for part in parts)


class Globs:
    """A list of patterns; a path matches as git would decide for a .gitignore of them.

    CHECKED says the patterns are known to be valid (agentcheck's own rules/ data, tested), so
    a pattern that needs pathspec is translated only when a path could match it; patterns from
    users are validated here and raise BadGlob.
    """

    __slots__ = (
        "_compiled",
        "_components",
        "_fixed",
        "_folder_components",
        "_folders",
        "_hints",
        "_negated",
        "_rest",
        "_spec",
        "patterns",
    )

    def __init__(self, patterns: Iterable[str], *, checked: bool = False) -> None:
        self.patterns = tuple(patterns)
        self._negated = any(p.startswith("!") for p in self.patterns)
        self._spec: Any = None
        components: list[str] = []
        folder_components: list[str] = []  # "name/": any component but the last
        # "/a/b/" found in "/" + path + "/" (a fixed path, or anything under it) or in
        # "/" + path (a folder: something must follow), at the start when anchored.
        fixed_anchored: list[str] = []
        fixed_floating: list[str] = []
        folder_anchored: list[str] = []
        folder_floating: list[str] = []
        self._rest: list[str] = []  # patterns for pathspec
        for pattern in self.patterns:
            if pattern.startswith("!"):
                if not checked:
                    _translate(pattern)  # decided by pathspec in match()
                continue
            shape = _shape(pattern)
            if shape is None:
                if not checked:
                    _translate(pattern)
                self._rest.append(pattern)
            elif shape.kind == "name":
                (folder_components if shape.directory else components).append(shape.parts[0])
            else:
                needle = "/" + "/".join(shape.parts) + "/"
                if shape.directory:
                    (folder_anchored if shape.anchored else folder_floating).append(needle)
                else:
                    (fixed_anchored if shape.anchored else fixed_floating).append(needle)
        self._components = _PartGlobs(components)
        self._folder_components = _PartGlobs(folder_components)
        self._fixed = (tuple(fixed_anchored), tuple(fixed_floating))
        self._folders = (tuple(folder_anchored), tuple(folder_floating))
        # A path can match a pattern only if one of its components matches the pattern's last
        # one: most paths are turned away here, before pathspec is even imported.
        loose = [_loose_last_part(p) for p in self._rest]
        self._hints = None if None in loose else _PartGlobs(g for g in loose if g is not None)
        self._compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __add__(self, other: Globs) -> Globs:
        return Globs(self.patterns + other.patterns)

    def _any_positive(self, path: str) -> bool:
        parts = path.split("/")
        if self._components.any_of(parts):
            return True
        if self._folder_components and self._folder_components.any_of(parts[:-1]):
            return True
        for needles, whole in ((self._fixed, f"/{path}/"), (self._folders, f"/{path}")):
            at_start, anywhere = needles
            if at_start and whole.startswith(at_start):
                return True
            if any(needle in whole for needle in anywhere):
                return True
        if not self._rest or (self._hints is not None and not self._hints.any_of(parts)):
            return False
        if self._compiled is None:
            # pathspec's expressions are searched; most start with "^" and are matched at
            # once, the few that do not ("*/") are searched.
            translated = [_translate(p)[0] for p in self._rest]
            self._compiled = (
                joined(rx for rx in translated if rx.startswith("^")),
                joined(rx for rx in translated if not rx.startswith("^")),
            )
        anchored, floating = self._compiled
        if anchored is not None and anchored.match(path) is not None:
            return True
        return floating is not None and floating.search(path) is not None

    def match(self, path: str) -> bool:
        if not self._any_positive(path):
            return False  # most paths match no pattern at all: decided without pathspec
        if not self._negated:
            return True
        if self._spec is None:
            # Re-inclusion follows git's precedence rules; pathspec implements them exactly.
            from pathspec import GitIgnoreSpec

            self._spec = GitIgnoreSpec.from_lines(self.patterns)
        return bool(self._spec.match_file(path))

    def first_match(self, path: str) -> str | None:
        """The pattern that decides PATH, for messages ("matches 'deploy/**'"); None when the
        path does not match."""
        if not self.match(path):
            return None
        return next(
            (
                p
                for p in reversed(self.patterns)
                if not p.startswith("!") and Globs((p,), checked=True)._any_positive(path)
            ),
            None,
        )



class FirstMatch(Generic[K]):
    """Keyed pattern lists in order (a test framework's file names, a manifest kind's): the key
    of the first list a path matches. Most paths match none, so the positive patterns of every
    list are joined first and a path none of them matches is turned away in one test."""

    __slots__ = ("_any", "table")

    def __init__(self, table: Iterable[tuple[K, Globs]]) -> None:
        self.table = tuple(table)
        every = [p for _, globs in self.table for p in globs.patterns if not p.startswith("!")]
        self._any = Globs(every, checked=True)  # each list checked its own patterns

    def may_match(self, path: str) -> bool:
        """False when no list can match PATH; True when one may (its exclusions unread)."""
        return self._any._any_positive(path)

    def first(self, path: str) -> K | None:
        if not self.may_match(path):
            return None
        return next((key for key, globs in self.table if globs.match(path)), None)

def check_pattern(pattern: str) -> str | None:
    """Why PATTERN is bad, or None when it is a valid gitignore-style pattern."""
    if not pattern.startswith("!") and _shape(pattern) is not None:
        return None
    try:
        _translate(pattern)
    except BadGlob as exc:
        return str(exc)
    return None
