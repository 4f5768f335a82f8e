"""Hidden Unicode: the characters editors do not show, found at their exact line and column,
their legitimate uses left alone, and the payloads they carry decoded.

Pure functions of text or bytes. The character tables are data, in rules/unicode.toml.
Columns count code points, 1-based, as the text reporter's caret does.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from checker.config import catalog

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
CHUNK = 1 << 18  # bytes scanned at a time; decoding small chunks keeps strings narrow
SAMPLE = 4096  # bytes of a chunk that tell whether it is mostly plain ASCII

# A subdivision flag spells its region in two to six tag letters or digits ("gbeng").
FLAG_TAGS_MIN = 2
FLAG_TAGS_MAX = 6
# Bytes that are never part of a hidden character, deleted before the byte prefilter runs;
# line feeds are kept, to be counted.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\r\x0c"
_NOT_PLAIN = re.compile(f"[^{re.escape(_PLAIN_BYTES.decode())}\\n]")  # as text, and line feeds
# Byte order marks of the wide encodings; UTF-32's little-endian mark begins with UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Hidden(NamedTuple):
    """One row of the table: a range of hidden code points and how they are reported."""

    first: int
    last: int
    kind: str  # the class, e.g. "zero-width"
    code: str
    severity: str  # outside instruction files
    instruction_severity: str  # in agent instruction files


class Tables(NamedTuple):
    version: str
    hidden: tuple[Hidden, ...]
    contexts: dict[str, tuple[tuple[int, int], ...]]
    nouns: dict[str, str]
    control_names: dict[int, str]


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


class Scan(NamedTuple):
    """A whole file's hits, and how it was read."""

    hits: list[Hit]
    encoding: str  # "utf-8", "utf-16-le", ...; "binary" when skipped


def parse_range(text: str) -> tuple[int, int]:
    """ "U+200B" or "U+FE00..U+FE0F" as (first, last); ValueError when malformed."""
    first, sep, last = text.partition("..")
    low = _point(first)
    high = _point(last) if sep else low
    if high < low:
        raise ValueError(f"{text!r}: the range ends before it starts")
    return low, high


def _point(text: str) -> int:
    body = text.strip().upper()
    if not body.startswith("U+"):
        raise ValueError(f'{text!r} is not a code point: write it as "U+200E"')
    try:
        point = int(body[2:], 16)
    except ValueError:
        raise ValueError(f'{text!r} is not a code point: write it as "U+200E"') from None
    if not 0 <= point <= 0x10FFFF:
        raise ValueError(f"{text!r} is beyond U+10FFFF")
    return point


@functools.cache
def tables() -> Tables:
    data = catalog.table("unicode")
    hidden = []
    for row in data["hidden"]["ranges"]:
        first, last = parse_range(row["range"])
        severity = row["severity"]
        hidden.append(
            Hidden(
                first,
                last,
                row["class"],
                row["code"],
                severity,
                row.get("instruction-files", severity),
            )
        )
    names = data["control-names"]
    control_names = dict(enumerate(names["c0"]))
    control_names[0x7F] = names["del"]
    control_names.update({0x80 + i: name for i, name in enumerate(names["c1"])})
    return Tables(
        version=data["unicode-version"],
        hidden=tuple(sorted(hidden)),
        contexts={
            name: tuple(parse_range(item) for item in items)
            for name, items in data["contexts"].items()
        },
        nouns=dict(data["nouns"]),
        control_names=control_names,
    )


@functools.cache
def _row_of() -> dict[int, Hidden]:
    return {point: row for row in tables().hidden for point in range(row.first, row.last + 1)}


def row_of(point: int) -> Hidden | None:
    """The table row of a hidden code point; None for an ordinary one."""
    return _row_of().get(point)


def _escape(point: int) -> str:
    return f"\\U{point:08x}"


