"""Gitignore-style path patterns (`**` crosses directories, `!` re-includes).

pathspec translates each pattern with git's own rules; the patterns of one list are then joined
into a single regular expression so a 100,000-file change is matched in one pass per list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern


class BadGlob(ValueError):
    """A pattern that git's rules reject or that can match nothing."""


def _translate(pattern: str) -> tuple[str, bool]:
    if not pattern.strip():
        raise BadGlob("an empty pattern matches nothing")
    if pattern.startswith("#"):
        raise BadGlob("a pattern starting with '#' is a comment in gitignore syntax")
    try:
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    except Exception as exc:  # pathspec's own error type changed between releases
        raise BadGlob(str(exc)) from None
    if regex is None or include is None:
        raise BadGlob("it is not a valid gitignore pattern (check '[' brackets)")
    # Group names repeat across patterns; the joined expression needs them anonymous.
    return regex.replace("(?P<ps_d>", "(?:"), include


class Globs:
    """A list of patterns; a path matches when the last pattern that matches it includes it."""

    __slots__ = ("_each", "_negated", "_ordered", "_simple", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        compiled = [(_translate(p), p) for p in self.patterns]
        self._negated = any(not include for (_, include), _ in compiled)
        self._simple: re.Pattern[str] | None = None
        self._ordered: list[tuple[re.Pattern[str], bool]] = []
        self._each: list[tuple[re.Pattern[str], str]] | None = None
        if self._negated:
            self._ordered = [(re.compile(rx), inc) for (rx, inc), _ in compiled]
        elif compiled:
            self._simple = re.compile("|".join(f"(?:{rx})" for (rx, _), _ in compiled))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __add__(self, other: Globs) -> Globs:
        return Globs(self.patterns + other.patterns)

    def match(self, path: str) -> bool:
        if self._simple is not None:
            return self._simple.match(path) is not None
        result = False
        for regex, include in self._ordered:
            if regex.match(path):
                result = include
        return result

    def first_match(self, path: str) -> str | None:
        """The pattern that decides PATH, for messages ("matches 'deploy/**'"); None when the
        path does not match."""
        if not self.match(path):
            return None
        if self._each is None:
            self._each = [
                (re.compile(_translate(p)[0]), p) for p in self.patterns if not p.startswith("!")
            ]
        return next((p for regex, p in reversed(self._each) if regex.match(path)), None)


def check_pattern(pattern: str) -> str | None:
    """Why PATTERN is bad, or None when it is a valid gitignore-style pattern."""
    try:
        _translate(pattern)
    except BadGlob as exc:
        return str(exc)
    return None
