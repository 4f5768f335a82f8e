"""Properties of the unified-diff readers: git's own output (checker/adapters/gitdiff.py) and
patch files (checker/adapters/patchfile.py). Whatever the hunks hold
(CRLF, "\\ No newline at end of file", lines that look like diff syntax, bytes that are not
UTF-8), every added and removed line is read at its right number; odd headers, binary
markers, renames and garbage never raise anything but FatalError.

Diffs are built from file pairs whose right reading is known (tests/diffgen.py), and a
subset is made by git itself. The default suite runs a few dozen examples per property; the
slow runs (pytest -m slow) 10,000 each.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.adapters import patchfile
from checker.adapters.git import Repository
from checker.adapters.gitdiff import parse_section, read_diff, section_path, unquote
from checker.model.change import FileChange
from checker.model.errors import FatalError
from tests import diffgen, examples
from tests.conftest import clean_env

# Examples are read off random bytes (tests/diffgen.py), which take minutes to shrink; the
# assertion messages show the diff instead.
FAST = examples.fast(shrink=False)
SLOW = examples.slow(shrink=False)
GIT_SLOW = examples.slow(shrink=False, share=0.1)  # each example builds git trees


def properties(
    body: Callable[..., None], *strategies: st.SearchStrategy[Any], slow: settings = SLOW
) -> tuple[Callable[..., None], Callable[..., None]]:
    """A property as two tests: a few examples by default, many under the slow mark."""
    few: Callable[..., None] = FAST(given(*strategies)(body))
    many: Callable[..., None] = slow(given(*strategies)(body))
    return few, SLOW_MARK(many)


SLOW_MARK: Callable[[Callable[..., None]], Callable[..., None]] = pytest.mark.slow


def observed(change: FileChange) -> dict[str, object]:
    return {
        "path": change.path,
        "old_path": change.old_path,
        "status": change.status,
        "added": [tuple(line) for line in change.added],
        "removed": [tuple(line) for line in change.removed],
        "binary": change.binary,
        "undecodable": change.undecodable,
    }


# -- one section of git's output ---------------------------------------------------------------

ODD_HEADERS = st.sampled_from(
    [
        b"",
        b"index 1234567..89abcde 100644\n",
        b"old mode 100644\nnew mode 100755\nindex 1234567..89abcde\n",
        b"similarity index 87%\nrename from x y.txt\nrename to f.txt\n",
        b"new file mode 100644\n",
        b"* Unmerged path elsewhere.txt\n",
    ]
)


def _section_reads_every_line_at_its_number(
    pair: tuple[bytes, bytes], context: int, header: bytes, heading: bytes
) -> None:
    old, new = pair
    body = diffgen.hunks(old, new, context, heading)
    section = b"a/f.txt b/f.txt\n" + header + b"--- a/f.txt\n+++ b/f.txt\n" + body
    read = parse_section(section)
    want = diffgen.expected(old, new)
    assert [tuple(line) for line in read.added] == want.added, section
    assert [tuple(line) for line in read.removed] == want.removed, section
    assert read.undecodable == want.undecodable
    assert read.binary is False
    assert section_path(section) == "f.txt"


test_section_lines, test_section_lines_many = properties(
    _section_reads_every_line_at_its_number,
    diffgen.file_pairs(),
    st.sampled_from([0, 0, 1, 3]),
    ODD_HEADERS,
    st.sampled_from([b"", b" def f(x):", b" @@ -9 +9 @@"]),
)


def _section_reader_never_raises(data: bytes) -> None:
    read = parse_section(data)
    assert all(line.number >= 0 for line in (*read.added, *read.removed))
    section_path(data)
    unquote(data.decode("utf-8", "surrogateescape"))


def _soup(tokens: list[bytes], number: int, noise: bytes) -> bytes:
    digits = diffgen.Digits(number)
    parts = [digits.pick(tokens) for _ in range(digits.take(13))]
    at = digits.take(len(parts) + 1)
    return b"".join([*parts[:at], noise, *parts[at:]])


def soup(tokens: list[bytes]) -> st.SearchStrategy[bytes]:
    """Up to 12 tokens in any order, with arbitrary bytes put in somewhere."""
    return st.tuples(diffgen.BIG, st.binary(max_size=24)).map(lambda t: _soup(tokens, *t))


GARBAGE = soup(
    [
        b"@@ -1 +1 @@\n",
        b"@@ -0,0 +1,3 @@\n",
        b"@@ -2,2 +5 @@ heading\n",
        b"@@ -1,99999999999999999999 +1 @@\n",
        b"@@ -1 +1\n",
        b"+added\n",
        b"-removed\n",
        b" context\n",
        b"\\ No newline at end of file\n",
        b"Binary files a/x and b/x differ\n",
        b"GIT binary patch\n",
        b"--- a/x\n",
        b'+++ "b/\\303\\274\\n"\n',
        b'"a/q\\"x" "b/q\\"x"\n',
        b'"a/caf\xe9\\n" b/x\n',
        b"rename to \n",
        b"\r\n",
        b"\n",
    ]
)

test_section_garbage, test_section_garbage_many = properties(_section_reader_never_raises, GARBAGE)


# -- git diff --raw -z -p, read as gitdiff.py reads it------------------------------------------


def _git_output_reads_every_file(files: list[diffgen.GitFile], context: int) -> None:
    out = diffgen.git_output(files, context)
    read, _, _ = read_diff(out)
    want = [w for w in (diffgen.expected_change(f) for f in files) if w is not None]
    assert [observed(change) for change in read] == want, out
    for change, file in zip(read, [f for f in files if f.kind != "S"], strict=True):
        if file.kind in "RC":
            assert change.similarity == file.score
        if file.kind == "X":
            assert change.mode_changed
        if file.kind == "G":
            assert change.is_submodule
        if file.kind == "T":
            assert change.new_mode == "120000"


test_git_output, test_git_output_many = properties(
    _git_output_reads_every_file, diffgen.git_files(), st.sampled_from([0, 0, 3])
)


# -- git itself --------------------------------------------------------------------------------


class Trees:
    """One scratch repository; each example's two sides become two trees in it."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="agentcheck-diff-properties-")
        self.root = Path(self._dir.name)
        self._git("init", "-q")
        self.repository = Repository.find(self.root)

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        return subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=clean_env(HOME=str(self.root)),
            input=data,
            capture_output=True,
            check=True,
        ).stdout

    def trees(self, sides: list[dict[str, tuple[str, bytes]]]) -> list[str]:
        """Tree ids for SIDES, each path -> (mode, content)."""
        contents = sorted({data for side in sides for _, data in side.values()})
        for index, data in enumerate(contents):
            (self.root / f"blob{index}").write_bytes(data)
        names = [f"blob{index}" for index in range(len(contents))]
        ids = self._git("hash-object", "-w", "--", *names).decode().split() if names else []
        blob = dict(zip(contents, ids, strict=True))
        listing = b""
        for side in sides:
            for path, (mode, data) in sorted(side.items()):
                listing += f"{mode} blob {blob[data]}\t{path}".encode() + b"\0"
            listing += b"\0"
        return self._git("mktree", "-z", "--missing", "--batch", data=listing).decode().split()

    def close(self) -> None:
        self._dir.cleanup()


