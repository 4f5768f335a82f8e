"""One side (base or head) of a change as the import checks see it: its file paths, its file
contents through the reader, and how each language resolves an import there. Language modules
(and pygments) load only when a file of theirs is read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.imports.edges import Edge, Parsed, language
from checker.imports.python import Layout
from checker.reader import FileReader, decode_text, looks_binary

if TYPE_CHECKING:
    from checker.imports.golang import GoLayout
    from checker.imports.javascript import ScriptLayout


class Side:
    def __init__(self, reader: FileReader, head: bool, roots: Sequence[str]) -> None:
        self._reader = reader
        self._head = head
        self.paths = reader.head_paths() if head else reader.base_paths()
        self.python = Layout(roots, self.paths)
        self._script: ScriptLayout | None = None
        self._go: GoLayout | None = None

    def read(self, path: str) -> str | None:
        """A text file's contents on this side; None when absent, unknown or binary."""
        data = self._reader.head(path) if self._head else self._reader.base(path)
        if data is None or looks_binary(data):
            return None
        return decode_text(data)[0]

    @property
    def script(self) -> ScriptLayout:
        if self._script is None:
            from checker.imports.javascript import ScriptLayout

            self._script = ScriptLayout(self.paths, self.read)
        return self._script

    @property
    def go(self) -> GoLayout:
        if self._go is None:
            from checker.imports.golang import GoLayout

            self._go = GoLayout(self.paths, self.read)
        return self._go

    def parse(self, path: str, text: str) -> Parsed:
        """The edges of a whole file."""
        kind = language(path)
        if kind == "python":
            from checker.imports import python

            return python.parse(path, text, self.python)
        if kind == "script":
            from checker.imports import javascript

            return javascript.parse(path, text, self.script)
        from checker.imports import golang

        return golang.parse(path, text, self.go)

    def read_lines(self, path: str, lines: Sequence[tuple[int, str]]) -> list[Edge]:
        """The edges of loose lines: a patch's added or removed lines."""
        kind = language(path)
        if kind == "python":
            from checker.imports import python

            return python.read_lines(path, lines, self.python)
        if kind == "script":
            from checker.imports import javascript

            return javascript.read_lines(path, lines, self.script)
        from checker.imports import golang

        return golang.read_lines(path, lines, self.go)


def detect_roots(paths: frozenset[str], packages: Sequence[str]) -> tuple[str, ...]:
    """Source roots when the policy names none: the repository root, src/ (unless src is itself
    a package), and the shallowest folders holding a top-level package that a contract names."""
    roots = {""}
    if "src/__init__.py" not in paths:
        roots.add("src")
    wanted = {p for p in packages if p and "*" not in p}
    if not wanted:
        return tuple(roots)
    found: dict[str, list[str]] = {}
    for path in paths:
        if not path.endswith(".py"):
            continue
        stem = path[:-12] if path.endswith("/__init__.py") else path[:-3]
        parent, _, name = stem.rpartition("/")
        if name in wanted:
            found.setdefault(name, []).append(parent)
    for parents in found.values():
        depth = min(p.count("/") + bool(p) for p in parents)
        roots.update(p for p in parents if p.count("/") + bool(p) == depth)
    return tuple(roots)
