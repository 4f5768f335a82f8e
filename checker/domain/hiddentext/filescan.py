"""Whole files as bytes: UTF-8, or UTF-16/UTF-32 with a byte order mark; binary data skipped.
Mostly-ASCII text takes a fast path that decodes only the lines holding a candidate byte
sequence; the rest is decoded in chunks and handed to the text scanner."""

from __future__ import annotations

import codecs
import functools
import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple

from checker.domain.hiddentext.scanner import (
    PLAIN_BYTES,
    SNIPPET_CHARS,
    Hit,
    Scanner,
    scan_text,
    scanner,
    undecodable_hit,
)
from checker.domain.hiddentext.table import tables

CHUNK = 1 << 18  # bytes scanned at a time; decoding small chunks keeps strings narrow
SAMPLE = 4096  # bytes of a chunk that tell whether it is mostly plain ASCII
# Byte order marks of the wide encodings; UTF-32's little-endian mark begins with UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Scan(NamedTuple):
    """A whole file's hits, and how it was read."""

    hits: list[Hit]
    encoding: str  # "utf-8", "utf-16-le", ...; "binary" when skipped


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
        rest = data.translate(None, PLAIN_BYTES)
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
            rest = chunk.translate(None, PLAIN_BYTES)
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
        rest = sample.translate(None, PLAIN_BYTES)
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