@contextlib.contextmanager
def scratch() -> Iterator[Trees]:
    trees = Trees()
    try:
        yield trees
    finally:
        trees.close()


@pytest.fixture(scope="module")
def git_trees() -> Iterator[Trees]:
    with scratch() as trees:
        yield trees


def _aligned(old: bytes, new: bytes, change: FileChange) -> None:
    """Whatever alignment git chose: the added lines are the new file's lines at those
    numbers, the removed ones the old file's, and what is left is the same on both sides."""
    a, b = diffgen.lines_of(old), diffgen.lines_of(new)
    for number, text in change.added:
        assert text == diffgen.reading(b[number - 1]), (number, b)
    for number, text in change.removed:
        assert text == diffgen.reading(a[number - 1]), (number, a)
    gone = {line.number for line in change.removed}
    came = {line.number for line in change.added}
    kept_old = [line for i, line in enumerate(a, 1) if i not in gone]
    kept_new = [line for i, line in enumerate(b, 1) if i not in came]
    assert kept_old == kept_new


# mktree builds one level: names without a folder
FLAT_NAMES = [name for name in diffgen.PATHS if "/" not in name]


def _named_pairs(number: int) -> tuple[list[tuple[bytes, bytes]], list[str], str]:
    digits = diffgen.Digits(number)
    start = digits.take(len(FLAT_NAMES))
    names = FLAT_NAMES[start:] + FLAT_NAMES[:start]
    mode = ["100644", "100755"][digits.take(2)]
    pairs = [diffgen.pair_from(digits) for _ in range(1 + digits.take(3))]
    return pairs, names, mode


PAIRS_WITH_NAMES = diffgen.uniform(72).map(_named_pairs)


def _git_reads_what_git_wrote(trees: Trees, case: Any) -> None:
    pairs, names, mode = case
    base: dict[str, tuple[str, bytes]] = {}
    head: dict[str, tuple[str, bytes]] = {}
    for (old, new), name in zip(pairs, names, strict=False):
        base[name] = ("100644", old)
        head[name] = (mode, new)
    left, right = trees.trees([base, head])
    files, _, _ = trees.repository.diff(left, right)
    seen = {change.path: change for change in files}
    for name, (old, new) in zip(names, pairs, strict=False):
        if old == new and mode == "100644":
            assert name not in seen
            continue
        change = seen[name]
        if change.binary:  # git's own test: a NUL byte, or a CR without LF in some versions
            assert not change.added
            assert not change.removed
            continue
        assert change.status == "modified", change
        _aligned(old, new, change)


