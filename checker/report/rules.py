"""The rule catalog as people and programs read it: `agentcheck rules` as text, JSON or the
Markdown reference (docs/rules.md is that text, and a test keeps it current), and
`agentcheck explain CODE`."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from checker.config import catalog

COMMAND = "agentcheck rules --format markdown > docs/rules.md"


def _family_title(family: str) -> str:
    """The title a rules file gives itself in its first comment ("# Scope: does ..."),
    else its name."""
    path = catalog.rules_dir() / f"{family}.toml"
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    if first.startswith("# ") and ":" in first:
        return first[2:].split(":", 1)[0].strip()
    return family.capitalize()


def fix_text(fix: str, path: str | None = None, base: str | None = None) -> str:
    """A rule's way back with the path and base filled in, or named in general."""
    return fix.replace("{path}", path or "PATH").replace("{base}", base or "BASE")


def _anchor(rule: catalog.Rule) -> str:
    return f"{rule.code}-{rule.name}".lower()


def markdown() -> str:
    rules = catalog.all_rules().values()
    families: dict[str, list[catalog.Rule]] = defaultdict(list)
    for rule in rules:
        families[rule.family].append(rule)
    out = [
        "# Rule reference",
        "",
        "Generated from `rules/*.toml`; do not edit it by hand. After changing a rule, run",
        f"`{COMMAND}` (a test fails while this file is stale).",
        "",
        "Codes are stable; severities are defaults that the policy's `[severity]` table may",
        'change (`"off"` turns a rule off; an `off` rule runs only when the policy gives it a',
        "severity). `agentcheck explain CODE` prints the same text for one rule.",
        "",
        "Who wrote a change decides how a rule binds it. A change a coding agent made (or one made",
        "under a task spec) is bound by every rule at its severity; on any other change the",
        "process rules only advise (reported as warnings that never fail the run), unless the",
        'policy says `enforce = "all"`. The rules marked *everyone* below guard the gate itself',
        "and the architecture and bind every change.",
        "",
        "| code | name | default | binds | what it finds |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [
        f"| [{r.code}](#{_anchor(r)}) | {r.name} | {r.severity} | {_binds(r)} | {r.summary} |"
        for r in rules
    ]
    for family, members in sorted(families.items(), key=lambda item: item[1][0].code):
        out += ["", f"## {_family_title(family)}", "", f"From `rules/{family}.toml`."]
        for rule in members:
            out += [
                "",
                f'<a id="{_anchor(rule)}"></a>',
                "",
                f"### {rule.code} {rule.name}",
                "",
                f"Default severity: **{rule.severity}**; binds {_binds(rule)}. {rule.summary}.",
                "",
                rule.explanation,
            ]
            if rule.example:
                fence = "`" * max(3, 1 + max(map(len, re.findall("`+", rule.example)), default=0))
                out += ["", "Example:", "", f"{fence}text", rule.example, fence]
            if rule.fix:
                out += ["", "How to fix it:", "", fix_text(rule.fix)]
            if rule.allow:
                out += ["", "How to allow it:", "", rule.allow]
    return "\n".join(out) + "\n"


def _binds(rule: catalog.Rule) -> str:
    return "everyone" if rule.binds_everyone else "agents"


def listing(fmt: str) -> str:
    """Every rule: code, name, default severity and summary, as text, JSON or Markdown."""
    if fmt == "markdown":
        return markdown()
    rules = catalog.all_rules().values()
    if fmt == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "binds": _binds(r),
                "summary": r.summary,
            }
            for r in rules
        ]
        return json.dumps(rows, indent=2) + "\n"
    return "".join(f"{r.code}  {r.severity:<8} {r.name:<28} {r.summary}\n" for r in rules)


def explanation(rule: catalog.Rule) -> str:
    """One rule: what it finds, why, an example, and how to allow or turn it off."""
    parts = [
        f"{rule.code} {rule.name} (default severity: {rule.severity}; binds {_binds(rule)})",
        "",
        rule.summary + ".",
        "",
        rule.explanation,
    ]
    if rule.example:
        parts += ["", "Example:", "", *("    " + line for line in rule.example.splitlines())]
    if rule.fix:
        parts += ["", "How to fix it:", "", fix_text(rule.fix)]
    if rule.allow:
        parts += ["", "How to allow it:", "", rule.allow]
    parts += [
        "",
        f'To turn it off: `--ignore {rule.code}`, or `{rule.code} = "off"` under '
        "[severity] in agentcheck.toml.",
    ]
    return "\n".join(parts) + "\n"
