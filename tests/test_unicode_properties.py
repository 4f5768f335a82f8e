"""Properties of the hidden-Unicode scanner: legitimate emoji, flags and scripts never yield a
finding, and a hidden character put anywhere else is found at its exact line and column.

The default suite runs a few dozen examples; the slow runs (pytest -m slow) many more."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.domain.hiddentext import table
from checker.domain.hiddentext.filescan import scan_bytes
from checker.domain.hiddentext.scanner import scan_text
from tests import examples

FAST = examples.fast()
SLOW = examples.slow()

ZWJ = "\u200d"
ZWNJ = "\u200c"
PICTOGRAPHS = [
    chr(p)
    for p in (
        0x1F600,
        0x1F468,
        0x1F469,
        0x1F467,
        0x1F466,
        0x1F9D1,
        0x1F4BB,
        0x1F525,
        0x1F308,
        0x1F3F3,
        0x2764,
        0x2642,
        0x2640,
        0x1F91D,
        0x1F9B0,
        0x1F680,
        0x2695,
        0x1FAE0,
        0x26A7,
        0x1F441,
        0x1F5E8,
    )
]
MODIFIERS = [chr(p) for p in range(0x1F3FB, 0x1F400)]
PERSIAN = "\u0627\u0628\u067e\u062a\u062b\u062c\u0686\u062d\u062e\u062f\u0631\u0632\u0698\u0633\u0634\u06a9\u06af\u0644\u0645\u0646\u0648\u0647\u06cc"  # noqa: E501
DEVANAGARI = "\u0915\u0916\u0917\u0918\u091a\u091c\u091f\u0921\u0924\u0926\u0928\u092a\u092c\u092e\u092f\u0930\u0932\u0935\u0936\u0937\u0938\u0939"  # noqa: E501
VIRAMA = "\u094d"
HEBREW = "\u05d0\u05d1\u05d2\u05d3\u05d4\u05d5\u05d6\u05d7\u05d8\u05d9\u05db\u05dc\u05de\u05e0"
CJK = "\u4e00\u4e2d\u6587\u5b57\u8449\u845b\u9f8d\u6f22"
MONGOLIAN = "".join(chr(p) for p in range(0x1820, 0x1843))
FLAG_LETTERS = "abcdefghijklmnopqrstuvwxyz"
FLAG_TAIL = FLAG_LETTERS + "0123456789"


def _visible(char: str) -> bool:
    return table.row_of(ord(char)) is None and char not in "\n\r"


@st.composite
def emoji_sequence(draw: Any) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        part = draw(st.sampled_from(PICTOGRAPHS))
        part += draw(st.sampled_from(["", "\ufe0f", *MODIFIERS]))
        parts.append(part)
    return ZWJ.join(parts)


@st.composite
def flag(draw: Any) -> str:
    region = draw(st.text(FLAG_LETTERS, min_size=2, max_size=2))
    rest = draw(st.text(FLAG_TAIL, max_size=4))
    return "\U0001f3f4" + "".join(chr(0xE0000 + ord(c)) for c in region + rest) + "\U000e007f"


@st.composite
def joined_word(draw: Any) -> str:
    """Letters of a script that uses ZWNJ/ZWJ, with joiners between some of them."""
    script = draw(st.sampled_from(["persian", "devanagari"]))
    letters = PERSIAN if script == "persian" else DEVANAGARI
    word: str = draw(st.sampled_from(letters))
    for _ in range(draw(st.integers(1, 5))):
        glue = draw(
            st.sampled_from(["", ZWNJ, ZWJ] + ([VIRAMA + ZWJ, VIRAMA] * (script == "devanagari")))
        )
        word += glue + draw(st.sampled_from(letters))
    return word


TOKENS = st.one_of(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=8),
    emoji_sequence(),
    st.sampled_from(["\u2764\ufe0f", "\u263a\ufe0e", "1\ufe0f\u20e3", "#\ufe0f\u20e3"]),
    flag(),
    joined_word(),
    st.text(st.sampled_from(HEBREW), min_size=1, max_size=6),
    st.builds(str.__add__, st.sampled_from(CJK), st.sampled_from(["", "\U000e0100", "\ufe00"])),
    st.builds(str.__add__, st.sampled_from(MONGOLIAN), st.sampled_from(["", "\u180b"])),
    st.text(st.characters(blacklist_categories=["Cs"]).filter(_visible), min_size=1, max_size=6),
)
# Each line is a list of tokens, joined by single spaces.
LINES = st.lists(st.lists(TOKENS, min_size=1, max_size=8), min_size=1, max_size=6)
# The slow runs make 10,000 shorter texts: drawing tokens is most of their time.
SHORT_LINES = st.lists(st.lists(TOKENS, min_size=1, max_size=4), min_size=1, max_size=3)
HIDDEN = st.sampled_from(
    sorted(
        {
            p
            for row in table.tables().hidden
            for p in (row.first, row.last, (row.first + row.last) // 2)
        }
    )
).map(chr)


def _text(lines: list[list[str]]) -> str:
    return "".join(" ".join(tokens) + "\n" for tokens in lines)


def _legitimate_text_yields_nothing(lines: list[list[str]]) -> None:
    text = _text(lines)
    assert scan_text(text) == []
    assert scan_bytes(text.encode()).hits == []


BIDI_MARKS = ("\u200e", "\u200f", "\u061c")


def _right_to_left(char: str) -> bool:
    return char.isalpha() and unicodedata.bidirectional(char) in ("R", "AL")


def _in_right_to_left_text(line: str, at: int) -> bool:
    """An oracle for a mark at LINE[AT], from Python's own Unicode database: the nearest letter
    on either side is right-to-left, or most of the line's letters outside code spans are."""
    left = next((c for c in reversed(line[:at]) if c.isalpha()), "")
    right = next((c for c in line[at + 1 :] if c.isalpha()), "")
    if _right_to_left(left) or _right_to_left(right):
        return True
    prose = re.sub("`[^`]*`", "", line)  # code spans do not count
    letters = [c for c in prose if c.isalpha()]
    return 2 * sum(map(_right_to_left, letters)) > len(letters)


