"""Source tokens from pygments lexers, with comments and white space dropped and each string
literal joined into one token, so comments and strings never produce imports."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import NamedTuple

from pygments.lexer import Lexer
from pygments.token import Comment, String, Whitespace, _TokenType


def within(kind: _TokenType, group: _TokenType) -> bool:
    """True when KIND is GROUP or a subtype of it (String.Double within String)."""
    return kind[: len(group)] == group


class Token(NamedTuple):
    kind: _TokenType
    value: str
    line: int
    column: int

    @property
    def is_string(self) -> bool:
        return within(self.kind, String)

    def literal(self) -> str | None:
        """The text of a plain string literal ('x', "x", `x` with no substitution)."""
        if not self.is_string or len(self.value) < 2:
            return None
        quote = self.value[0]
        if quote not in "'\"`" or self.value[-1] != quote:
            return None
        body = self.value[1:-1]
        if quote == "`" and "${" in body:
            return None
        return body.replace("\\" + quote, quote).replace("\\\\", "\\")


def significant(lexer: Lexer, text: str, numbers: Sequence[int] = ()) -> list[Token]:
    """The tokens of TEXT that carry meaning. NUMBERS gives each line of TEXT its number in the
    file when TEXT is a run of loose lines (a patch's added lines); empty when TEXT is a file."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    found: list[Token] = []
    joining = False
    for offset, kind, value in lexer.get_tokens_unprocessed(text):
        if within(kind, Comment) or within(kind, Whitespace) or not value.strip():
            joining = False
            continue
        if within(kind, String) and joining and found:
            last = found[-1]
            found[-1] = last._replace(value=last.value + value)
            continue
        row = bisect.bisect_right(starts, offset) - 1
        line, column = row + 1, offset - starts[row] + 1
        if numbers:
            line = numbers[min(row, len(numbers) - 1)]
        found.append(Token(kind, value, line, column))
        joining = within(kind, String)
    return found


def runs(lines: Sequence[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Loose lines split into runs of consecutive line numbers."""
    groups: list[list[tuple[int, str]]] = []
    for number, text in lines:
        if groups and groups[-1][-1][0] + 1 == number:
            groups[-1].append((number, text))
        else:
            groups.append([(number, text)])
    return groups
