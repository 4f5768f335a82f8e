"""docs/ stays true: the rule reference is what the catalog generates, the configuration
reference lists exactly the keys the schemas take and the limits the code applies, the
bad-input matrix names tests that exist, and the CI recipes use hooks and inputs that exist."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from checker.checks import policy_schema
from checker.config import task
from checker.config.schema import Entries
from checker.model import caps
from tests.conftest import run_agentcheck

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)(?:\[([^\]]+)\])?`")


def _leaves(schema: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[str]:
    for key, rule in schema.items():
        if isinstance(rule, Mapping) and not isinstance(rule, Entries):
            yield from _leaves(rule, (*prefix, key))
        else:
            yield ".".join((*prefix, key))


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _documented_keys(section: str) -> set[str]:
    """The first column of the `| key | ... |` tables of SECTION (not the entry-key tables)."""
    keys: set[str] = set()
    in_table = False
    for line in section.splitlines():
        if line.startswith("| key |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table:
            first = line.split("|")[1].strip()
            keys.update(re.findall(r"`([^`]+)`", first))
    return keys


@pytest.mark.e2e
def test_rules_doc_is_current(tmp_path: Path) -> None:
    generated = run_agentcheck("rules", "--format", "markdown", cwd=tmp_path)
    assert generated.code == 0, generated.err
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == generated.out, (
        "docs/rules.md is stale: run `agentcheck rules --format markdown > docs/rules.md`"
    )
    for code in ("AC101", "AC503", "AC901"):
        assert f"### {code} " in generated.out


@pytest.mark.parametrize(
    ("heading", "schema"), [("Policy", policy_schema()), ("Task spec", task.SCHEMA)]
)
def test_configuration_documents_every_key(heading: str, schema: Mapping[str, Any]) -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = _documented_keys(_section(text, heading))
    keys = set(_leaves(schema))
    assert documented - keys == set(), "documented keys the schema does not take"
    assert keys - documented == set(), "keys missing from docs/configuration.md"


def test_configuration_states_the_limits_the_code_applies() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    limits_section = _section(text, "Limits (not configurable)")
    assert caps.size_text(caps.MAX_FILE_BYTES) in limits_section
    assert f"{caps.MAX_FILE_BYTES:,} bytes" in limits_section
    assert f"{caps.SNIFF_BYTES:,} bytes" in limits_section
    assert f"{caps.MAX_SNIPPET_CHARS:,} characters" in limits_section
    assert caps.size_text(caps.MAX_PATCH_BYTES) in limits_section


def _test_names(path: Path) -> set[str]:
    """Test functions defined in a module, by def or by assignment (`test_a, test_b = ...`)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names.update(e.id for e in elements if isinstance(e, ast.Name))
    return {name for name in names if name.startswith("test_")}


def test_bad_input_matrix_names_tests_that_exist() -> None:
    text = (DOCS / "bad-input.md").read_text(encoding="utf-8")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| input", "| ---"))
    ]
    assert len(rows) >= 30, f"the matrix has {len(rows)} rows"
    for row in rows:
        references = REFERENCE.findall(row)
        assert references, f"a row without a test: {row}"
        for module, name, case in references:
            path = ROOT / module
            assert path.is_file(), f"{module} does not exist ({row})"
            assert name in _test_names(path), f"{module}::{name} does not exist"
            if case:  # a parametrized case: its id is written in the module
                assert f'"{case}"' in path.read_text(encoding="utf-8"), f"{module}::{name}[{case}]"


@pytest.mark.e2e
def test_ci_recipes_use_hooks_and_inputs_that_exist() -> None:
    import yaml  # type: ignore[import-untyped]

    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    used = set(re.findall(r"- id: ([\w-]+)", text))
    assert used, "the pre-commit recipe lists hooks"
    assert used <= hooks, used - hooks
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
        document = yaml.safe_load(block)
        for step in _steps(document):
            if "agentcheck@" in str(step.get("uses", "")):
                assert set(step.get("with", {})) <= set(action["inputs"]), step
    assert "--policy-from" in text
    # Every option in the recipes is one of agentcheck's, or of the other tools they call.
    others = {"--quiet", "--no-tags", "--all-files", "--no-verify"}
    options = {
        o
        for block in re.findall(r"```\w*\n(.*?)```", text, re.DOTALL)
        for o in re.findall(r"(?<![\w-])--[a-z][a-z-]*", block)
    }
    helps = "".join(run_agentcheck(command, "--help", cwd=ROOT).out for command in ("diff", "scan"))
    assert {o for o in options - others if o not in helps} == set()


def _steps(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, dict):
        if "uses" in document:
            yield document
        for value in document.values():
            yield from _steps(value)
    elif isinstance(document, list):
        for value in document:
            yield from _steps(value)
