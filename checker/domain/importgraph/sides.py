"""The two versions of the repository a change goes between, as the import checks see them:
file paths, file contents, and how each language resolves an import on each side. Language
modules (and pygments) load only when a file of theirs is read."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from checker.domain.importgraph.edges import Edge, Endpoint, Parsed, language
from checker.domain.importgraph.python import Layout
from checker.model.change import ChangeSet, FileChange
from checker.model.memo import Memo
from checker.model.reader import FileReader, decode_text, looks_binary

if TYPE_CHECKING:
    from checker.domain.importgraph.golang import GoLayout
    from checker.domain.importgraph.javascript import ScriptLayout


class Versions:
    """Paths and contents at the base and the head, with as little git as possible: one listing
    of the head's paths; the base's paths follow from it and the change, and a file the change
    does not touch is read at the head, where it is the same as at the base."""

    def __init__(self, change: ChangeSet, reader: FileReader) -> None:
        self.reader = reader
        self.whole_files = change.kind != "patch"  # a patch file holds only its hunks
        self._was: dict[str, FileChange] = {
            f.old_path: f for f in change.files if f.status not in ("added", "copied")
        }
        self._new = {f.path for f in change.files if f.status in ("added", "renamed", "copied")}
        self._gone = {f.old_path for f in change.files if f.status in ("deleted", "renamed")}

    @functools.cached_property
    def head_paths(self) -> frozenset[str]:
        return self.reader.head_paths()

    @functools.cached_property
    def base_paths(self) -> frozenset[str]:
        if not self.head_paths:
            return self.reader.base_paths()
        return (self.head_paths - self._new) | self._gone

    def base(self, path: str) -> bytes | None:
        if path in self._was or not self.whole_files:
            return self.reader.base(path)
        if path in self._new:
            return None
        return self.reader.head(path)  # untouched by the change: the same at both sides

    def head(self, path: str) -> bytes | None:
        return self.reader.head(path)

    def trusted(self, path: str) -> str | None:
        """A configuration file as the base has it; as the head has it if the change adds it."""
        data = self.base(path)
        if data is None and path not in self._gone:
            data = self.head(path)
        return None if data is None else decode_text(data)[0]


class Side:
    """One version: its paths, its files, and the layouts that resolve imports there."""

    def __init__(self, versions: Versions, head: bool, roots: Sequence[str]) -> None:
        self._versions = versions
        self._head = head
        self.paths = versions.head_paths if head else versions.base_paths
        self.python = Layout(roots, self.paths)
        self._script: ScriptLayout | None = None
        self._go: GoLayout | None = None

    def read(self, path: str) -> str | None:
        """A text file's contents on this side; None when absent, unknown or binary."""
        data = self._versions.head(path) if self._head else self._versions.base(path)
        return _text(data)

    def read_many(self, paths: Sequence[str]) -> dict[str, str | None]:
        """Many files' texts at once: at the head, in one batch where the reader can (a git
        reader asks one `git cat-file --batch` for all of them), else one by one."""
        many = getattr(self._versions.reader, "heads", None) if self._head else None
        if many is None:
            return {path: self.read(path) for path in paths}
        return {path: _text(data) for path, data in many(paths).items()}

    @property
    def memo(self) -> Memo | None:
        """What reading files found in earlier runs, where the reader keeps it."""
        return getattr(self._versions.reader, "memo", None)

    def blob_ids(self, paths: Sequence[str]) -> dict[str, str]:
        """The git blob ids of files on this side, where the reader knows them."""
        if not self._head and not self._versions.whole_files:
            return {}
        name = "head_ids" if self._head else "base_ids"
        ids = getattr(self._versions.reader, name, None)
        return ids(paths) if ids is not None else {}

    @property
    def script(self) -> ScriptLayout:
        if self._script is None:
            from checker.domain.importgraph.javascript import ScriptLayout

            self._script = ScriptLayout(self.paths, self.read)
        return self._script

    @property
    def go(self) -> GoLayout:
        if self._go is None:
            from checker.domain.importgraph.golang import GoLayout

            self._go = GoLayout(self.paths, self.read)
        return self._go

    def importer(self, path: str) -> Endpoint | None:
        """The endpoint a file's imports come from, where it follows from the path alone (Python);
        None where the language decides it while reading the file."""
        if language(path) != "python":
            return None
        from checker.domain.importgraph import python

        return python.importer(path, self.python)

    def parse(self, path: str, text: str) -> Parsed:
        """The edges of a whole file."""
        kind = language(path)
        if kind == "python":
            from checker.domain.importgraph import python

            return python.parse(path, text, self.python)
        if kind == "script":
            from checker.domain.importgraph import javascript

            return javascript.parse(path, text, self.script)
        from checker.domain.importgraph import golang

        return golang.parse(path, text, self.go)

    def parse_around(
        self, path: str, text: str, added: Sequence[int], points: Iterable[int] = ()
    ) -> list[Edge] | None:
        """The edges of the statements of a Python file that hold the ADDED lines and the
        POINTS beside removed ones; None where they do not parse on their own."""
        from checker.domain.importgraph import python

        return python.parse_around(path, text, self.python, added, points)

    def may_import(self, path: str, text: str, modules: set[str]) -> bool:
        """False where the file TEXT cannot import any of MODULES (Python only: elsewhere an
        import need not spell the name of what it imports)."""
        if language(path) != "python":
            return True
        from checker.domain.importgraph import python

        return python.may_import(path, text, self.python, modules)

    def read_lines(self, path: str, lines: Sequence[tuple[int, str]]) -> list[Edge]:
        """The edges of loose lines: a patch's added or removed lines."""
        kind = language(path)
        if kind == "python":
            from checker.domain.importgraph import python

            return python.read_lines(path, lines, self.python)
        if kind == "script":
            from checker.domain.importgraph import javascript

            return javascript.read_lines(path, lines, self.script)
        from checker.domain.importgraph import golang

        return golang.read_lines(path, lines, self.go)


def detect_roots(paths: frozenset[str], packages: Sequence[str]) -> tuple[str, ...]:
    """Source roots when the policy names none: the repository root, src/ (unless src is itself
    a package), and the shallowest folders holding a top-level package that a contract names."""
    roots = {""}
    if "src/__init__.py" not in paths:
        roots.add("src")
    wanted = {p for p in packages if p and "*" not in p}
    # The usual places first: a lookup each, where a search would read every path.
    for name in list(wanted):
        for folder in ("", "src"):
            base = f"{folder}/{name}" if folder else name
            if f"{base}/__init__.py" in paths or f"{base}.py" in paths:
                roots.add(folder)
                wanted.discard(name)
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
        # A folder that is itself a package holds submodules, not top-level packages: a
        # module named like an outside one (app/git.py for "git") must not make it a root.
        outside = [p for p in parents if f"{p}/__init__.py" not in paths]
        if not outside:
            continue
        depth = min(p.count("/") + bool(p) for p in outside)
        roots.update(p for p in outside if p.count("/") + bool(p) == depth)
    return tuple(roots)


def _text(data: bytes | None) -> str | None:
    if data is None or looks_binary(data):
        return None
    return decode_text(data)[0]
