"""Import edges: importer -> imported, found in one version of one file, for every language the
checks understand. The language modules are imported only when a file of theirs changed."""

from __future__ import annotations

from typing import NamedTuple

PYTHON_SUFFIXES = (".py",)
SCRIPT_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
GO_SUFFIXES = (".go",)


class Endpoint(NamedTuple):
    """One side of an edge. `name` is what messages show: a dotted Python module, a repository
    path, or an import specifier that names no file of the repository."""

    name: str
    module: str | None = None  # the dotted Python module, matched by module expressions
    path: str | None = None  # a file, a folder ending in "/" (a Go package), or a specifier


class Edge(NamedTuple):
    importer: Endpoint
    imported: Endpoint
    line: int
    column: int
    type_only: bool = False  # under `if TYPE_CHECKING:`, or `import type` in TypeScript

    @property
    def key(self) -> tuple[str, str]:
        """What makes two edges the same, wherever in the file they are written."""
        return (self.importer.name, self.imported.name)

    def __str__(self) -> str:
        return f"{self.importer.name} -> {self.imported.name}"


class Parsed(NamedTuple):
    edges: list[Edge]
    error: str | None = None  # why the file did not parse; its edges were then read line by line
    error_line: int | None = None


def language(path: str) -> str | None:
    if path.endswith(PYTHON_SUFFIXES):
        return "python"
    if path.endswith(SCRIPT_SUFFIXES) and not path.endswith((".d.ts", ".d.mts", ".d.cts")):
        return "script"
    if path.endswith(GO_SUFFIXES):
        return "go"
    return None
