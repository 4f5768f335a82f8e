"""Making text safe to print: invisible and control characters become visible <U+XXXX>, so a
report about hidden text can never carry hidden text itself."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Not format characters by category, yet shown as nothing: variation selectors, the combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels, and spaces other than U+0020.
_INVISIBLE_POINTS = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0\ufe00-\ufe0f"
    "\U000e0100-\U000e01ef\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)


def _needs_escape(char: str) -> bool:
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or _INVISIBLE_POINTS.match(char) is not None
        or _hidden(char)
    )


def _hidden(char: str) -> bool:
    """Every character the hidden-Unicode rules report (rules/unicode.toml), whatever the
    category this Python's Unicode version gives it."""
    from checker.domain.hiddentext.table import row_of

    return row_of(ord(char)) is not None


def visible(text: str, keep_tabs: bool = False) -> str:
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        printable = char.isascii() and char.isprintable()
        if (char == "\t" and keep_tabs) or printable or not _needs_escape(char):
            out.append(char)
        else:
            out.append(f"<U+{ord(char):04X}>")
    return "".join(out)
