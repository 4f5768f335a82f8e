"""TypeScript and JavaScript import edges, from pygments tokens: `import ... from "x"`,
`import "x"`, `export ... from "x"`, `require("x")`, `import("x")` and `import x = require("x")`.
`import type` and `export type` are type-only. Specifiers resolve to files of the repository:
`./` and `../` against the importing file (with extensions and index files), then `paths` and
`baseUrl` of the nearest tsconfig.json; anything else is a package, named as written."""

from __future__ import annotations

import functools
import json
import posixpath
from collections.abc import Callable, Sequence
from typing import Any

from pygments.lexer import Lexer
from pygments.token import Keyword, Name

from checker.domain.importgraph.edges import Edge, Endpoint, Parsed
from checker.domain.importgraph.tokens import Token, runs, significant, within

EXTENSIONS = (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json")
# TypeScript written for ES modules imports "./x.js" and means the source file ./x.ts.
_SOURCE_OF = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
TSCONFIG = "tsconfig.json"
_EXTENDS_DEPTH = 5


@functools.cache
def _lexer(suffix: str) -> Lexer:
    from pygments import lexers

    name = {
        ".ts": "typescript",
        ".mts": "typescript",
        ".cts": "typescript",
        ".tsx": "tsx",
        ".jsx": "jsx",
    }.get(suffix, "javascript")
    try:
        return lexers.get_lexer_by_name(name)
    except lexers.ClassNotFound:  # tsx and jsx lexers arrived in pygments 2.17
        return lexers.get_lexer_by_name("typescript" if "t" in suffix else "javascript")


def strip_jsonc(text: str) -> str:
    """JSON with comments and trailing commas (tsconfig.json's dialect) as plain JSON."""
    out: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == '"':
            end = index + 1
            while end < size and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[index : end + 1])
            index = end + 1
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = size if newline < 0 else newline
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            index = size if close < 0 else close + 2
        elif char in "}]":
            while out and out[-1].isspace():
                out.pop()
            if out and out[-1] == ",":
                out.pop()
            out.append(char)
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


class Aliases:
    """`compilerOptions.paths` and `baseUrl` of one tsconfig.json (following relative
    `extends`), as folders of the repository."""

    def __init__(self, base_url: str | None, paths: dict[str, list[str]], paths_base: str) -> None:
        self.base_url = base_url
        self.paths = paths
        self.paths_base = paths_base

    def candidates(self, spec: str) -> list[str]:
        best: tuple[int, str, list[str]] | None = None
        for pattern, targets in self.paths.items():
            prefix, star, suffix = pattern.partition("*")
            if not star:
                if spec == pattern:
                    best = (len(pattern) + 1, "", targets)
                continue
            fits = spec.startswith(prefix) and spec.endswith(suffix)
            fits = fits and len(spec) >= len(prefix) + len(suffix)
            if fits and (best is None or len(prefix) > best[0]):
                best = (len(prefix), spec[len(prefix) : len(spec) - len(suffix)], targets)
        found = []
        if best is not None:
            for target in best[2]:
                found.append(_join(self.paths_base, target.replace("*", best[1])))
        if self.base_url is not None:
            found.append(_join(self.base_url, spec))
        return found


def _join(folder: str, relative: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, relative)) if folder else relative
    return posixpath.normpath(joined).removeprefix("./")


class ScriptLayout:
    """The files of one side of the change, and its tsconfig.json files, read on demand."""

    def __init__(self, paths: frozenset[str], read_file: Callable[[str], str | None]) -> None:
        self.paths = paths
        self.read_file = read_file
        self._configs: dict[str, Aliases | None] = {}

    def file(self, base: str) -> str | None:
        """The file an import of BASE (a path without or with extension) means."""
        if not self.paths:
            return None
        if base in self.paths:
            return base
        stem, dot, extension = base.rpartition(".")
        for replacement in _SOURCE_OF.get(dot + extension, ()) if dot else ():
            if stem + replacement in self.paths:
                return stem + replacement
        for extension_ in EXTENSIONS:
            if base + extension_ in self.paths:
                return base + extension_
        for extension_ in EXTENSIONS:
            if f"{base}/index{extension_}" in self.paths:
                return f"{base}/index{extension_}"
        return None

    def resolve(self, importer: str, spec: str) -> Endpoint:
        if spec.startswith(("./", "../")) or spec in (".", ".."):
            base = _join(posixpath.dirname(importer), spec)
            found = self.file(base) or base
            return Endpoint(found, None, found)
        aliases = self.aliases(posixpath.dirname(importer))
        if aliases is not None:
            for candidate in aliases.candidates(spec):
                found_ = self.file(candidate)
                if found_ is not None:
                    return Endpoint(found_, None, found_)
        return Endpoint(spec, None, spec)

    def aliases(self, folder: str) -> Aliases | None:
        """The aliases of the nearest tsconfig.json at or above FOLDER."""
        if folder in self._configs:
            return self._configs[folder]
        config = f"{folder}/{TSCONFIG}" if folder else TSCONFIG
        if config in self.paths:
            found = self._read(config, 0)
        elif folder:
            found = self.aliases(posixpath.dirname(folder))
        else:
            found = None
        self._configs[folder] = found
        return found

    def _read(self, config: str, depth: int) -> Aliases | None:
        text = self.read_file(config)
        if text is None:
            return None
        try:
            data = json.loads(strip_jsonc(text))
        except ValueError:
            return None  # tsc would reject it too; imports then resolve by relative path only
        if not isinstance(data, dict):
            return None
        folder = posixpath.dirname(config)
        parent: Aliases | None = None
        extends = data.get("extends")
        if isinstance(extends, str) and extends.startswith(".") and depth < _EXTENDS_DEPTH:
            target = _join(folder, extends)
            if not target.endswith(".json"):
                target += ".json"
            parent = self._read(target, depth + 1)
        options: Any = data.get("compilerOptions", {})
        options = options if isinstance(options, dict) else {}
        base_url = options.get("baseUrl")
        base = _join(folder, base_url) if isinstance(base_url, str) else None
        paths = options.get("paths")
        if isinstance(paths, dict):
            table = {
                k: [t for t in v if isinstance(t, str)]
                for k, v in paths.items()
                if isinstance(v, list)
            }
            return Aliases(
                base if base is not None else parent.base_url if parent else None,
                table,
                base if base is not None else folder,
            )
        if parent is not None:
            inherited = base if base is not None else parent.base_url
            return Aliases(inherited, parent.paths, parent.paths_base)
        return Aliases(base, {}, folder) if base is not None else None


