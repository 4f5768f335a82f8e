"""Finding hidden characters in text: each run at its exact line and column, legitimate uses
(emoji sequences, joiners inside joining scripts, ideographic variation sequences, a leading
BOM) left alone, and the payloads they carry decoded into the message.

Pure functions of text. Columns count code points, 1-based, as the text reporter's caret does.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from checker.domain.hiddentext.escape import visible
from checker.domain.hiddentext.table import char_class, describe, hidden_class, row_of, tables
from checker.model.finding import RANK

ZWNJ = "\u200c"
ZWJ = "\u200d"
BOM = "\ufeff"
BLACK_FLAG = "\U0001f3f4"
CANCEL_TAG = "\U000e007f"
TAG_BASE = 0xE0000
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
PAYLOAD_CHARS = 200  # decoded text in a message is cut to this many characters
PAYLOAD_BYTES = 48  # undecodable payload bytes shown in hex
SNIPPET_CHARS = 1000  # longer lines are not echoed under a finding

# A subdivision flag spells its region in two to six tag letters or digits ("gbeng").
FLAG_TAGS_MIN = 2
FLAG_TAGS_MAX = 6
# Bytes that are never part of a hidden character; line feeds are kept, to be counted.
PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\r\x0c"
_NOT_PLAIN = re.compile(f"[^{re.escape(PLAIN_BYTES.decode())}\\n]")  # as text, and line feeds


class Hit(NamedTuple):
    """One run of hidden characters of one rule on one line."""

    code: str
    line: int  # 1-based
    column: int  # 1-based, in code points
    points: tuple[int, ...]  # the run's code points, in order
    severity: str  # outside instruction files
    instruction_severity: str  # in agent instruction files
    message: str
    payload: str | None = None  # the decoded hidden text, when the run carries one
    snippet: str | None = None  # the line's text, when it is short enough to show


class Scanner:
    """The compiled patterns for one set of allowed code points."""

    def __init__(self, allow: frozenset[int]) -> None:
        t = tables()
        ctx = t.contexts
        selectors = char_class(
            [(0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D), (0x180F, 0x180F)]
        )
        joining = char_class(ctx["joining-scripts"])
        pictographic = char_class(ctx["pictographic"])
        before_zwj = pictographic + char_class(
            [*ctx["emoji-modifiers"], (0xFE0F, 0xFE0F), (0x20E3, 0x20E3), (0xE007F, 0xE007F)]
        )
        # Each alternative is one hidden character in a context that makes it legitimate: the
        # character is tested first (cheap), then its neighbours. The regex engine rejects these
        # itself, so legitimate emoji and scripts cost no Python.
        legitimate = "|".join(
            (
                f"[\ufe0e\ufe0f](?<=[{char_class(ctx['emoji'])}].)(?![{selectors}])",
                ZWJ + f"(?<=[{before_zwj}].)(?=[{pictographic}])",
                f"[{ZWNJ}{ZWJ}](?<=[{joining}].)(?=[{joining}])",
                f"[\ufe00-\ufe0f\U000e0100-\U000e01ef](?<=[{char_class(ctx['ideographs'])}].)"
                f"(?![{selectors}])",
                f"[\ufe00-\ufe0d](?<=[{char_class(ctx['variant-bases'])}].)(?![{selectors}])",
                f"[\u180b-\u180d\u180f](?<=[{char_class(ctx['mongolian-letters'])}].)"
                f"(?![{selectors}])",
                *_flag_alternatives(),
            )
        )
        one = f"[{hidden_class(allow)}](?<!{legitimate})"
        # A character class first lets the regex engine skip ordinary text at full speed.
        self.pattern = re.compile(f"{one}(?:{one})*")
        self._right_to_left = re.compile(f"[{char_class(ctx['right-to-left'])}]")

    def scan(self, text: str, first_line: int = 1, file_start: bool = True) -> list[Hit]:
        """Every run of hidden characters in TEXT. Lines are split at LF only, as git does;
        FIRST_LINE numbers the first. FILE_START: TEXT begins the file, so a BOM there is
        legitimate."""
        hits: list[Hit] = []
        line = first_line
        counted = 0
        lines: dict[int, _Line] = {}
        for match in self.pattern.finditer(text):
            start, end = match.span()
            line += text.count("\n", counted, start)
            counted = start
            line_start = text.rfind("\n", 0, start) + 1
            for first, last, code in _runs(text, start, end, file_start):
                column = first - line_start + 1
                hit = self._hit(text, first, last, code, (line, column, line_start), lines)
                if hit is not None:
                    hits.append(hit)
        return hits

    def _hit(
        self,
        text: str,
        start: int,
        end: int,
        code: str,
        where: tuple[int, int, int],
        lines: dict[int, _Line],
    ) -> Hit | None:
        """The hit for the run TEXT[START:END] of rule CODE at WHERE (line, column and the
        line's start in TEXT), or None when its context makes it legitimate."""
        line, column, line_start = where
        run = text[start:end]
        points = tuple(map(ord, run))
        rows = [row_of(p) for p in points]
        severity = _strongest(r.severity for r in rows if r)
        instruction = _strongest(r.instruction_severity for r in rows if r)
        payload = None
        if code == "AC501":
            payload = "".join(chr(p - TAG_BASE) for p in points if 0xE0020 <= p <= 0xE007E)
        elif code == "AC502" and set(run) <= BIDI_MARKS:
            if self._marks_right_to_left(text, start, end, line_start, lines):
                return None
        elif code == "AC504" and len(points) > 1:
            payload = _selector_bytes(points)
        line_end = text.find("\n", start)
        snippet = text[line_start : len(text) if line_end < 0 else line_end].removesuffix("\r")
        return Hit(
            code=code,
            line=line,
            column=column,
            points=points,
            severity=severity,
            instruction_severity=instruction,
            message=_message(code, points, payload),
            payload=payload or None,
            snippet=snippet if len(snippet) <= SNIPPET_CHARS else None,
        )

    def _marks_right_to_left(
        self, text: str, start: int, end: int, line_start: int, lines: dict[int, _Line]
    ) -> bool:
        """Whether the marks at TEXT[START:END] set the direction of right-to-left text: the
        nearest letters on either side (past spaces, punctuation, digits and combining marks, on
        the same line) include a right-to-left letter, or most letters of the line outside
        `code spans` are right-to-left. An RLM after a Latin word inside a Hebrew sentence is
        how that word is kept in place; the same mark among Latin letters, as in code, only
        reorders what a reader sees. LINES caches what is read of each line (by its start)."""
        line = lines.get(line_start)
        if line is None:
            line = lines[line_start] = self._read_line(text, line_start)
        at = bisect.bisect_left(line.letters, start)
        nearest = line.letters[at - 1 : at] + line.letters[at : at + 1]
        if any(self._right_to_left.match(text[i]) for i in nearest if not start <= i < end):
            return True
        return line.mostly_right_to_left

    def _read_line(self, text: str, line_start: int) -> _Line:
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = len(text)
        line = text[line_start:line_end]
        letters = [line_start + i for i, c in enumerate(line) if c.isalpha()]
        # Code spans are left-to-right islands in right-to-left prose: the prose decides.
        prose = [c for c in _CODE_SPAN.sub("", line) if c.isalpha()]
        right_to_left = sum(1 for c in prose if self._right_to_left.match(c))
        return _Line(letters, bool(prose) and 2 * right_to_left > len(prose))


class _Line(NamedTuple):
    """What the bidi-mark rule reads of one line."""

    letters: list[int]  # where its letters are, in the scanned text
    mostly_right_to_left: bool  # most of its letters outside code spans are right-to-left


_CODE_SPAN = re.compile(r"`[^`\n]*`")


def _flag_alternatives() -> list[str]:
    """A subdivision flag's tags: U+1F3F4, two to six tag letters or digits, U+E007F. The
    lookbehinds must have a fixed width, so each position in the tag run is spelled out."""
    tag = "[\U000e0030-\U000e0039\U000e0061-\U000e007a]"
    most = FLAG_TAGS_MAX
    found = [
        f"{tag}(?<={BLACK_FLAG}{tag}{{{before}}}.)"
        f"(?={tag}{{{max(0, 1 - before)},{most - 1 - before}}}{CANCEL_TAG})"
        for before in range(most)
    ]
    found += [
        f"{CANCEL_TAG}(?<={BLACK_FLAG}{tag}{{{count}}}.)"
        for count in range(FLAG_TAGS_MIN, most + 1)
    ]
    return found


def _runs(text: str, start: int, end: int, file_start: bool) -> Iterator[tuple[int, int, str]]:
    """Split a match into runs of one rule each; a BOM that starts the file is no finding."""
    if start == 0 and file_start and text[0] == BOM:
        start = 1
    first = start
    code = None
    for i in range(start, end):
        row = row_of(ord(text[i]))
        this = row.code if row else ""
        if this != code:
            if code:
                yield first, i, code
            first, code = i, this
    if code and first < end:
        yield first, end, code


def _strongest(levels: Iterable[str]) -> str:
    return max(levels, key=RANK.__getitem__, default="warning")


def _selector_bytes(points: tuple[int, ...]) -> str:
    """Variation selectors as the bytes they encode: VS1-16 are 0-15, VS17-256 are 16-255."""
    data = bytes(p - 0xFE00 if p <= 0xFE0F else p - 0xE0100 + 16 for p in points)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        shown = " ".join(f"{b:02x}" for b in data[:PAYLOAD_BYTES])
        return f"bytes {shown}{' ...' if len(data) > PAYLOAD_BYTES else ''}"


def quote(text: str, limit: int = PAYLOAD_CHARS) -> str:
    """Decoded hidden text, escaped so the message itself hides nothing, and cut short."""
    shown = visible(text)
    if len(shown) > limit:
        shown = shown[:limit] + "..."
    return f'"{shown}"'


def _message(code: str, points: tuple[int, ...], payload: str | None) -> str:
    count = len(points)
    what = f"{count} {tables().nouns[code]}{'' if count == 1 else 's'} ({describe(points)})"
    if code == "AC501":
        return f"hidden text in {what}: {quote(payload)}" if payload else what
    if code == "AC502":
        return f"{what}: the text displays in another order than it is read"
    if code == "AC504":
        found = f"{what} outside an emoji or CJK context"
        if payload is None:
            return found
        if payload.startswith("bytes "):
            return f"{found}; as {payload}"
        return f"{found}; as bytes they read {quote(payload)}"
    return what


@functools.cache
def scanner(allow: frozenset[int] = frozenset()) -> Scanner:
    return Scanner(allow)


@functools.cache
def _ascii_hidden(allow: frozenset[int]) -> re.Pattern[str]:
    """The table's hidden characters that are ASCII (C0 controls, DEL), but ALLOW."""
    points = [
        (max(row.first, 0), min(row.last, 0x7F)) for row in tables().hidden if row.first <= 0x7F
    ]
    return re.compile(f"[{char_class(points, allow)}]" if points else "(?!)")


def scan_text(
    text: str, allow: frozenset[int] = frozenset(), first_line: int = 1, file_start: bool = True
) -> list[Hit]:
    """Every run of hidden characters in TEXT, but the code points in ALLOW."""
    # Plain ASCII can only hide control characters: the full patterns are not even compiled,
    # and text with none of those needs no table at all.
    if text.isascii() and (
        _NOT_PLAIN.search(text) is None or _ascii_hidden(allow).search(text) is None
    ):
        return []
    return scanner(allow).scan(text, first_line, file_start)


def undecodable_hit(line: int, column: int, message: str, snippet: str | None = None) -> Hit:
    """The AC505 note for text that is not valid UTF-8."""
    return Hit("AC505", line, column, (), "warning", "error", message, None, snippet)