def char_class(ranges: Iterable[tuple[int, int]], without: frozenset[int] = frozenset()) -> str:
    """The inside of a regular-expression bracket expression matching RANGES. Adjacent ranges
    are merged: the regex engine tests ranges above U+FFFF one by one."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    parts = []
    for first, last in merged:
        low = first
        for point in sorted(p for p in without if first <= p <= last):
            if low < point:
                parts.append(_span(low, point - 1))
            low = point + 1
        if low <= last:
            parts.append(_span(low, last))
    return "".join(parts)


def _span(first: int, last: int) -> str:
    return _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"


def hidden_class(without: frozenset[int] = frozenset()) -> str:
    return char_class(((row.first, row.last) for row in tables().hidden), without)


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
        for match in self.pattern.finditer(text):
            start, end = match.span()
            line += text.count("\n", counted, start)
            counted = start
            line_start = text.rfind("\n", 0, start) + 1
            for first, last, code in _runs(text, start, end, file_start):
                hit = self._hit(text, first, last, code, line, first - line_start + 1, line_start)
                if hit is not None:
                    hits.append(hit)
        return hits

    def _hit(
        self, text: str, start: int, end: int, code: str, line: int, column: int, line_start: int
    ) -> Hit | None:
        run = text[start:end]
        points = tuple(map(ord, run))
        rows = [row_of(p) for p in points]
        severity = _strongest(r.severity for r in rows if r)
        instruction = _strongest(r.instruction_severity for r in rows if r)
        payload = None
        soft = False
        if code == "AC501":
            payload = "".join(chr(p - TAG_BASE) for p in points if 0xE0020 <= p <= 0xE007E)
        elif code == "AC502" and set(run) <= BIDI_MARKS:
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            soft = any(self._right_to_left.match(c) for c in (before, after) if c)
            if soft:
                severity = instruction = "warning"
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
            message=_message(code, points, payload, soft),
            payload=payload or None,
            snippet=snippet if len(snippet) <= SNIPPET_CHARS else None,
        )


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


_RANK = {"info": 0, "warning": 1, "error": 2}


def _strongest(levels: Iterable[str]) -> str:
    return max(levels, key=_RANK.__getitem__, default="warning")


def _selector_bytes(points: tuple[int, ...]) -> str:
    """Variation selectors as the bytes they encode: VS1-16 are 0-15, VS17-256 are 16-255."""
    data = bytes(p - 0xFE00 if p <= 0xFE0F else p - 0xE0100 + 16 for p in points)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        shown = " ".join(f"{b:02x}" for b in data[:PAYLOAD_BYTES])
        return f"bytes {shown}{' ...' if len(data) > PAYLOAD_BYTES else ''}"


def name(point: int) -> str:
    """A code point's name for messages: the Unicode name, a control's abbreviation, or its
    class in the table."""
    found = unicodedata.name(chr(point), "") or tables().control_names.get(point)
    if found:
        return found
    row = row_of(point)
    return f"unassigned {row.kind}" if row else "unnamed"


def describe(points: tuple[int, ...]) -> str:
    """The code points of a run, for people: each with its name when there are few."""
    distinct = list(dict.fromkeys(points))
    if len(distinct) > 3:
        return f"U+{min(distinct):04X}..U+{max(distinct):04X}, {len(distinct)} distinct"
    parts = []
    for point in distinct:
        count = points.count(point)
        parts.append(f"U+{point:04X} {name(point)}" + (f" x{count}" if count > 1 else ""))
    return ", ".join(parts)


def quote(text: str, limit: int = PAYLOAD_CHARS) -> str:
    """Decoded hidden text, escaped so the message itself hides nothing, and cut short."""
    from checker.domain.hiddentext.escape import visible

    shown = visible(text)
    if len(shown) > limit:
        shown = shown[:limit] + "..."
    return f'"{shown}"'


def _message(code: str, points: tuple[int, ...], payload: str | None, soft: bool) -> str:
    count = len(points)
    what = f"{count} {tables().nouns[code]}{'' if count == 1 else 's'} ({describe(points)})"
    if code == "AC501":
        return f"hidden text in {what}: {quote(payload)}" if payload else what
    if code == "AC502":
        if soft:
            return f"{what} beside right-to-left text"
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


# -- whole files -----------------------------------------------------------------------------


def wide_encoding(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) for UTF-16 or UTF-32 text that starts with a byte order mark."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def decode_wide(data: bytes) -> tuple[str, str] | None:
    """UTF-16 or UTF-32 text with a BOM, decoded (bad units become U+FFFD), and its codec."""
    wide = wide_encoding(data)
    if wide is None:
        return None
    encoding, skip = wide
    return data[skip:].decode(encoding, "replace"), encoding


def _utf8_sequences(first: int, last: int) -> Iterator[list[tuple[int, int]]]:
    """Byte ranges whose products are exactly the UTF-8 encodings of FIRST..LAST."""
    for low, high in ((0, 0x7F), (0x80, 0x7FF), (0x800, 0xFFFF), (0x10000, 0x10FFFF)):
        a, b = max(first, low), min(last, high)
        if a > b:
            continue
        if a <= 0xDFFF and b >= 0xD800:  # surrogates have no UTF-8 form
            if a < 0xD800:
                yield from _split_sequences(a, 0xD7FF)
            if b > 0xDFFF:
                yield from _split_sequences(0xE000, b)
            continue
        yield from _split_sequences(a, b)


def _split_sequences(first: int, last: int) -> Iterator[list[tuple[int, int]]]:
    size = len(chr(first).encode("utf-8"))
    for i in range(1, size):
        mask = (1 << (6 * i)) - 1
        if first & ~mask != last & ~mask:
            if first & mask:
                yield from _split_sequences(first, first | mask)
                yield from _split_sequences((first | mask) + 1, last)
                return
            if last & mask != mask:
                yield from _split_sequences(first, (last & ~mask) - 1)
                yield from _split_sequences(last & ~mask, last)
                return
    low, high = chr(first).encode("utf-8"), chr(last).encode("utf-8")
    yield list(zip(low, high, strict=True))


@functools.cache
def byte_prefilter() -> re.Pattern[bytes]:
    """Matches the UTF-8 encoding of any hidden character, in bytes that were never decoded."""
    alternatives = []
    for row in tables().hidden:
        for sequence in _utf8_sequences(row.first, row.last):
            alternatives.append(
                "".join(
                    f"\\x{a:02x}" if a == b else f"[\\x{a:02x}-\\x{b:02x}]" for a, b in sequence
                )
            )
    return re.compile("|".join(alternatives).encode("ascii"))


def scan_bytes(data: bytes, allow: frozenset[int] = frozenset()) -> Scan:
    """A whole file. UTF-8 unless it starts with a UTF-16/32 byte order mark; other data with
    a NUL byte is binary and skipped. Invalid UTF-8 is read with U+FFFD and reported once, as
    an AC505 hit at the first bad byte."""
    wide = decode_wide(data)
    if wide is not None:
        text, encoding = wide
        return Scan(scan_text(text, allow, file_start=False), encoding)
    if b"\0" in data[:8000]:
        return Scan([], "binary")
    return Scan(_scan_utf8(data, scanner(allow)), "utf-8")


def _scan_utf8(data: bytes, found: Scanner) -> list[Hit]:
    if not _heavy(data[:SAMPLE]):
        # Deleting plain ASCII keeps every multi-byte sequence whole, so what is left holds
        # every hidden character there is, and the line feeds that number the lines: mostly
        # ASCII text needs no decoding at all, but for the few lines that hold a candidate.
        rest = data.translate(None, _PLAIN_BYTES)
        breaks = rest.count(b"\n")
        if len(rest) == breaks:
            return []
        if not _heavy(rest, breaks, len(data)):
            hits = _scan_lines(data, rest, True, found)
            if hits is not None:
                return hits
    return _scan_chunks(data, found)


def _scan_chunks(data: bytes, found: Scanner) -> list[Hit]:
    hits: list[Hit] = []
    bad: Hit | None = None
    line = 1  # the number of the chunk's first line
    pos, size = 0, len(data)
    while pos < size:
        cut = data.find(b"\n", pos + CHUNK)
        end = size if cut < 0 else cut + 1
        chunk = data[pos:end]
        if _heavy(chunk[:SAMPLE]):  # no use deleting ASCII from text that has little
            rest, breaks = chunk, chunk.count(b"\n")
        else:
            rest = chunk.translate(None, _PLAIN_BYTES)
            breaks = rest.count(b"\n")
        if len(rest) > breaks:
            light = rest is not chunk and not _heavy(rest, breaks, len(chunk))
            found_here = _scan_lines(chunk, rest, pos == 0, found) if light else None
            if found_here is None:
                try:
                    text = chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    text = chunk.decode("utf-8", "replace")
                    if bad is None:
                        bad = _undecodable(chunk, exc.start, line)
                found_here = found.scan(text, 1, file_start=pos == 0)
            hits.extend(h._replace(line=h.line + line - 1) for h in found_here)
        line += breaks
        pos = end
    if bad is not None:
        hits.append(bad)
        hits.sort(key=lambda h: (h.line, h.column))
    return hits


def _scan_lines(data: bytes, rest: bytes, file_start: bool, found: Scanner) -> list[Hit] | None:
    """Mostly ASCII: decode and scan only the lines that hold a candidate byte sequence. REST
    is DATA without its plain ASCII; its line feeds number the lines. None when DATA is not
    valid UTF-8: all of it must be decoded to say where."""
    if not _valid_utf8(rest):
        return None
    by_lead: dict[bytes, set[bytes]] = {}
    for match in byte_prefilter().finditer(rest.translate(None, b"\n")):
        by_lead.setdefault(match.group()[:1], set()).add(match.group())
    numbers: dict[int, int] = {}  # where a candidate line starts in DATA -> its number
    for lead, found_sequences in by_lead.items():
        sequences = tuple(found_sequences)
        line, counted = 1, 0
        # The k-th candidate in DATA is the k-th in REST: valid UTF-8 cannot fake one.
        pairs = itertools.zip_longest(
            _find_all(data, lead, sequences), _find_all(rest, lead, sequences)
        )
        for at, kept in pairs:
            if at is None or kept is None:
                return None  # plain bytes split a multi-byte sequence: not valid UTF-8
            line += rest.count(b"\n", counted, kept)
            counted = kept
            numbers[data.rfind(b"\n", 0, at) + 1] = line
    hits: list[Hit] = []
    for start, line in sorted(numbers.items()):
        end = data.find(b"\n", start)
        try:
            text = data[start : len(data) if end < 0 else end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        hits.extend(found.scan(text, line, file_start=file_start and start == 0))
    return hits


def _find_all(data: bytes, lead: bytes, sequences: tuple[bytes, ...]) -> Iterator[int]:
    """Where any of SEQUENCES (which all start with the byte LEAD) starts in DATA."""
    # Searching for one byte is a memchr; a longer needle is several times slower.
    at = data.find(lead)
    while at >= 0:
        if data.startswith(sequences, at):
            yield at
        at = data.find(lead, at + 1)


def _heavy(sample: bytes, breaks: int | None = None, size: int | None = None) -> bool:
    """Whether more than an eighth of some text is not plain ASCII. With BREAKS and SIZE,
    SAMPLE is what deleting plain ASCII left of SIZE bytes, line feeds included."""
    if breaks is None or size is None:
        rest = sample.translate(None, _PLAIN_BYTES)
        breaks, size = rest.count(b"\n"), len(sample)
        sample = rest
    return (len(sample) - breaks) * 8 >= size


def _valid_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _undecodable(chunk: bytes, offset: int, first_line: int) -> Hit:
    line_start = chunk.rfind(b"\n", 0, offset) + 1
    column = len(chunk[line_start:offset].decode("utf-8", "replace")) + 1
    line_end = chunk.find(b"\n", offset)
    snippet = chunk[line_start : len(chunk) if line_end < 0 else line_end].decode(
        "utf-8", "replace"
    )
    return undecodable_hit(
        first_line + chunk.count(b"\n", 0, offset),
        column,
        f"the file is not valid UTF-8 (byte 0x{chunk[offset]:02X} here cannot be decoded); it "
        "was read with U+FFFD in place of the bad bytes and the rest was checked",
        snippet.removesuffix("\r") if len(snippet) <= SNIPPET_CHARS else None,
    )


def undecodable_hit(line: int, column: int, message: str, snippet: str | None = None) -> Hit:
    """The AC505 note for text that is not valid UTF-8."""
    return Hit("AC505", line, column, (), "warning", "error", message, None, snippet)
