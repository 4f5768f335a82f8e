"""The policy: agentcheck.toml, or [tool.agentcheck] in pyproject.toml, or built-in defaults."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.config import catalog
from checker.config.globs import Globs
from checker.config.schema import (
    Document,
    Entries,
    EntryError,
    boolean,
    globs,
    one_of,
    positive_int,
    positive_number,
    strings,
    validate,
)
from checker.config.tomlfile import key_line, parse_toml
from checker.model.errors import FatalError

POLICY_FILE = "agentcheck.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_MAX_LINES = 1000
DEFAULT_MAX_FILES = 50
DEFAULT_RATIO = 3.0


def _codepoints(value: Any) -> frozenset[int]:
    found: set[int] = set()
    for item in strings(value):
        found.update(_codepoint_range(item))
    return frozenset(found)


def _codepoint_range(item: str) -> range:
    """ "U+200E", or a range such as "U+FE00..U+FE0F"."""
    first, dots, last = item.partition("..")
    points = []
    for text in (first, last) if dots else (first,):
        try:
            point = int(text.strip().upper().removeprefix("U+"), 16)
        except ValueError:
            raise ValueError(
                f'{item!r} is not a code point: write it as "U+200E" or "U+FE00..U+FE0F"'
            ) from None
        if not 0 <= point <= 0x10FFFF:
            raise ValueError(f"{item!r} is beyond U+10FFFF")
        points.append(point)
    if points[-1] < points[0]:
        raise ValueError(f"{item!r}: the range ends before it starts")
    return range(points[0], points[-1] + 1)


UNICODE_CODES = ("AC501", "AC502", "AC503", "AC504", "AC505")


def _unicode_path_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One [[unicode.paths]] entry: `paths` (globs) and what to `allow` there: code points,
    ranges or whole rules; as {"paths", "points", "codes"}."""
    for key in entry:
        if key not in ("paths", "allow"):
            raise EntryError(key, "unknown key; an entry has `paths` and `allow`")
    for key in ("paths", "allow"):
        if key not in entry:
            raise EntryError(
                None,
                f"`{key}` is missing; an entry has `paths` (globs) and `allow` (code points such "
                'as "U+200C", ranges such as "U+FE00..U+FE0F", or codes AC501-AC505)',
            )
    try:
        patterns = globs(entry["paths"])
    except ValueError as exc:
        raise EntryError("paths", str(exc)) from None
    try:
        allowed = strings(entry["allow"])
        codes = frozenset(a.upper() for a in allowed if a.upper() in UNICODE_CODES)
        points = frozenset(
            p for a in allowed if a.upper() not in UNICODE_CODES for p in _codepoint_range(a)
        )
    except ValueError as exc:
        raise EntryError("allow", f"{exc}, or a code AC501-AC505") from None
    return {"paths": patterns, "points": points, "codes": codes}


