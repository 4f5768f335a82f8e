"""The policy: agentcheck.toml, or [tool.agentcheck] in pyproject.toml, or built-in defaults.

This module owns the keys no single rule family owns (fail-on, exclude, instruction-files,
severity); each check family declares its own tables (checker/checks), and the caller passes
the whole schema in, so the policy is validated in one pass and every error names the file,
the key and the line."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from checker.config import catalog
from checker.config.globs import Globs
from checker.config.schema import (
    Document,
    Schema,
    globs,
    one_of,
    positive_int,
    text,
    validate,
)
from checker.config.tomlfile import key_line, parse_toml
from checker.model.authorship import ENFORCE
from checker.model.errors import FatalError

POLICY_FILE = "agentcheck.toml"
PYPROJECT = "pyproject.toml"
SEVERITY_LEVELS = ("error", "warning", "info", "off")


def _severities(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table of CODE = "error" | "warning" | "info" | "off"')
    known = catalog.all_rules()
    for code, level in value.items():
        if not any(c.startswith(code) for c in known) or not code:
            raise ValueError(f"unknown rule code {code!r}; `agentcheck rules` lists the codes")
        if level not in SEVERITY_LEVELS:
            raise ValueError(
                f'{code} = {level!r}: the severity must be "error", "warning", "info" or "off"'
            )
    return dict(value)


def _revision(value: Any) -> str:
    found = text(value).strip()
    if not found or found.startswith("-") or any(c.isspace() for c in found):
        raise ValueError(f'{value!r} is not a revision: name a branch, tag or commit, e.g. "main"')
    return found


# The keys of the policy's top level that belong to no rule family.
CORE_SCHEMA: dict[str, Any] = {
    "fail-on": one_of("error", "warning", "never"),
    "exclude": globs,
    "instruction-files": globs,
    "severity": _severities,
    "enforce": one_of(*ENFORCE),
    "agents": {"fail-on": one_of("error", "warning", "never")},
    "hooks": {
        "base": _revision,
        "fail-on": one_of("error", "warning", "never"),
        "max-blocks": positive_int,
    },
}
DEFAULT_MAX_BLOCKS = 2


@dataclasses.dataclass(frozen=True)
class HookSettings:
    """[hooks]: how `agentcheck hook` judges an agent's turn."""

    base: str | None  # what the agent's change is compared with; None: found from the remote
    fail_on: str  # a block costs the agent a turn, not a person: warnings block by default
    max_blocks: int  # blocks in a row for the same findings before the agent may stop


def full_schema(*fragments: Schema) -> dict[str, Any]:
    """The core keys and each family's fragment, as one schema: a table two fragments both
    declare has the keys of both."""
    schema: dict[str, Any] = dict(CORE_SCHEMA)
    for fragment in fragments:
        for key, rule in fragment.items():
            held = schema.get(key)
            if isinstance(held, Mapping) and isinstance(rule, Mapping):
                schema[key] = {**held, **rule}
            elif held is not None:
                raise ValueError(f"two schema fragments declare the policy key {key!r}")
            else:
                schema[key] = rule
    return schema


@dataclasses.dataclass(frozen=True)
class Policy:
    source: str  # where it was read, for messages: "agentcheck.toml", "built-in defaults"
    path: str | None  # the repository-relative file it came from, when in the repository
    values: dict[str, Any]  # the validated document, keyed as written
    document: Document | None

    def table(self, name: str) -> dict[str, Any]:
        """A validated table of the policy ({} when absent), for a family's settings."""
        value = self.values.get(name, {})
        return value if isinstance(value, dict) else {}

    def value(self, key: str, default: Any = None) -> Any:
        """A validated top-level key, for a family's settings."""
        return self.values.get(key, default)

    @property
    def fail_on(self) -> str:
        return str(self.values.get("fail-on", "error"))

    @property
    def enforce(self) -> str:
        """Whose changes every rule binds: "agents" (and changes under a task) or "all"."""
        return str(self.values.get("enforce", "agents"))

    @property
    def agents_fail_on(self) -> str:
        """The threshold for a known agent's change: its claim and test warnings fail too."""
        return str(self.table("agents").get("fail-on", "warning"))

    @property
    def severity(self) -> dict[str, str]:
        return dict(self.values.get("severity", {}))

    @functools.cached_property
    def exclude(self) -> Globs:
        return Globs(self.values.get("exclude", ()))

    @functools.cached_property
    def instruction_files(self) -> Globs:
        return Globs(
            catalog.string_list("instructions", "instruction-files.globs")
            + tuple(self.values.get("instruction-files", ()))
        )

    @property
    def hooks(self) -> HookSettings:
        table = self.table("hooks")
        return HookSettings(
            table.get("base"),
            str(table.get("fail-on", "warning")),
            int(table.get("max-blocks", DEFAULT_MAX_BLOCKS)),
        )

    @property
    def label(self) -> str:
        """The policy file as messages name it: agentcheck.toml, pyproject.toml [tool.agentcheck],
        or where it came from when it is not a file of the repository."""
        if self.path is None:
            return self.source
        if self.path.endswith(PYPROJECT):
            return f"{self.path} [tool.agentcheck]"
        return self.path

    def line_of(self, *keys: str) -> int | None:
        """The line of a key in the policy file, for findings that point at a limit."""
        if self.document is None:
            return None
        return key_line(self.document.text, (*self.document.prefix, *keys[:-1]), keys[-1])


def defaults() -> Policy:
    return Policy("built-in defaults", None, {}, None)


def from_text(
    text: str, label: str, path: str | None, pyproject: bool, schema: Schema
) -> Policy | None:
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
    values = validate(document, schema, data)
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
    schema: Schema,
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
                text, config + suffix, config, config.endswith(PYPROJECT), schema
            ) or _no_table(config + suffix)
        text = read_at_rev(POLICY_FILE)
        if text is not None:
            return from_text(text, POLICY_FILE + suffix, POLICY_FILE, False, schema)  # type: ignore[return-value]
        text = read_at_rev(PYPROJECT)
        if text is not None:
            found = from_text(text, PYPROJECT + suffix, PYPROJECT, True, schema)
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
        found = from_text(_read(path), config, rel, path.name == PYPROJECT, schema)
        return found or _no_table(config)
    candidate = root / POLICY_FILE
    if candidate.is_file():
        return from_text(_read(candidate), POLICY_FILE, POLICY_FILE, False, schema)  # type: ignore[return-value]
    candidate = root / PYPROJECT
    if candidate.is_file():
        found = from_text(_read(candidate), PYPROJECT, PYPROJECT, True, schema)
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
