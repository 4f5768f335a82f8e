"""Who wrote a change, and how the rules bind it: agents (hook, environment, co-author trailer,
pull request), automation bots, people; advice that never fails, rules that bind everyone."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.domain.agents import authorship, environment_signals
from checker.engine.selection import fails, threshold
from checker.model.authorship import Authorship
from tests import memory
from tests.conftest import Repo, clean_env

CLAUDE = "Co-authored-by: Claude <noreply@anthropic.com>"
DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
PRE_COMMIT_CI = "pre-commit-ci[bot] <66853113+pre-commit-ci[bot]@users.noreply.github.com>"


@pytest.mark.parametrize(
    ("environ", "agent"),
    [
        ({"CLAUDECODE": "1"}, "Claude Code"),
        ({"GEMINI_CLI": "1"}, "Gemini CLI"),
        ({"CODEX_THREAD_ID": "019a-77"}, "OpenAI Codex"),
        ({"CURSOR_AGENT": "1"}, "Cursor"),
        ({"AGENTCHECK_AGENT": "aider"}, "Aider"),
        ({"AI_AGENT": "my-wrapper"}, "my-wrapper"),
    ],
)
def test_an_agents_environment_names_it(environ: dict[str, str], agent: str) -> None:
    found = environment_signals({"PATH": "/usr/bin", **environ})
    assert [s.agent for s in found] == [agent]
    assert authorship(None, (), environ=environ).kind == "agent"


@pytest.mark.parametrize(
    "environ", [{}, {"CLAUDECODE": "0"}, {"CLAUDECODE": ""}, {"GEMINI_CLI": "true"}]
)
def test_no_agent_in_an_ordinary_environment(environ: dict[str, str]) -> None:
    assert environment_signals(environ) == []
    assert authorship(None, (), environ=environ).kind == "person"


def test_co_author_trailer_and_hook_make_an_agent_change() -> None:
    trailer = authorship(None, [memory.commit(f"Fix totals\n\n{CLAUDE}\n")])
    assert trailer.kind == "agent"
    assert "Claude Code: Co-authored-by trailer" in trailer.reason()
    hooked = authorship(None, [], hook="codex")
    assert hooked.reason() == (
        "agent change (OpenAI Codex: end-of-turn hook (agentcheck hook codex)): every rule binds"
    )


def test_automation_by_commit_author_or_pull_request_author() -> None:
    bumped = authorship(None, [memory.commit("Bump click", author=DEPENDABOT)])
    assert bumped.kind == "automation"
    assert bumped.reason().startswith("automation change (Dependabot: commit author")
    assert not bumped.binds
    opened = authorship(memory.pull_request(author="renovate[bot]"), [])
    assert (opened.kind, opened.signals[0].agent) == ("automation", "Renovate")
    # A person's commit beside the bot's makes the change a person's.
    mixed = [memory.commit("Bump", author=DEPENDABOT), memory.commit("Fix by hand")]
    assert authorship(None, mixed).kind == "person"


def test_a_person_merging_a_bots_branch_leaves_it_automation() -> None:
    merge = memory.commit("Merge pull request #9 from pre-commit-ci-update-config")._replace(
        merge=True
    )
    autoupdate = memory.commit("[pre-commit.ci] pre-commit autoupdate", author=PRE_COMMIT_CI)
    assert authorship(None, [merge, autoupdate]).kind == "automation"


def test_an_agent_signal_outweighs_automation() -> None:
    commits = [memory.commit(f"Bump\n\n{CLAUDE}\n", author=DEPENDABOT)]
    assert authorship(None, commits).kind == "agent"


@pytest.mark.parametrize(
    ("who", "binds"),
    [
        (Authorship("person"), False),
        (Authorship("person", enforce="all"), True),
        (Authorship("person", task=".agentcheck/task.toml"), True),
        (Authorship("automation"), False),
        (Authorship("automation", task=".agentcheck/task.toml"), False),
        (Authorship("automation", enforce="all"), True),
        (Authorship("agent"), True),
    ],
)
def test_who_is_bound_by_every_rule(who: Authorship, binds: bool) -> None:
    assert who.binds is binds


@pytest.mark.parametrize(
    ("who", "strict"),
    [
        (Authorship("agent"), True),
        (Authorship("person", task=".agentcheck/task.toml"), True),
        (Authorship("person", enforce="all"), False),
        (Authorship("automation", task=".agentcheck/task.toml"), False),
    ],
)
def test_warnings_fail_an_agents_change_and_one_under_a_task(who: Authorship, strict: bool) -> None:
    assert who.strict is strict
    assert threshold(None, memory.load_policy(), who) == ("warning" if strict else "error")


WORKFLOW = {".github/workflows/ci.yml": "on: push\n"}
BIG = {"big.py": "x = 1\n" * 1200}
TAGS = {"AGENTS.md": "Be kind.\U000e0049\U000e0067\n"}


def _found(head: dict[str, str], who: Authorship | None) -> list[tuple[str, str | None, bool]]:
    changed, reader = memory.change_between({"README.md": "r\n"}, {"README.md": "r\n", **head})
    return [(f.code, f.severity, f.advice) for f in memory.run(changed, reader, authorship=who)]


def test_process_rules_advise_people_and_bind_agents() -> None:
    person, agent = Authorship("person"), Authorship("agent")
    assert _found(WORKFLOW, person) == [("AC301", "warning", True)]
    assert _found(WORKFLOW, agent) == [("AC301", "error", False)]
    assert _found(BIG, person) == [("AC202", "warning", True)]
    assert _found(BIG, agent) == [("AC202", "error", False)]


def test_hidden_text_binds_everyone() -> None:
    person = _found(TAGS, Authorship("person"))
    assert ("AC501", "error", False) in person
    assert ("AC303", "warning", True) in person


def test_advice_never_fails_and_agents_fail_on_warnings() -> None:
    changed, reader = memory.change_between({}, WORKFLOW)
    advised = memory.run(changed, reader, authorship=Authorship("person"))
    assert not fails(advised, "warning")
    policy = memory.load_policy()
    assert threshold(None, policy, Authorship("agent")) == "warning"
    assert threshold(None, policy, Authorship("person")) == "error"
    assert threshold("never", policy, Authorship("agent")) == "never"
    strict = memory.load_policy('[agents]\nfail-on = "error"\n')
    assert threshold(None, strict, Authorship("agent")) == "error"


# End to end: the local gate (what the pre-commit hooks run) reads the agent's environment and
# the message being written; a merge is judged by the commits it brings.


@pytest.mark.e2e
def test_staged_change_binds_when_an_agents_shell_runs_the_hook(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.git("add", "-A")
    person = repo.run("diff", "--staged")
    assert person.code == 0, person.out
    assert "AC301 (advice)" in person.out
    assert "Judged as: no agent signal: process rules advise." in person.out
    agent = repo.run("diff", "--staged", env=clean_env(CLAUDECODE="1"))
    assert agent.code == 1, agent.out
    assert "Judged as: agent change (Claude Code: environment CLAUDECODE=1)" in agent.out


@pytest.mark.e2e
def test_the_message_being_written_names_the_agent(repo: Repo, tmp_path: Path) -> None:
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.git("add", "-A")
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Tune CI\n\n{CLAUDE}\n", encoding="utf-8")
    result = repo.run("diff", "--staged", "--message", str(message), "--format", "json")
    assert result.code == 1
    assert result.json()["authorship"]["kind"] == "agent"


@pytest.mark.e2e
def test_a_merge_of_a_bots_branch_is_automation(repo: Repo) -> None:
    repo.commit("base", {"README.md": "r\n", ".pre-commit-config.yaml": "repos: []\n"})
    repo.git("checkout", "-q", "-b", "pre-commit-ci-update-config")
    repo.write(".pre-commit-config.yaml", "repos: [{repo: local}]\n")
    repo.git("add", "-A")
    repo.git(
        "-c", "user.name=pre-commit-ci[bot]",
        "-c", "user.email=66853113+pre-commit-ci[bot]@users.noreply.github.com",
        "commit", "-q", "-m", "[pre-commit.ci] pre-commit autoupdate",
        "--author", PRE_COMMIT_CI,
    )  # fmt: skip
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge autoupdate", "pre-commit-ci-update-config")
    result = repo.run("diff", "HEAD", "--format", "json")
    assert result.code == 0, result.out
    document = result.json()
    assert document["authorship"]["kind"] == "automation"
    assert [(f["code"], f["advice"]) for f in document["findings"]] == [("AC301", True)]


# Lockfiles: expected beside the manifest they lock, for everyone.

UV_BASE = {"pyproject.toml": 'version = "1.0"\n', "uv.lock": "version = 1\n"}


def _ac301(base: dict[str, str], head: dict[str, str]) -> list[str]:
    changed, reader = memory.change_between(base, head)
    return [f.message for f in memory.run(changed, reader) if f.code == "AC301"]


def test_a_lockfile_beside_its_manifest_is_expected() -> None:
    bumped = {"pyproject.toml": 'version = "1.1"\n', "uv.lock": "version = 2\n"}
    assert _ac301(UV_BASE, bumped) == []
    # A workspace: the lockfile at the top locks a member's manifest below it.
    top = {"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n'}
    base = {**top, "Cargo.lock": "a\n", "crates/core/Cargo.toml": "[package]\n"}
    head = {**top, "Cargo.lock": "b\n", "crates/core/Cargo.toml": "[package]\nx = 1\n"}
    assert _ac301(base, head) == []
    # Not a workspace: a manifest below (a test fixture) does not make the lockfile expected.
    base = {**UV_BASE, "tests/data/pyproject.toml": "[project]\n"}
    head = {**base, "uv.lock": "version = 2\n", "tests/data/pyproject.toml": "[project]\n# x\n"}
    assert len(_ac301(base, head)) == 1


def test_a_workspace_excuses_a_lockfile_only_where_the_base_declared_it() -> None:
    member = {"package.json": "{}\n", "pnpm-lock.yaml": "a\n", "pkg/ui/package.json": "{}\n"}
    bumped = {"pnpm-lock.yaml": "b\n", "pkg/ui/package.json": '{"dependencies": {"x": "1"}}\n'}
    workspace = {"pnpm-workspace.yaml": "packages:\n  - pkg/*\n"}
    assert _ac301({**member, **workspace}, {**member, **workspace, **bumped}) == []
    # Declared by the change itself: the lockfile edit is not excused by it.
    assert len(_ac301(member, {**member, **workspace, **bumped})) == 1
    # package.json's "workspaces" the same way (the change edits only the member's manifest).
    declared = {**member, "package.json": '{"workspaces": ["pkg/*"]}\n'}
    assert _ac301(declared, {**declared, **bumped}) == []


def test_a_lockfile_alone_or_beside_another_folders_manifest_is_ac301() -> None:
    alone = _ac301(UV_BASE, {**UV_BASE, "uv.lock": "version = 2\n"})
    assert alone == [
        "uv.lock changed without pyproject.toml, the manifest it locks; it is a protected path "
        "(matches '**/uv.lock') and no task allows it (a task's allow-protected does)"
    ]
    base = {"web/package.json": "{}\n", "api/package-lock.json": "{}\n", "api/package.json": "{}"}
    head = {**base, "web/package.json": '{"a": 1}\n', "api/package-lock.json": '{"a": 1}\n'}
    assert len(_ac301(base, head)) == 1


def test_another_package_managers_lockfile_is_ac301_with_its_own_message() -> None:
    base = {"package.json": "{}\n", "pnpm-lock.yaml": "lockfileVersion: 9\n"}
    head = {**base, "package.json": '{"dependencies": {}}\n', "package-lock.json": "{}\n"}
    assert _ac301(base, head) == [
        "package-lock.json is npm's lockfile, but this repository locks package.json with pnpm "
        "(pnpm-lock.yaml): a second package manager's lockfile is protected like the first"
    ]
    # Moving from pnpm to npm (the old lockfile removed with the manifest change): expected.
    moved = {"package.json": '{"dependencies": {}}\n', "package-lock.json": "{}\n"}
    assert _ac301(base, moved) == []


def test_every_hooked_agent_is_named_in_the_agents_table() -> None:
    from checker.adapters.agenthook import AGENTS
    from checker.domain.agents import known_agents

    assert sorted(a.hook for a in known_agents() if a.hook) == sorted(AGENTS)


@pytest.mark.e2e
def test_an_agents_local_run_reads_the_policy_from_head(repo: Repo) -> None:
    """The agent's own edit to the policy is part of its change (AC302), not its rules; a
    person's uncommitted policy is being set up and applies."""
    repo.commit("base", {"README.md": "r\n"})
    repo.write(".github/workflows/ci.yml", "on: push\n")
    repo.write("agentcheck.toml", 'exclude = ["**"]\n')
    repo.git("add", "-A")
    agent = repo.run("diff", "--staged", "--format", "json", env=clean_env(CLAUDECODE="1"))
    assert agent.code == 1
    assert sorted(f["code"] for f in agent.json()["findings"]) == ["AC301", "AC302"]
    person = repo.run("diff", "--staged", "--format", "json")
    assert person.code == 0
    assert person.json()["findings"] == []  # the person's exclude applies