def _hidden_character_is_found_where_it_was_put(lines: list[list[str]], data: Any) -> None:
    hidden = data.draw(HIDDEN, label="hidden")
    row = data.draw(st.integers(0, len(lines) - 1), label="row")
    tokens = lines[row]
    # At the start of a line but the first, or after a space: never a legitimate context.
    at = data.draw(st.integers(1 if row == 0 else 0, len(tokens)), label="before token")
    before = " ".join(tokens[:at]) + (" " if at else "")
    line = before + hidden + " ".join(tokens[at:])
    text = _text(lines[:row]) + line + "\n" + _text(lines[row + 1 :])
    if hidden in BIDI_MARKS and _in_right_to_left_text(line, len(before)):
        # A mark in right-to-left text is legitimate (see the scanner's tests for the shapes).
        assert [h for h in scan_text(text) if h.code == "AC502"] == []
        return
    hits = scan_text(text)
    assert [(h.line, h.column) for h in hits] == [(row + 1, len(before) + 1)], (ascii(text), hits)
    assert ord(hidden) in hits[0].points
    if hidden != "\x00":  # a file with a NUL byte is binary, and skipped
        assert [(h.code, h.line, h.column) for h in scan_bytes(text.encode()).hits] == [
            (h.code, h.line, h.column) for h in hits
        ]


@FAST
@given(LINES)
def test_legitimate_text_yields_nothing(lines: list[list[str]]) -> None:
    _legitimate_text_yields_nothing(lines)


@FAST
@given(LINES, st.data())
def test_hidden_character_is_found_where_it_was_put(lines: list[list[str]], data: Any) -> None:
    _hidden_character_is_found_where_it_was_put(lines, data)


@pytest.mark.slow
@SLOW
@given(SHORT_LINES)
def test_legitimate_text_yields_nothing_many(lines: list[list[str]]) -> None:
    _legitimate_text_yields_nothing(lines)


@pytest.mark.slow
@SLOW
@given(SHORT_LINES, st.data())
def test_hidden_character_is_found_where_it_was_put_many(lines: list[list[str]], data: Any) -> None:
    _hidden_character_is_found_where_it_was_put(lines, data)
