"""The rule catalog and data tables in rules/*.toml, read the same way from a source
checkout, an editable install and an installed wheel (where rules/ is checker/rules)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

from checker.config.tomlfile import load_toml
from checker.model.errors import FatalError


class Rule(NamedTuple):
    code: str
    name: str
    severity: str
    summary: str
    explanation: str
    example: str
    allow: str
    fix: str  # the way back, for the agent that made the change ({path} and {base} filled in)
    family: str  # the rules/ file it comes from, e.g. "scope"
    # Whether it binds every change ("everyone": the rules that guard the gate and the
    # architecture) or only agents' (a process rule: other changes are advised).
    binds_everyone: bool = False
    # Whether a finding is about a whole file (its line is only where the file's change starts).
    about_file: bool = False


@functools.cache
def rules_dir() -> Path:
    package = Path(__file__).resolve().parents[1]  # checker/
    for candidate in (package / "rules", package.parent / "rules"):
        if (candidate / "scope.toml").is_file():
            return candidate
    raise FatalError(
        f"agentcheck's rule catalog is missing: neither {package / 'rules'} nor "
        f"{package.parent / 'rules'} holds scope.toml. Reinstall agentcheck."
    )


@functools.cache
def table(name: str) -> dict[str, Any]:
    """One rules/NAME.toml file as a dict."""
    return load_toml(rules_dir() / f"{name}.toml")


@functools.cache
def all_rules() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for path in sorted(rules_dir().glob("*.toml")):
        for entry in table(path.stem).get("rule", []):
            found[entry["code"]] = Rule(
                code=entry["code"],
                name=entry["name"],
                severity=entry["severity"],
                summary=entry["summary"],
                explanation=entry["explanation"].strip(),
                example=entry.get("example", "").strip(),
                allow=entry.get("allow", "").strip(),
                fix=entry.get("fix", "").strip(),
                family=path.stem,
                binds_everyone=entry.get("binds", "agents") == "everyone",
                about_file=entry.get("about", "lines") == "file",
            )
    return dict(sorted(found.items()))


def rule(code: str) -> Rule:
    return all_rules()[code]


def string_list(name: str, key: str) -> tuple[str, ...]:
    """A list of strings from a data table, e.g. string_list("paths", "lockfiles")."""
    value = table(name)
    for part in key.split("."):
        value = value[part]
    return tuple(value)
