"""Unified diffs whose right reading is known: file pairs, their hunks as `diff -u` and git
write them, and whole `git diff --raw -z -p` outputs and patch files built from them, for the
property tests of the diff readers."""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

from hypothesis import strategies as st

# Line texts chosen to look like the diff syntax around them, to be invalid UTF-8, to hold
# separators other than a line feed, and to repeat (so the pairs share lines).
TEXTS = [
    b"a",
    b"b",
    b"c",
    b"",
    b"    return value",
    b"-- a/f",
    b"++ b/f",
    b"@@ -1 +1 @@",
    b"\\ No newline at end of file",
    b"diff --git a/f b/f",
    b"--- a/f",
    b"+++ b/f",
    "unicod\u00e9 \u2713".encode(),
    b"caf\xe9 latin-1",
    b"\xff\xfe",
    b"tab\there",
    b"\r",
    b"a\rb",
    "\u2028 line separator".encode(),
    b"\x0cform feed",
    b"\x1b[31mred",
    b"trailing space ",
]
ENDED = [text + end for text in TEXTS for end in (b"\n", b"\r\n")]
PATHS = [
    "f.txt",
    "src/app/main.py",
    "sp ace.txt",
    "a b/c d.md",
    "new\nline.txt",
    'q"uote',
    "back\\slash",
    "tab\there",
    "\u00fcn\u00ef/\u0444\u0430\u0439\u043b.txt",
    "-dash.txt",
    "\u00e9t\u00e9 b/x",
    "bell\x07.txt",
]
NULL_SHA = "0" * 40


def lines_of(data: bytes) -> list[bytes]:
    """Lines with their endings, split at line feeds only, as git and unidiff split them."""
    return re.findall(rb"[^\n]*\n|[^\n]+\Z", data)


def reading(line: bytes) -> str:
    """A line as the readers keep it: no line feed, one carriage return less, UTF-8 with
    U+FFFD for bytes that are not."""
    raw = line.removesuffix(b"\n").removesuffix(b"\r")
    return raw.decode("utf-8", "replace")


