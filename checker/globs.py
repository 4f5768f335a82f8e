"""Gitignore-style path patterns (`**` crosses directories, `!` re-includes).

pathspec translates each pattern with git's own rules; the patterns of one list are then joined
into a single regular expression so a 100,000-file change is matched in one pass per list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

_PLAIN = re.compile(r"^(?:\*\*/)?[A-Za-z0-9_.@+=,-]+$")


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
    """A list of patterns; a path matches as git would decide for a .gitignore of them."""

    __slots__ = ("_each", "_floating", "_names", "_negated", "_simple", "_spec", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        compiled = [(_translate(p), p) for p in self.patterns]
        self._negated = any(not include for (_, include), _ in compiled)
        self._spec: Any = None
        self._each: list[tuple[re.Pattern[str], str]] | None = None
        if self._negated:
            # Re-inclusion follows git's precedence rules; pathspec implements them exactly.
            from pathspec import GitIgnoreSpec

            self._spec = GitIgnoreSpec.from_lines(self.patterns)
        positive = [(rx, p) for (rx, include), p in compiled if include]
        # A bare name ("CODEOWNERS", "**/yarn.lock") matches any path with a component of that
        # name; a set lookup spares compiling a regular expression for each of them.
        self._names = frozenset(p.removeprefix("**/") for _, p in positive if _PLAIN.match(p))
        rest = [rx for rx, p in positive if not _PLAIN.match(p)]
        # pathspec's expressions are searched; most start with "^" and are matched at once,
        # the few that do not ("*/") are searched.
        anchored = [rx for rx in rest if rx.startswith("^")]
        floating = [rx for rx in rest if not rx.startswith("^")]
        self._simple = re.compile("|".join(f"(?:{rx})" for rx in anchored)) if anchored else None
        self._floating = re.compile("|".join(f"(?:{rx})" for rx in floating)) if floating else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __add__(self, other: Globs) -> Globs:
        return Globs(self.patterns + other.patterns)

    def _any_positive(self, path: str) -> bool:
        if self._names and not self._names.isdisjoint(path.split("/")):
            return True
        if self._simple is not None and self._simple.match(path) is not None:
            return True
        return self._floating is not None and self._floating.search(path) is not None

    def match(self, path: str) -> bool:
        if not self._any_positive(path):
            return False  # most paths match no pattern at all: decided without pathspec
        return self._spec is None or bool(self._spec.match_file(path))

    def first_match(self, path: str) -> str | None:
        """The pattern that decides PATH, for messages ("matches 'deploy/**'"); None when the
        path does not match."""
        if not self.match(path):
            return None
        if self._each is None:
            self._each = [
                (re.compile(_translate(p)[0]), p) for p in self.patterns if not p.startswith("!")
            ]
        return next((p for regex, p in reversed(self._each) if regex.search(path)), None)


def check_pattern(pattern: str) -> str | None:
    """Why PATTERN is bad, or None when it is a valid gitignore-style pattern."""
    try:
        _translate(pattern)
    except BadGlob as exc:
        return str(exc)
    return None
