"""AC802 on Continue's MCP blocks (.continue/mcpServers/*.yaml, a list of servers with their
names; JSON files there in the other agents' form), in process and once end to end."""

from __future__ import annotations

import pytest

from checker.model.finding import Finding
from tests.conftest import Repo, diff_findings
from tests.memory import findings

BLOCK = """name: Browser tools
version: 0.0.1
schema: v1
mcpServers:
  - name: Browser search
    command: npx
    args:
      - "@playwright/mcp@1.2.3"
"""


def _ac802(base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    return [f for f in findings(base, head) if f.code == "AC802"]


def test_a_new_server_in_a_yaml_block_is_reported_at_its_name() -> None:
    added = BLOCK + "  - name: files\n    command: npx\n    args: [-y, '@acme/mcp-files']\n"
    path = ".continue/mcpServers/browser.yaml"
    found = _ac802({path: BLOCK}, {path: added})
    assert [(f.path, f.line) for f in found] == [(path, 9)]
    assert "MCP server 'files' added" in found[0].message
    assert "runs whatever version is newest" in found[0].message


def test_a_changed_server_in_a_yml_block_and_json_blocks() -> None:
    path = ".continue/mcpServers/browser.yml"
    changed = BLOCK.replace("@1.2.3", "@latest")
    assert [f.line for f in _ac802({path: BLOCK}, {path: changed})] == [5]
    as_json = '{"mcpServers": {"db": {"url": "https://db.example/mcp"}}}\n'
    found = _ac802({}, {".continue/mcpServers/db.json": as_json})
    assert ["remote server" in f.message for f in found] == [True]


def test_a_block_outside_the_folder_or_below_it_is_not_read() -> None:
    for path in (".continue/other/browser.yaml", ".continue/mcpServers/old/browser.yaml"):
        assert _ac802({}, {path: BLOCK}) == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("mcpServers:\n  - name: a\n    args: [unclosed\n", 4),
        ("mcpServers:\n  - command: x\n", None),
    ],
)
def test_a_malformed_block_is_a_finding(text: str, line: int | None) -> None:
    found = _ac802({}, {".continue/mcpServers/bad.yaml": text})
    assert len(found) == 1
    assert "bad.yaml" in found[0].message or found[0].path == ".continue/mcpServers/bad.yaml"
    if line is not None:
        assert found[0].line == line


@pytest.mark.e2e
def test_end_to_end_a_yaml_block_added_to_a_repository(repo: Repo) -> None:
    repo.commit("base", {"src/a.py": "a = 1\n"})
    repo.write(".continue/mcpServers/browser.yaml", BLOCK.replace("@1.2.3", ""))
    found = {(f["code"], f["path"]) for f in diff_findings(repo)}
    assert ("AC802", ".continue/mcpServers/browser.yaml") in found
    assert ("AC301", ".continue/mcpServers/browser.yaml") in found