@pytest.mark.e2e
def test_a_push_is_judged_by_its_own_commits_not_those_merged_in(
    repo: Repo, tmp_path: Path
) -> None:
    """A person merges main (which holds an agent's reviewed commit) into their pushed branch:
    the push is the person's; an agent's trailer on a new commit makes it the agent's."""
    repo.commit("Start", {"README.md": "r\n"})
    origin = tmp_path / "origin.git"
    repo.git("clone", "-q", "--bare", str(repo.root), str(origin))
    repo.git("remote", "add", "origin", str(origin))
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("Feature work", {"src/a.py": "A = 1\n"})
    repo.git("push", "-q", "origin", "feature", "main")
    repo.git("checkout", "-q", "main")
    repo.commit(f"Tune CI\n\n{CLAUDE}\n", {".github/workflows/ci.yml": "on: push\n"})
    repo.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "--no-edit", "main")
    repo.git("fetch", "-q", "origin")
    push = clean_env(PRE_COMMIT_FROM_REF="origin/feature", PRE_COMMIT_TO_REF="HEAD")
    merged = repo.run("diff", "--pre-push", "--format", "json", env=push)
    assert merged.json()["authorship"]["kind"] == "person", merged.out
    assert merged.code == 0
    repo.commit(f"More\n\n{CLAUDE}\n", {"src/b.py": "B = 1\n"})
    agent = repo.run("diff", "--pre-push", "--format", "json", env=push)
    assert agent.json()["authorship"]["kind"] == "agent"
    assert agent.code == 1  # the workflow change is in the range, now an agent's push