def _severities(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table of CODE = "error" | "warning" | "info" | "off"')
    known = catalog.all_rules()
    for code, level in value.items():
        if not any(c.startswith(code) for c in known) or not code:
            raise ValueError(f"unknown rule code {code!r}; `agentcheck rules` lists the codes")
        if level not in ("error", "warning", "info", "off"):
            raise ValueError(
                f'{code} = {level!r}: the severity must be "error", "warning", "info" or "off"'
            )
    return dict(value)


def _contracts_from(value: Any) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else strings(value)
    for name in names:
        if name not in ("importlinter", "tach", "none"):
            raise ValueError(
                f'{name!r} is not a source of contracts: use "importlinter", "tach" or "none"'
            )
    return names


# The import contracts' checks load the contract modules; a policy without [imports] keys
# (every commit of a repository that has no contracts) never needs them.
def _import_roots(value: Any) -> tuple[str, ...]:
    from checker.domain.importgraph import settings

    return settings.roots(value)


def _import_contract(entry: dict[str, Any]) -> dict[str, Any]:
    from checker.domain.importgraph import settings

    return settings.check_contract(entry)


# Other capabilities add their keys here (imports, unicode) as they are built.
SCHEMA: dict[str, Any] = {
    "fail-on": one_of("error", "warning", "never"),
    "exclude": globs,
    "require-task": boolean,
    "instruction-files": globs,
    "size": {
        "max-lines": positive_int,
        "max-files": positive_int,
        "ratio": positive_number,
        "ignore": globs,
    },
    "paths": {"protected": globs},
    "unicode": {
        "allow": _codepoints,
        "scan": one_of("all", "instruction-files"),
        "paths": Entries(_unicode_path_entry),
    },
    "imports": {
        "roots": _import_roots,
        "contracts-from": _contracts_from,
        "type-checking-imports": boolean,
        "contracts": Entries(_import_contract),
    },
    "severity": _severities,
}


@dataclasses.dataclass(frozen=True)
class Policy:
    source: str  # where it was read, for messages: "agentcheck.toml", "built-in defaults"
    path: str | None  # the repository-relative file it came from, when in the repository
    values: dict[str, Any]  # the validated document, keyed as written
    document: Document | None

    def get(self, *keys: str, default: Any = None) -> Any:
        value: Any = self.values
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    @property
    def fail_on(self) -> str:
        return str(self.get("fail-on", default="error"))

    @property
    def require_task(self) -> bool:
        return bool(self.get("require-task", default=False))

    @property
    def max_lines(self) -> int:
        return int(self.get("size", "max-lines", default=DEFAULT_MAX_LINES))

    @property
    def max_files(self) -> int:
        return int(self.get("size", "max-files", default=DEFAULT_MAX_FILES))

    @property
    def ratio(self) -> float:
        return float(self.get("size", "ratio", default=DEFAULT_RATIO))

    @property
    def severity(self) -> dict[str, str]:
        return dict(self.get("severity", default={}))

    @functools.cached_property
    def exclude(self) -> Globs:
        return Globs(self.get("exclude", default=()))

    @functools.cached_property
    def instruction_files(self) -> Globs:
        return Globs(
            catalog.string_list("instructions", "instruction-files.globs")
            + tuple(self.get("instruction-files", default=()))
        )

    @functools.cached_property
    def protected(self) -> Globs:
        built_in = catalog.table("paths")
        presets: tuple[str, ...] = ()
        for group in built_in["protected"].values():
            presets += tuple(group)
        presets += tuple(built_in["lockfiles"]["globs"])
        return Globs(presets + tuple(self.get("paths", "protected", default=())))

    @functools.cached_property
    def not_counted(self) -> Globs:
        """Paths left out of size counts: lockfiles, generated, vendored, size.ignore."""
        built_in = catalog.table("paths")
        return Globs(
            tuple(built_in["lockfiles"]["globs"])
            + tuple(built_in["generated"]["globs"])
            + tuple(built_in["generated"]["vendored"])
            + tuple(self.get("size", "ignore", default=()))
        )

    def line_of(self, *keys: str) -> int | None:
        """The line of a key in the policy file, for findings that point at a limit."""
        if self.document is None:
            return None
        return key_line(self.document.text, (*self.document.prefix, *keys[:-1]), keys[-1])


def defaults() -> Policy:
    return Policy("built-in defaults", None, {}, None)


def from_text(text: str, label: str, path: str | None, pyproject: bool) -> Policy | None:
    """A policy from a file's text; None for a pyproject.toml without [tool.agentcheck]."""
    data = parse_toml(text, label)
    prefix: tuple[str, ...] = ()
    if pyproject:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "agentcheck" not in tool:
            return None
        data = tool["agentcheck"]
        prefix = ("tool", "agentcheck")
        label = f"{label} [tool.agentcheck]"
        if not isinstance(data, dict):
            raise FatalError(f"{label}: must be a table.")
    document = Document(label, text, data, prefix)
    values = validate(document, SCHEMA, data)
    return Policy(label, path, values, document)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise FatalError(f"{path}: not UTF-8; policy files must be UTF-8.") from None
    except OSError as exc:
        raise FatalError(f"{path}: cannot be read: {exc.strerror}.") from None


def load(
    root: Path,
    config: str | None,
    read_at_rev: Callable[[str], str | None] | None = None,
    rev_label: str = "",
) -> Policy:
    """The policy in force: --config FILE, else agentcheck.toml, else [tool.agentcheck] in
    pyproject.toml, else built-in defaults. With READ_AT_REV, files come from a revision."""
    if read_at_rev is not None:
        suffix = f" (at {rev_label})"
        if config is not None:
            text = read_at_rev(config)
            if text is None:
                raise FatalError(
                    f"--config {config}: no such file at {rev_label}. Name a file "
                    "that exists in that revision, or drop --policy-from."
                )
            return from_text(
                text, config + suffix, config, config.endswith(PYPROJECT)
            ) or _no_table(config + suffix)
        text = read_at_rev(POLICY_FILE)
        if text is not None:
            return from_text(text, POLICY_FILE + suffix, POLICY_FILE, False)  # type: ignore[return-value]
        text = read_at_rev(PYPROJECT)
        if text is not None:
            found = from_text(text, PYPROJECT + suffix, PYPROJECT, True)
            if found is not None:
                return found
        return defaults()
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise FatalError(
                f"--config {config}: no such file. Pass the path of an "
                "agentcheck.toml (or a pyproject.toml with [tool.agentcheck])."
            )
        rel = _relative(root, path)
        return from_text(_read(path), config, rel, path.name == PYPROJECT) or _no_table(config)
    candidate = root / POLICY_FILE
    if candidate.is_file():
        return from_text(_read(candidate), POLICY_FILE, POLICY_FILE, False)  # type: ignore[return-value]
    candidate = root / PYPROJECT
    if candidate.is_file():
        found = from_text(_read(candidate), PYPROJECT, PYPROJECT, True)
        if found is not None:
            return found
    return defaults()


def _no_table(label: str) -> Policy:
    raise FatalError(
        f"{label}: has no [tool.agentcheck] table. Add one, or pass an agentcheck.toml."
    )


def _relative(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
