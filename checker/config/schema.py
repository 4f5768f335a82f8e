"""Validation of policy and task documents: every error names the file, the key and the line,
and says how to fix it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from checker.config.globs import check_pattern
from checker.config.tomlfile import entry_line, key_line
from checker.model.errors import FatalError

Validator = Callable[[Any], Any]  # returns the checked value or raises ValueError(why)
Schema = Mapping[str, "Validator | Entries | Schema"]


class Document:
    """A parsed TOML document and where it came from, for messages."""

    def __init__(self, label: str, text: str, data: dict[str, Any], prefix: tuple[str, ...] = ()):
        self.label = label  # e.g. "agentcheck.toml" or "pyproject.toml (at origin/main)"
        self.text = text
        self.data = data
        self.prefix = prefix  # ("tool", "agentcheck") when the keys live in pyproject.toml

    def error(self, table: tuple[str, ...], key: str | None, why: str) -> FatalError:
        full = (*self.prefix, *table)
        line = (
            key_line(self.text, full, key) if key is not None else key_line(self.text, full, None)
        )
        where = f"{self.label}:{line}" if line else self.label
        name = ".".join(p for p in (*table, key) if p) or "(top level)"
        return FatalError(f"{where}: {name}: {why}")

    def entry_error(
        self, table: tuple[str, ...], index: int, key: str | None, why: str
    ) -> FatalError:
        """An error in the INDEX-th (0-based) entry of the array of tables TABLE."""
        full = (*self.prefix, *table)
        line = entry_line(self.text, full, index, key) or key_line(
            self.text, full[:-1], full[-1]
        )
        where = f"{self.label}:{line}" if line else self.label
        name = f"{'.'.join(table)}[{index + 1}]" + (f".{key}" if key else "")
        return FatalError(f"{where}: {name}: {why}")


class EntryError(ValueError):
    """Raised by an Entries check: KEY (None for the entry as a whole) is wrong, and why."""

    def __init__(self, key: str | None, why: str) -> None:
        super().__init__(why)
        self.key = key
        self.why = why


class Entries:
    """An array of tables ([[a.b]] entries), each checked by CHECK, which returns the entry's
    converted value or raises EntryError naming the key at fault."""

    def __init__(self, check: Callable[[dict[str, Any]], Any]) -> None:
        self.check = check

    def validate(self, doc: Document, table: tuple[str, ...], value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            why = "must be an array of tables ([[...]] entries)."
            raise doc.error(table[:-1], table[-1], why)
        found = []
        for index, entry in enumerate(value):
            try:
                found.append(self.check(entry))
            except EntryError as exc:
                raise doc.entry_error(table, index, exc.key, f"{exc.why}.") from None
        return tuple(found)


def validate(
    doc: Document, schema: Schema, data: Mapping[str, Any], table: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Check DATA against SCHEMA; returns the converted values keyed as in the document."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        rule = schema.get(key)
        if rule is None:
            import difflib  # for the message only

            known = sorted(schema)
            near = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            where = f"[{'.'.join(table)}]" if table else "the top level"
            raise doc.error(
                table, key, f"unknown key in {where}.{hint} Known keys: {', '.join(known)}."
            )
        if isinstance(rule, Entries):
            out[key] = rule.validate(doc, (*table, key), value)
            continue
        if isinstance(rule, Mapping):
            if not isinstance(value, dict):
                raise doc.error(
                    table,
                    key,
                    f"must be a table ([{'.'.join((*table, key))}]), not {_kind(value)}.",
                )
            out[key] = validate(doc, rule, value, (*table, key))
            continue
        try:
            out[key] = rule(value)
        except ValueError as exc:
            raise doc.error(table, key, f"{exc}.") from None
    return out


def _kind(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def one_of(*choices: str) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"must be one of {', '.join(repr(c) for c in choices)}, not {value!r}")
        return value

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_kind(value)} {value!r}")
    return value


TOML_INT_MAX = 2**63 - 1  # TOML's integers are 64-bit; Python's reader accepts more


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= TOML_INT_MAX:
        raise ValueError(f"must be a whole number above 0, not {_short(value)}")
    return value


def positive_number(value: Any) -> float:
    # TOML has nan and inf; nan is not above 0 yet compares false with everything.
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and isinstance(value, int) and value > TOML_INT_MAX:
        number = False
    if not number or not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a number above 0, not {_short(value)}")
    return float(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:20] + "..."


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_kind(value)}")
    return value


def strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError(f'must be a list of strings: write ["{value}"]')
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(value)


def globs(value: Any) -> tuple[str, ...]:
    patterns = strings(value)
    for pattern in patterns:
        why = check_pattern(pattern)
        if why:
            raise ValueError(f"bad glob {pattern!r}: {why}")
    return patterns


def tables(value: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("must be an array of tables ([[...]] entries)")
    return tuple(value)