@pytest.mark.e2e
@FAST
@given(PAIRS_WITH_NAMES)
def test_git_reads_what_git_wrote(case: Any) -> None:
    with scratch() as trees:
        _git_reads_what_git_wrote(trees, case)


@pytest.mark.slow
@GIT_SLOW
@given(PAIRS_WITH_NAMES)
def test_git_reads_what_git_wrote_many(git_trees: Trees, case: Any) -> None:
    _git_reads_what_git_wrote(git_trees, case)


# -- patch files (--patch) ---------------------------------------------------------------------


@contextlib.contextmanager
def batch_chars(size: int) -> Iterator[None]:
    """Cut the patch into small pieces, so that files fall on every side of a cut."""
    saved = patchfile.BATCH_CHARS
    patchfile.BATCH_CHARS = size
    try:
        yield
    finally:
        patchfile.BATCH_CHARS = saved


def _patch_reads_every_file(files: list[diffgen.GitFile], context: int, batch: int) -> None:
    kept = [f for f in files if f.kind not in "USGT"]
    patch = b"".join(diffgen._section(f, context) for f in kept)
    with batch_chars(batch):
        read = patchfile.parse_patch(patch, "change.diff")
    want = [diffgen.expected_change(f) for f in kept]
    got = [observed(change) for change in read]
    # unidiff calls a file binary only from its marker; modes come from its headers
    assert got == want, patch


test_patch_files, test_patch_files_many = properties(
    _patch_reads_every_file,
    diffgen.git_files(),
    st.sampled_from([0, 1, 3]),
    st.sampled_from([1, 64, 1 << 20]),
)


PATCH_GARBAGE = soup(
    [
        b"diff --git a/x b/x\n",
        b'diff --git "a/q\\"x" "b/q\\"x"\n',
        b"diff --git a/a b/c b/a b/c\n",
        b"--- a/x\n",
        b"+++ b/x\n",
        b"--- /dev/null\n",
        b"+++ /dev/null\n",
        b"@@ -1 +1 @@\n",
        b"@@ -0,0 +1,2 @@\n",
        b"@@ -1,2 +0,0 @@\n",
        b"@@ -1,99999999999999999999 +1 @@\n",
        b"+a\n",
        b"-b\n",
        b" c\n",
        b"\\ No newline at end of file\n",
        b"new file mode 100644\n",
        b"deleted file mode 100644\n",
        b"old mode 100644\n",
        b"new mode 100755\n",
        b"index 123..456 100644\n",
        b"rename from x\n",
        b"rename to y\n",
        b"copy from a\n",
        b"copy to b\n",
        b"similarity index 90%\n",
        b"Binary files a/x and b/x differ\n",
        b"GIT binary patch\n",
        b"\n",
        b"\r\n",
        b"\xff\xfe\n",
    ]
)


def _patch_reader_fails_only_with_fatal_error(data: bytes) -> None:
    try:
        files = patchfile.parse_patch(data, "odd.diff")
    except FatalError as exc:
        message = str(exc)
        assert message.startswith("odd.diff: ")
        assert "\n" not in message
        assert len(message) < 600
        return
    for change in files:
        assert all(line.number >= 0 for line in (*change.added, *change.removed))


test_patch_garbage, test_patch_garbage_many = properties(
    _patch_reader_fails_only_with_fatal_error, PATCH_GARBAGE
)


@pytest.mark.e2e
def test_helpers_build_what_git_builds(git_trees: Trees) -> None:
    """The hand-built git output has git's own shape, byte for byte, for one odd case: a
    rename between quoted names, a CRLF line and a missing newline at the end."""
    old = b"one\r\ntwo\nthree"
    new = b"one\r\n2\nthree\n"
    left, right = git_trees.trees([{"sp ace.txt": ("100644", old)}, {'q"uote': ("100644", new)}])
    out = git_trees.repository.run(
        "diff",
        "--raw",
        "-z",
        "-p",
        "-U0",
        "-M1%",
        "--no-abbrev",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        left,
        right,
    )
    made = diffgen.git_output(
        [diffgen.GitFile("R", 'q"uote', "sp ace.txt", old, new, "100644", 0, False, b" one")]
    )
    assert _hunk_lines(out) == _hunk_lines(made)
    assert b'diff --git "a/sp ace.txt" ' not in out  # git quotes only the name that needs it
    assert b'rename to "q\\"uote"' in out
    assert b'rename to "q\\"uote"' in made


def _hunk_lines(out: bytes) -> list[bytes]:
    patch = out[out.index(b"\0diff") + 1 :]
    return [line for line in patch.split(b"\n") if line[:1] in (b"@", b"+", b"-", b"\\")]