def _specifiers(tokens: Sequence[Token]) -> list[tuple[Token, bool]]:
    """(string token, type-only) for every import specifier among TOKENS."""
    found: list[tuple[Token, bool]] = []
    type_only = False  # inside `import type ...` or `export type ...`
    count = len(tokens)
    for index, token in enumerate(tokens):
        value = token.value
        after = tokens[index + 1] if index + 1 < count else None
        before = tokens[index - 1] if index else None
        if value == ";":
            type_only = False
            continue
        if before is not None and before.value in (".", "?."):
            continue  # a property: x.require(...), x.import
        if value == "import" and within(token.kind, Keyword) and after is not None:
            if after.value == "(":
                argument = tokens[index + 2] if index + 2 < count else None
                if argument is not None and argument.literal() is not None:
                    found.append((argument, False))
                continue
            if after.literal() is not None:
                found.append((after, False))
                continue
            following = tokens[index + 2].value if index + 2 < count else ""
            type_only = after.value == "type" and following not in ("from", ",", "=")
            continue
        if value == "export" and within(token.kind, Keyword) and after is not None:
            type_only = after.value == "type"
            continue
        if value == "from" and after is not None and after.literal() is not None:
            found.append((after, type_only))
            type_only = False
            continue
        call = after is not None and after.value == "("
        if value == "require" and within(token.kind, Name) and call:
            argument = tokens[index + 2] if index + 2 < count else None
            closing = tokens[index + 3] if index + 3 < count else None
            if (
                argument is not None
                and argument.literal() is not None
                and closing is not None
                and closing.value == ")"
            ):
                found.append((argument, False))
    return found


def without_jsx_text(tokens: Sequence[Token]) -> list[Token]:
    """TOKENS less the text children of JSX elements, which pygments lexes as code. Tags and
    `{...}` expressions stay: `<A b={require("x")}>` still imports."""
    kept: list[Token] = []
    stack: list[str] = []  # "element" (inside an element's children) or "brace" ({...} there)
    index, count = 0, len(tokens)
    while index < count:
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < count else None
        if token.value == "<" and after is not None and within(after.kind, Name.Tag):
            depth = 0
            while index < count:
                kept.append(tokens[index])
                value = tokens[index].value
                depth += {"{": 1, "}": -1}.get(value, 0)
                index += 1
                if depth == 0 and value == ">":
                    closing = kept[-2].value == "/" if len(kept) > 1 else False
                    if not closing:
                        stack.append("element")
                    break
            continue
        index += 1
        if token.value == "<>":
            stack.append("element")
        elif token.value in ("</", "</>"):
            if token.value == "</":
                while index < count and tokens[index].value != ">":
                    index += 1
                index += 1
            if stack and stack[-1] == "element":
                stack.pop()
        elif stack and stack[-1] == "element":
            if token.value == "{":
                stack.append("brace")
                kept.append(token)
        else:
            if stack and token.value == "{":
                stack.append("brace")
            elif stack and token.value == "}":
                stack.pop()
            kept.append(token)
    return kept


def _edges(path: str, tokens: Sequence[Token], layout: ScriptLayout) -> list[Edge]:
    importer = Endpoint(path, None, path)
    edges = []
    for token, type_only in _specifiers(tokens):
        spec = token.literal()
        if spec:
            edges.append(
                Edge(importer, layout.resolve(path, spec), token.line, token.column, type_only)
            )
    return edges


def _tokens(suffix: str, text: str, numbers: Sequence[int] = ()) -> list[Token]:
    tokens = significant(_lexer(suffix), text, numbers)
    return without_jsx_text(tokens) if suffix in (".jsx", ".tsx") else tokens


def parse(path: str, text: str, layout: ScriptLayout) -> Parsed:
    return Parsed(_edges(path, _tokens(posixpath.splitext(path)[1], text), layout))


def read_lines(path: str, lines: Sequence[tuple[int, str]], layout: ScriptLayout) -> list[Edge]:
    """Import edges from loose lines (a patch's added lines), one run of lines at a time."""
    suffix = posixpath.splitext(path)[1]
    edges: list[Edge] = []
    for run in runs(lines):
        text = "\n".join(line for _, line in run)
        edges.extend(_edges(path, _tokens(suffix, text, [n for n, _ in run]), layout))
    return edges
