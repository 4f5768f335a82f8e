"""Go import edges, from pygments tokens: `import "x"`, `import alias "x"` and `import ( ... )`
blocks. An import path inside the module declared by the nearest go.mod is the package folder
of the repository it names (shown as the import path, matched as "folder/"); any other import
path (the standard library, other modules) is named as written."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Sequence

from pygments.lexer import Lexer
from pygments.token import Name

from checker.domain.importgraph.edges import Edge, Endpoint, Parsed
from checker.domain.importgraph.tokens import Token, runs, significant, within

GO_MOD = "go.mod"


@functools.cache
def _lexer() -> Lexer:
    from pygments.lexers.go import GoLexer

    return GoLexer()


def module_path(text: str) -> str | None:
    """The `module` directive of a go.mod file."""
    for line in text.splitlines():
        words = line.split("//", 1)[0].split()
        if len(words) >= 2 and words[0] == "module":
            return words[1].strip('"`')
    return None


class GoLayout:
    """The files of one side of the change, and its go.mod files, read on demand."""

    def __init__(self, paths: frozenset[str], read_file: Callable[[str], str | None]) -> None:
        self.paths = paths
        self.read_file = read_file
        self._modules: dict[str, tuple[str, str] | None] = {}

    def module(self, folder: str) -> tuple[str, str] | None:
        """(go.mod folder, module path) of the nearest go.mod at or above FOLDER."""
        if folder in self._modules:
            return self._modules[folder]
        config = f"{folder}/{GO_MOD}" if folder else GO_MOD
        found: tuple[str, str] | None = None
        if config in self.paths:
            text = self.read_file(config)
            path = module_path(text) if text is not None else None
            found = (folder, path) if path else None
        elif folder:
            found = self.module(posixpath.dirname(folder))
        self._modules[folder] = found
        return found

    def importer(self, path: str) -> Endpoint:
        folder = posixpath.dirname(path)
        module = self.module(folder)
        if module is None:
            return Endpoint(path, None, path)
        root, name = module
        relative = folder[len(root) :].strip("/") if root else folder
        return Endpoint(f"{name}/{relative}" if relative else name, None, path)

    def resolve(self, path: str, spec: str) -> Endpoint:
        module = self.module(posixpath.dirname(path))
        if module is not None:
            root, name = module
            if spec == name or spec.startswith(name + "/"):
                relative = spec[len(name) :].strip("/")
                folder = "/".join(p for p in (root, relative) if p)
                return Endpoint(spec, None, folder + "/")
        return Endpoint(spec, None, spec)


def _specifiers(tokens: Sequence[Token], loose: bool) -> list[Token]:
    """The import path tokens. LOOSE (a patch's lines): a line holding only a string, or a name
    and a string, is taken as a line of an import block whose opening line is not shown."""
    found: list[Token] = []
    index, count = 0, len(tokens)
    while index < count:
        token = tokens[index]
        if token.value == "import":
            index += 1
            if index < count and tokens[index].value == "(":
                index += 1
                while index < count and tokens[index].value != ")":
                    if tokens[index].literal() is not None:
                        found.append(tokens[index])
                    index += 1
                continue
            if index < count and tokens[index].literal() is None:
                index += 1  # an alias: a name, "_" or "."
            if index < count and tokens[index].literal() is not None:
                found.append(tokens[index])
            index += 1
            continue
        if loose and token.literal() is not None:
            alone = [t for t in tokens if t.line == token.line]
            alias = len(alone) == 2 and (within(alone[0].kind, Name) or alone[0].value in "_.")
            if alone[-1] is token and (len(alone) == 1 or alias):
                found.append(token)
        index += 1
    return found


def _edges(path: str, tokens: Sequence[Token], layout: GoLayout, loose: bool) -> list[Edge]:
    importer = layout.importer(path)
    edges = []
    for token in _specifiers(tokens, loose):
        spec = token.literal()
        if spec:
            edges.append(Edge(importer, layout.resolve(path, spec), token.line, token.column))
    return edges


def parse(path: str, text: str, layout: GoLayout) -> Parsed:
    return Parsed(_edges(path, significant(_lexer(), text), layout, False))


def read_lines(path: str, lines: Sequence[tuple[int, str]], layout: GoLayout) -> list[Edge]:
    edges: list[Edge] = []
    for run in runs(lines):
        text = "\n".join(line for _, line in run)
        tokens = significant(_lexer(), text, [n for n, _ in run])
        edges.extend(_edges(path, tokens, layout, True))
    return edges