def decodes(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Each value hypothesis draws costs it about a tenth of a millisecond, and the slow runs make
# 10,000 examples per property: so a whole structure is read off one draw of random bytes,
# taken as an integer, low digits first (hypothesis keeps big integers small; its bytes are
# uniform). Shrinking the bytes toward zeros shrinks the structure: fewer lines, earlier
# choices.


def uniform(size: int) -> st.SearchStrategy[int]:
    return st.binary(min_size=size, max_size=size).map(lambda raw: int.from_bytes(raw, "little"))


BIG = uniform(40)


class Digits:
    """Choices read off one integer."""

    def __init__(self, number: int) -> None:
        self.number = number

    def take(self, base: int) -> int:
        self.number, digit = divmod(self.number, base)
        return digit

    def pick(self, items: list[bytes]) -> bytes:
        return items[self.take(len(items))]


def line_run(digits: Digits, max_lines: int) -> list[bytes]:
    return [digits.pick(ENDED) for _ in range(digits.take(max_lines + 1))]


def file_from(digits: Digits, max_lines: int = 8) -> bytes:
    data = b"".join(line_run(digits, max_lines))
    if data and digits.take(2):  # no newline at end of file (a CRLF file keeps its CR)
        data = data[:-1]
    return data


def pair_from(digits: Digits) -> tuple[bytes, bytes]:
    """Two versions of a file: an edit of the first (shared lines around it), or another file."""
    old = file_from(digits)
    if digits.take(2):
        return old, file_from(digits)
    lines = lines_of(old)
    start = digits.take(len(lines) + 1)
    end = start + digits.take(len(lines) - start + 1)
    return old, b"".join(lines[:start] + line_run(digits, 4) + lines[end:])


def file_pairs() -> st.SearchStrategy[tuple[bytes, bytes]]:
    return BIG.map(lambda number: pair_from(Digits(number)))


class Expected(NamedTuple):
    added: list[tuple[int, str]]
    removed: list[tuple[int, str]]
    undecodable: bool


def expected(old: bytes, new: bytes) -> Expected:
    """What the hunks `hunks(old, new, ...)` say, read right."""
    a, b = lines_of(old), lines_of(new)
    added: list[tuple[int, str]] = []
    removed: list[tuple[int, str]] = []
    bad = False
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed += [(i + 1, reading(a[i])) for i in range(i1, i2)]
            bad = bad or not all(decodes(line) for line in a[i1:i2])
        if tag in ("replace", "insert"):
            added += [(j + 1, reading(b[j])) for j in range(j1, j2)]
            bad = bad or not all(decodes(line) for line in b[j1:j2])
    return Expected(added, removed, bad)


def _range(start: int, stop: int) -> bytes:
    length = stop - start
    if length == 1:
        return b"%d" % (start + 1)
    return b"%d,%d" % (start if length == 0 else start + 1, length)


def _body(prefix: bytes, line: bytes) -> bytes:
    if line.endswith(b"\n"):
        return prefix + line
    return prefix + line + b"\n\\ No newline at end of file\n"


def hunks(old: bytes, new: bytes, context: int, heading: bytes = b"") -> bytes:
    """The hunks of OLD -> NEW with CONTEXT lines around changes, as `diff -u` writes them;
    HEADING is what git puts after the second @@ (the enclosing function's line)."""
    a, b = lines_of(old), lines_of(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)  # fresh: it edits its cache
    out = []
    for group in matcher.get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(b"@@ -%s +%s @@%s\n" % (_range(i1, i2), _range(j1, j2), heading))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [_body(b" ", line) for line in a[a1:a2]]
                continue
            out += [_body(b"-", line) for line in a[a1:a2]]
            out += [_body(b"+", line) for line in b[b1:b2]]
    return b"".join(out)


_ESCAPES = {7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 34: '"', 92: "\\"}


def quoted(name: str) -> bytes:
    """A name in a diff header as git writes it with core.quotepath=false: C-quoted when it
    holds a double quote, a backslash or a control character, raw bytes otherwise."""
    raw = name.encode()
    if not any(c < 0x20 or c in (0x22, 0x5C, 0x7F) for c in raw):
        return raw
    return _quote_bytes(raw)


def _quote_bytes(raw: bytes) -> bytes:
    out = bytearray(b'"')
    for c in raw:
        if c in _ESCAPES:
            out += b"\\" + _ESCAPES[c].encode()
        elif c < 0x20 or c == 0x7F:
            out += b"\\%03o" % c
        else:
            out.append(c)
    return bytes(out + b'"')


def file_header(side: str, name: str | None) -> bytes:
    """A ---/+++ line: git ends it with a tab when the unquoted name has a space."""
    marker = b"---" if side == "a" else b"+++"
    if name is None:
        return marker + b" /dev/null\n"
    text = quoted(f"{side}/{name}")
    tab = b"\t" if b" " in text and not text.startswith(b'"') else b""
    return marker + b" " + text + tab + b"\n"


# -- whole `git diff --raw -z -p` outputs ------------------------------------------------------

KINDS = ["M", "A", "D", "R", "C", "T", "U", "B", "X", "S", "G"]
MODES = ["100644", "100755"]
HEADINGS = [b"", b" def f(x):", b" class C:"]
LINKS = [b"target.txt", b"../up/there", "\u00fc".encode()]


class GitFile(NamedTuple):
    """One file of a git diff: KIND is a raw status, or B (binary), X (mode only), S (stat data
    only: git lists it without a patch), G (a submodule pointer)."""

    kind: str
    path: str
    old_path: str
    old: bytes
    new: bytes
    mode: str
    score: int
    binary_patch: bool  # "GIT binary patch" rather than "Binary files ... differ"
    heading: bytes


def _sha(data: bytes, salt: str = "") -> str:
    import hashlib

    return hashlib.sha1(salt.encode() + data).hexdigest()


def _git_file(digits: Digits, path: str, renamed_from: str) -> GitFile:
    kind = KINDS[digits.take(len(KINDS))]
    old, new = pair_from(digits)
    if kind == "M" and old == new:
        new += b"one more\n"
    if kind == "T":
        new = LINKS[digits.take(len(LINKS))]
    score = 0
    if kind in "RC":
        score = 100 if old == new else 50 + digits.take(51)
    return GitFile(
        kind,
        path,
        renamed_from if kind in "RC" else path,
        old,
        new,
        MODES[digits.take(2)],
        score,
        bool(digits.take(2)),
        HEADINGS[digits.take(len(HEADINGS))],
    )


def _git_files(number: int) -> list[GitFile]:
    digits = Digits(number)
    # Distinct names: a walk through PATHS from START by a STEP prime to its length.
    start, step = digits.take(len(PATHS)), [1, 5, 7, 11][digits.take(4)]
    names = [PATHS[(start + i * step) % len(PATHS)] for i in range(len(PATHS))]
    return [
        _git_file(digits, names[index], names[-1 - index]) for index in range(1 + digits.take(3))
    ]


def git_files() -> st.SearchStrategy[list[GitFile]]:
    """One to three files of a git diff, every kind of change, with distinct odd names."""
    return uniform(72).map(_git_files)


def _raw(file: GitFile) -> bytes:
    old_sha, new_sha = _sha(file.old), _sha(file.new, "new")
    old_mode = new_mode = file.mode
    status = file.kind
    if file.kind == "A":
        old_mode, old_sha = "000000", NULL_SHA
    elif file.kind == "D":
        new_mode, new_sha = "000000", NULL_SHA
    elif file.kind == "T":
        new_mode = "120000"
    elif file.kind == "U":
        old_mode = new_mode = "000000"
        old_sha = new_sha = NULL_SHA
    elif file.kind == "X":
        new_mode = "100755" if file.mode == "100644" else "100644"
        new_sha = old_sha
    elif file.kind == "S":
        new_sha = NULL_SHA
    elif file.kind == "G":
        old_mode = new_mode = "160000"
    if file.kind in "BXSG":
        status = "M"
    if file.kind in "RC":
        status += f"{file.score:03d}"
    names = [file.old_path, file.path] if file.kind in "RC" else [file.path]
    meta = f":{old_mode} {new_mode} {old_sha} {new_sha} {status}".encode()
    return meta + b"\0" + b"".join(name.encode() + b"\0" for name in names)


def _git_line(old_path: str, path: str) -> bytes:
    return b"diff --git " + quoted(f"a/{old_path}") + b" " + quoted(f"b/{path}") + b"\n"


def _index(file: GitFile, mode: bool = True) -> bytes:
    return b"index %s..%s%s\n" % (
        _sha(file.old)[:7].encode(),
        _sha(file.new, "new")[:7].encode(),
        b" " + file.mode.encode() if mode else b"",
    )


def _text_patch(file: GitFile, old_name: str | None, name: str | None, context: int) -> bytes:
    old = b"" if old_name is None else file.old
    new = b"" if name is None else file.new
    if old == new:
        return b""
    return (
        file_header("a", old_name) + file_header("b", name) + hunks(old, new, context, file.heading)
    )


def _section(file: GitFile, context: int) -> bytes:
    kind, path = file.kind, file.path
    if kind in "SU":
        return b"* Unmerged path " + path.encode() + b"\n" if kind == "U" else b""
    head = _git_line(file.old_path, path)
    if kind == "A":
        return (
            head
            + b"new file mode %s\n" % file.mode.encode()
            + b"index 0000000..%s\n" % _sha(file.new, "new")[:7].encode()
            + _text_patch(file, None, path, context)
        )
    if kind == "D":
        return (
            head
            + b"deleted file mode %s\n" % file.mode.encode()
            + b"index %s..0000000\n" % _sha(file.old)[:7].encode()
            + _text_patch(file, path, None, context)
        )
    if kind in "RC":
        verb = b"rename" if kind == "R" else b"copy"
        out = head + b"similarity index %d%%\n" % file.score
        out += verb + b" from " + quoted(file.old_path) + b"\n"
        out += verb + b" to " + quoted(path) + b"\n"
        if file.old != file.new:
            out += _index(file) + _text_patch(file, file.old_path, path, context)
        return out
    if kind == "T":
        removal = (
            head
            + b"deleted file mode %s\n" % file.mode.encode()
            + _text_patch(file._replace(new=b""), path, None, context)
        )
        link = (
            head
            + b"new file mode 120000\n"
            + _text_patch(file._replace(old=b""), None, path, context)
        )
        return removal + link
    if kind == "B":
        if file.binary_patch:
            return head + _index(file) + b"GIT binary patch\nliteral 3\nKcmZQzWMT#N00031\n\n"
        return (
            head
            + _index(file)
            + b"Binary files "
            + quoted(f"a/{file.old_path}")
            + b" and "
            + quoted(f"b/{path}")
            + b" differ\n"
        )
    if kind == "X":
        other = b"100755" if file.mode == "100644" else b"100644"
        return head + b"old mode %s\nnew mode %s\n" % (file.mode.encode(), other)
    if kind == "G":
        pointers = b"@@ -1 +1 @@\n-Subproject commit %s\n+Subproject commit %s\n" % (
            _sha(file.old).encode(),
            _sha(file.new, "new").encode(),
        )
        return head + _index(file) + file_header("a", path) + file_header("b", path) + pointers
    return head + _index(file) + _text_patch(file, path, path, context)


def git_output(files: list[GitFile], context: int = 0) -> bytes:
    """What `git diff --raw -z -p -U<context>` prints for FILES."""
    raw = b"".join(_raw(file) for file in files)
    return raw + b"\0" + b"".join(_section(file, context) for file in files)


def expected_change(file: GitFile) -> dict[str, object] | None:
    """The FileChange fields a right reading of FILE gives; None where git lists a file whose
    content did not change (stat data only)."""
    status = {
        "M": "modified",
        "A": "added",
        "D": "deleted",
        "R": "renamed",
        "C": "copied",
        "T": "typechange",
        "U": "unmerged",
    }.get(file.kind, "modified")
    if file.kind == "S":
        return None
    if file.kind == "U":
        return {
            "path": file.path,
            "old_path": file.path,
            "status": status,
            "added": [],
            "removed": [],
            "binary": False,
            "undecodable": False,
        }
    lines: Expected
    if file.kind in "BXG":
        lines = Expected([], [], False)
    elif file.kind == "A":
        lines = expected(b"", file.new)
    elif file.kind == "D":
        lines = expected(file.old, b"")
    elif file.kind == "T":
        removal, link = expected(file.old, b""), expected(b"", file.new)
        lines = Expected(link.added, removal.removed, removal.undecodable or link.undecodable)
    else:
        lines = expected(file.old, file.new)
    return {
        "path": file.path,
        "old_path": file.old_path if file.kind in "RC" else file.path,
        "status": status,
        "added": lines.added,
        "removed": lines.removed,
        "binary": file.kind == "B",
        "undecodable": lines.undecodable,
    }
