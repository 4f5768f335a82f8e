"""The GitHub Action's entry point, `agentcheck action` as action.yml runs it, on real clones of
real repositories with pull_request event payloads shaped like the ones GitHub writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.conftest import Repo, clean_env, pull_request_event, run_agentcheck
from tests.project_copy import PROJECT, committed_project, offline_pip_env, run

TASK = 'id = "NOTIF-12"\npaths = ["src/notifications/**", "tests/**"]\n'
POLICY = '[paths]\nprotected = ["deploy/**"]\n'
CLAUDE_TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>"


class ActionRun(NamedTuple):
    code: int
    out: str
    err: str
    outputs: dict[str, str]
    summary: str
    sarif: dict[str, Any] | None

    @property
    def commands(self) -> list[str]:
        return [line for line in self.out.splitlines() if line.lstrip().startswith("::")]

    def annotated(self, level: str) -> list[str]:
        return [c for c in self.commands if c.startswith(f"::{level} ")]


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value, or name<<DELIMITER ... DELIMITER."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            outputs[name] = value_
    return outputs


def event(
    base: Repo,
    *,
    head_branch: str,
    head_sha: str,
    base_sha: str,
    author: str = "octocat",
    author_type: str = "User",
    title: str = "Add the notification schema",
    body: str = "Adds the schema.",
    labels: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The pull_request event GitHub would write for BRANCH of BASE."""
    return pull_request_event(
        title=title,
        body=body,
        author=author,
        author_type=author_type,
        head_branch=head_branch,
        head_sha=head_sha,
        base_sha=base_sha,
        labels=labels,
    )


def origin_with_pr(
    tmp_path: Path,
    branch: str,
    files: dict[str, str | bytes],
    message: str = "Change",
    author: str | None = None,
    base_files: dict[str, str | bytes] | None = None,
    task: bool = True,
) -> tuple[Repo, str, str]:
    """An origin repository: main with a policy (and a task unless TASK is false), and BRANCH
    with one commit on it. Returns the repository, the base sha (main) and the head sha."""
    origin = Repo(tmp_path / "origin")
    origin.commit(
        "Start",
        {
            **({".agentcheck/task.toml": TASK} if task else {}),
            "agentcheck.toml": POLICY,
            "src/notifications/__init__.py": "",
            "README.md": "# app\n",
            **(base_files or {}),
        },
    )
    origin.git("checkout", "-q", "-b", branch)
    for path, content in files.items():
        origin.write(path, content)
    origin.git("add", "-A")
    extra = ["--author", author] if author else []
    origin.git("commit", "-q", "-m", message, *extra)
    head = origin.git("rev-parse", "HEAD").strip()
    origin.git("checkout", "-q", "main")
    origin.commit("Main moves on", {"CHANGELOG.md": "- later\n"})
    base = origin.git("rev-parse", "HEAD").strip()
    # Like GitHub, serve any reachable commit by id (actions/checkout and our deepening rely on it).
    origin.git("config", "uploadpack.allowReachableSHA1InWant", "true")
    return origin, base, head


def clone(tmp_path: Path, origin: Repo, branch: str, *, depth: int | None = None) -> Path:
    work = tmp_path / "work"
    options = ["--depth", str(depth)] if depth else []
    subprocess.run(
        ["git", "clone", "-q", *options, "--branch", branch, origin.root.as_uri(), str(work)],
        env=clean_env(),
        check=True,
    )
    return work


def run_action(
    tmp_path: Path,
    work: Path,
    payload: dict[str, Any],
    *args: str,
    event_name: str = "pull_request",
    **env: str,
) -> ActionRun:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(payload), encoding="utf-8")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    outputs = tmp_path / "github-output"
    summary = tmp_path / "step-summary.md"
    for file in (outputs, summary):
        file.write_text("", encoding="utf-8")
    done = run_agentcheck(
        "action",
        *args,
        cwd=work,
        env=clean_env(
            GITHUB_ACTIONS="true",
            GITHUB_EVENT_NAME=event_name,
            GITHUB_EVENT_PATH=str(event_file),
            GITHUB_OUTPUT=str(outputs),
            GITHUB_STEP_SUMMARY=str(summary),
            RUNNER_TEMP=str(runner_temp),
            **env,
        ),
    )
    parsed = parse_outputs(outputs.read_text(encoding="utf-8"))
    sarif_path = parsed.get("sarif-file")
    sarif = json.loads(Path(sarif_path).read_text()) if sarif_path else None
    return ActionRun(
        done.code, done.out, done.err, parsed, summary.read_text(encoding="utf-8"), sarif
    )


def sarif_codes(run: ActionRun) -> list[str]:
    assert run.sarif is not None
    return sorted(r["ruleId"] for r in run.sarif["runs"][0]["results"] if "suppressions" not in r)


# -- pull requests by people and by agents ---------------------------------------------------


@pytest.mark.e2e
def test_human_pr_in_scope_passes(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "notif-schema", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "notif-schema")
    run = run_action(
        tmp_path, work, event(origin, head_branch="notif-schema", head_sha=head, base_sha=base)
    )
    assert run.code == 0, run.err
    assert run.commands == []
    assert run.outputs["findings"] == "0"
    assert run.outputs["errors"] == "0"
    assert run.outputs["agent"] == "false"
    assert "All checks passed" in run.summary
    assert "change under a task spec" in run.summary
    # The change is main...head: the later commit on main is not part of it.
    assert "1 file checked" in run.summary
    # Nothing is written into the checkout: the SARIF file goes to the runner's temp folder.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


@pytest.mark.e2e
def test_human_pr_without_a_task_is_advised_and_passes(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "ci-tweak", {".github/workflows/ci.yml": "on: push\n"}, task=False
    )
    work = clone(tmp_path, origin, "ci-tweak")
    payload = event(origin, head_branch="ci-tweak", head_sha=head, base_sha=base)

    run = run_action(tmp_path, work, payload)
    assert run.code == 0, run.err
    assert run.outputs["agent"] == "false"
    assert run.annotated("error") == []
    assert len(run.annotated("warning")) == 1
    assert ".github/workflows/ci.yml" in run.annotated("warning")[0]
    assert "title=AC301" in run.annotated("warning")[0]
    assert "no agent signal: process rules advise" in run.summary
    assert run.outputs["errors"] == "0"
    assert run.sarif is not None
    results = run.sarif["runs"][0]["results"]
    assert [(r["level"], r["properties"]) for r in results] == [("warning", {"advice": True})]
    assert run.sarif["runs"][0]["properties"]["authorship"]["kind"] == "person"

    # agents-only: false (enforce = "all") binds the same human pull request.
    strict = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="false")
    assert strict.code == 1
    assert len(strict.annotated("error")) == 1
    assert strict.outputs["errors"] == "1"
    assert 'enforce = "all": every rule binds' in strict.summary


@pytest.mark.e2e
def test_human_pr_under_a_task_is_bound_by_every_rule(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "billing-fix", {"src/billing/invoice.py": "TOTAL = 1\n"}
    )
    work = clone(tmp_path, origin, "billing-fix")
    payload = event(origin, head_branch="billing-fix", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="true")
    assert run.code == 1, run.err
    assert run.outputs["agent"] == "false"
    assert "title=AC101" in run.annotated("error")[0]
    assert "change under a task spec" in run.summary


@pytest.mark.e2e
def test_copilot_pr_is_detected_and_fails_with_agents_only(tmp_path: Path) -> None:
    branch = "copilot/fix-billing-rounding"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        {"src/billing/invoice.py": "TOTAL = 1\n", "src/notifications/schema.py": "X = 1\n"},
        author="copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
    )
    work = clone(tmp_path, origin, branch)
    payload = event(
        origin,
        head_branch=branch,
        head_sha=head,
        base_sha=base,
        author="copilot-swe-agent[bot]",
        author_type="Bot",
    )
    run = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="true")
    assert run.code == 1, run.err
    assert run.outputs["agent"] == "true"
    assert run.outputs["errors"] == "1"
    assert len(run.annotated("error")) == 1
    assert "file=src/billing/invoice.py" in run.annotated("error")[0]
    assert sarif_codes(run) == ["AC101"]
    # The summary says why: the author login, the branch prefix and the commit's author.
    assert "agent change (GitHub Copilot coding agent: " in run.summary
    assert "pull request author copilot-swe-agent\\[bot\\]" in run.summary
    assert "branch copilot/fix-billing-rounding" in run.summary
    assert "commit author" in run.summary


@pytest.mark.e2e
def test_copilot_login_without_bot_suffix_is_the_same_agent(tmp_path: Path) -> None:
    branch = "fix-typo"
    origin, base, head = origin_with_pr(tmp_path, branch, {"tests/test_x.py": "X = 1\n"})
    work = clone(tmp_path, origin, branch)
    payload = event(origin, head_branch=branch, head_sha=head, base_sha=base, author="Copilot")
    run = run_action(tmp_path, work, payload)
    assert run.code == 0, run.err
    assert run.outputs["agent"] == "true"
    assert "pull request author Copilot" in run.summary


@pytest.mark.e2e
def test_claude_code_pr_is_detected_by_its_co_author_trailer(tmp_path: Path) -> None:
    branch = "feature/invoice-rounding"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        {"src/billing/invoice.py": "TOTAL = 1\n"},
        message=f"Round invoice totals\n\nDone with care.\n\n{CLAUDE_TRAILER}\n",
    )
    work = clone(tmp_path, origin, branch)
    payload = event(origin, head_branch=branch, head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="true")
    assert run.code == 1, run.err
    assert run.outputs["agent"] == "true"
    assert "Claude Code: Co-authored-by trailer Claude &lt;noreply@anthropic.com&gt;" in run.summary
    assert len(run.annotated("error")) == 1


@pytest.mark.e2e
def test_pr_that_loosens_the_policy_is_checked_with_the_base_policy(tmp_path: Path) -> None:
    branch = "copilot/deploy-tweak"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        {
            # The change drops deploy/** from the protected paths and widens its own task...
            "agentcheck.toml": "[paths]\nprotected = []\n",
            ".agentcheck/task.toml": 'id = "NOTIF-12"\npaths = ["**"]\n',
            # ...and then edits what the base policy protects, outside the base task.
            "deploy/prod.yml": "replicas: 9\n",
        },
        base_files={"deploy/prod.yml": "replicas: 3\n"},
    )
    work = clone(tmp_path, origin, branch)
    payload = event(origin, head_branch=branch, head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload)
    assert run.code == 1, run.err
    codes = sarif_codes(run)
    assert codes.count("AC302") == 2  # the policy and the task spec
    assert "AC301" in codes  # deploy/** is still protected
    assert "AC101" in codes  # the base task's paths still apply
    assert f"agentcheck.toml (at {base})" in run.summary
    assert f".agentcheck/task.toml (at {base})" in run.summary


@pytest.mark.e2e
def test_task_and_config_inputs_are_read_at_the_base(tmp_path: Path) -> None:
    branch = "widen-task"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        {
            "ci/task.toml": 'paths = ["**"]\n',
            "ci/policy.toml": "[paths]\nprotected = []\n",
            "deploy/prod.yml": "replicas: 9\n",
        },
        base_files={
            "ci/task.toml": 'paths = ["src/**"]\n',
            "ci/policy.toml": '[paths]\nprotected = ["deploy/**"]\n',
        },
    )
    work = clone(tmp_path, origin, branch)
    payload = event(origin, head_branch=branch, head_sha=head, base_sha=base)
    run = run_action(
        tmp_path,
        work,
        payload,
        AGENTCHECK_INPUT_TASK="./ci/task.toml",
        AGENTCHECK_INPUT_CONFIG="ci/policy.toml",
    )
    assert run.code == 1, run.err
    codes = sarif_codes(run)
    assert "AC101" in codes
    assert "AC301" in codes
    assert f"ci/task.toml (at {base})" in run.summary
    # A task input that the base does not have is an error, not a fallback to the work tree.
    missing = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_TASK="ci/new-task.toml")
    assert missing.code == 2
    assert "task: 'ci/new-task.toml' is not a file at the base revision" in missing.err


@pytest.mark.e2e
def test_allow_label_waives_and_the_summary_shows_it(tmp_path: Path) -> None:
    branch = "copilot/billing"
    origin, base, head = origin_with_pr(tmp_path, branch, {"src/billing/invoice.py": "TOTAL = 1\n"})
    work = clone(tmp_path, origin, branch)
    payload = event(
        origin,
        head_branch=branch,
        head_sha=head,
        base_sha=base,
        labels=("agentcheck:allow-AC101", "enhancement"),
    )
    run = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="true")
    assert run.code == 0, run.err
    assert run.commands == []
    assert run.outputs["findings"] == "0"
    assert "### Allowed by pull request labels" in run.summary
    assert "src/billing/invoice.py" in run.summary
    assert run.sarif is not None
    (result,) = run.sarif["runs"][0]["results"]
    assert result["ruleId"] == "AC101"
    assert result["suppressions"][0]["kind"] == "external"


@pytest.mark.e2e
def test_sarif_file_input_and_fail_on_input(tmp_path: Path) -> None:
    branch = "docs"
    origin, base, head = origin_with_pr(tmp_path, branch, {"AGENTS.md": "Be terse.\n"})
    work = clone(tmp_path, origin, branch)
    payload = event(origin, head_branch=branch, head_sha=head, base_sha=base)
    target = tmp_path / "out" / "agentcheck.sarif"
    target.parent.mkdir()
    lenient = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_SARIF_FILE=str(target))
    assert lenient.outputs["sarif-file"] == str(target)
    assert target.is_file()
    warnings = [c for c in lenient.annotated("warning") if "title=AC303" in c]
    assert len(warnings) == 1
    assert lenient.code == 1  # AC101 (AGENTS.md is outside the task) is an error
    strict = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_FAIL_ON="never")
    assert strict.code == 0


# -- finding the base in shallow clones -------------------------------------------------------


@pytest.mark.e2e
def test_shallow_clone_is_deepened_to_the_merge_base(tmp_path: Path) -> None:
    origin = Repo(tmp_path / "origin")
    origin.commit("Start", {".agentcheck/task.toml": TASK, "src/notifications/a.py": ""})
    origin.git("config", "uploadpack.allowReachableSHA1InWant", "true")
    for i in range(60):
        origin.commit(f"main {i}", {"src/notifications/a.py": f"A = {i}\n"})
    origin.git("checkout", "-q", "-b", "claude/notif")
    for i in range(70):  # more than the first fetch brings (50)
        origin.commit(f"pr {i}", {"src/notifications/n.py": f"N = {i}\n"})
    origin.commit("Out of scope", {"src/email/send.py": "SEND = 1\n"})
    head = origin.git("rev-parse", "HEAD").strip()
    origin.git("checkout", "-q", "main")
    for i in range(5):
        origin.commit(f"main later {i}", {"src/notifications/a.py": f"A = later {i}\n"})
    base = origin.git("rev-parse", "HEAD").strip()

    work = clone(tmp_path, origin, "claude/notif", depth=1)
    assert (work / ".git" / "shallow").is_file()
    payload = event(origin, head_branch="claude/notif", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload)
    assert run.code == 1, run.err
    assert "the clone is shallow; fetching 100 more commits" in run.err
    assert sarif_codes(run) == ["AC101"]
    assert "src/email/send.py" in run.annotated("error")[0]
    assert "2 files checked" in run.summary
    assert run.outputs["agent"] == "true"  # the claude/ branch prefix
    # Deepening wrote objects and the shallow list, never a branch or tag.
    refs = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname)"],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(refs) == ["refs/heads/claude/notif", "refs/remotes/origin/claude/notif"]


def fast_import_history(origin: Repo, main_commits: int, branch_commits: int) -> None:
    """Long histories in one `git fast-import` (thousands of commits in well under a second)."""
    stream = []
    mark = 0

    def commit(ref: str, text: str, path: str, parent: int | None) -> int:
        nonlocal mark
        mark += 1
        data = text.encode()
        stream.append(f"commit {ref}\nmark :{mark}\n")
        stream.append("committer Test <t@example.com> 1700000000 +0000\n")
        stream.append(f"data {len(data)}\n{text}\n")
        if parent is not None:
            stream.append(f"from :{parent}\n")
        content = f"{text}\n"
        stream.append(f"M 100644 inline {path}\ndata {len(content)}\n{content}\n")
        return mark

    last = commit("refs/heads/main", "root", "src/a.py", None)
    fork = last
    for i in range(main_commits):
        last = commit("refs/heads/main", f"main {i}", "src/a.py", last)
    branch = fork
    for i in range(branch_commits):
        branch = commit("refs/heads/feature", f"feature {i}", "src/b.py", branch)
    origin.git("fast-import", "--quiet", input_data="".join(stream).encode())


@pytest.mark.e2e
def test_too_shallow_history_stops_with_the_fetch_depth_advice(tmp_path: Path) -> None:
    origin = Repo(tmp_path / "origin")
    origin.git("config", "uploadpack.allowReachableSHA1InWant", "true")
    fast_import_history(origin, main_commits=3, branch_commits=2100)
    base = origin.git("rev-parse", "main").strip()
    head = origin.git("rev-parse", "feature").strip()
    origin.git("checkout", "-q", "-f", "main")
    work = clone(tmp_path, origin, "feature", depth=1)
    payload = event(origin, head_branch="feature", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload)
    assert run.code == 2
    assert "fetch-depth: 0" in run.err
    assert "within 1950 more commits" in run.err
    assert "Traceback" not in run.err
    # The pull request shows why in one error annotation and in the job summary.
    (command,) = run.commands
    assert command.startswith("::error title=agentcheck could not run::")
    assert "fetch-depth: 0" in command
    assert "**Could not run**" in run.summary
    assert run.outputs == {}


@pytest.mark.e2e
def test_full_clone_needs_no_fetch(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "copilot/x", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "copilot/x")
    # Fetching would fail: the remote is gone. A full clone has all it needs.
    shutil.rmtree(origin.root)
    run = run_action(
        tmp_path, work, event(origin, head_branch="copilot/x", head_sha=head, base_sha=base)
    )
    assert run.code == 0, run.err
    assert "fetching" not in run.err


@pytest.mark.e2e
def test_missing_commit_that_cannot_be_fetched_is_a_clear_error(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "copilot/x", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "copilot/x", depth=1)
    shutil.rmtree(origin.root)
    run = run_action(
        tmp_path, work, event(origin, head_branch="copilot/x", head_sha=head, base_sha=base)
    )
    assert run.code == 2
    assert "fetch-depth: 0" in run.err
    assert "Traceback" not in run.err


# -- merge queues, pushes and manual runs -------------------------------------------------------

REPOSITORY = {"id": 1296269, "full_name": "octo-org/app", "default_branch": "main"}


def test_merge_group_is_checked_with_its_base_and_head(tmp_path: Path) -> None:
    """A required check under a merge queue: the queue's commit (main plus the pull request)
    is checked against the queue's base, so only the pull request's files count."""
    origin, base, head = origin_with_pr(
        tmp_path, "billing-fix", {"src/billing/invoice.py": "TOTAL = 1\n"}
    )
    queue = f"gh-readonly-queue/main/pr-7-{base}"
    origin.git("checkout", "-q", "-b", queue, base)
    origin.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", head)
    queue_sha = origin.git("rev-parse", "HEAD").strip()
    origin.git("checkout", "-q", "main")
    work = clone(tmp_path, origin, queue, depth=1)
    payload = {
        "action": "checks_requested",
        "merge_group": {
            "head_sha": queue_sha,
            "head_ref": f"refs/heads/{queue}",
            "base_sha": base,
            "base_ref": "refs/heads/main",
            "head_commit": {"id": queue_sha, "message": "Merge pull request #7"},
        },
        "repository": REPOSITORY,
    }
    run = run_action(
        tmp_path, work, payload, event_name="merge_group", AGENTCHECK_INPUT_AGENTS_ONLY="false"
    )
    assert run.code == 1, run.err
    assert [c.split("::")[1] for c in run.annotated("error")] == [
        "error file=src/billing/invoice.py,line=1,col=1,title=AC101 outside-task-paths"
    ]
    assert "1 file checked" in run.summary
    assert f"{base}...{queue_sha}" in run.summary


def test_push_is_checked_from_before_to_after(tmp_path: Path) -> None:
    origin = Repo(tmp_path / "origin")
    origin.commit("Start", {".agentcheck/task.toml": TASK, "agentcheck.toml": POLICY})
    before = origin.commit("Notifications", {"src/notifications/a.py": "A = 1\n"})
    after = origin.commit("Deploy", {"deploy/prod.yml": "replicas: 9\n"})
    work = clone(tmp_path, origin, "main")
    payload = {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "created": False,
        "forced": False,
        "commits": [{"id": after, "message": "Deploy"}],
        "repository": REPOSITORY,
    }
    run = run_action(tmp_path, work, payload, event_name="push")
    assert run.code == 1, run.err
    assert sarif_codes(run) == ["AC101", "AC301"]
    assert "1 file checked" in run.summary
    assert run.outputs["protected"] == "true"

    # A push that creates a branch has no "before": its commit's own change is checked.
    created = run_action(
        tmp_path, work, {**payload, "before": "0" * 40, "created": True}, event_name="push"
    )
    assert created.code == 1, created.err
    assert sarif_codes(created) == ["AC101", "AC301"]


def test_workflow_dispatch_checks_the_base_input_against_the_run_commit(tmp_path: Path) -> None:
    origin, _base, head = origin_with_pr(
        tmp_path, "billing-fix", {"src/billing/invoice.py": "TOTAL = 1\n"}
    )
    work = clone(tmp_path, origin, "billing-fix", depth=1)
    payload = {"ref": "refs/heads/billing-fix", "inputs": {}, "repository": REPOSITORY}
    run = run_action(
        tmp_path,
        work,
        payload,
        event_name="workflow_dispatch",
        AGENTCHECK_INPUT_BASE="main",
        AGENTCHECK_INPUT_AGENTS_ONLY="false",
        GITHUB_SHA=head,
    )
    assert run.code == 1, run.err
    assert sarif_codes(run) == ["AC101"]
    assert "1 file checked" in run.summary

    # A base that is no branch or commit is named as the input the user wrote.
    wrong = run_action(
        tmp_path, work, payload, event_name="workflow_dispatch", AGENTCHECK_INPUT_BASE="mian"
    )
    assert wrong.code == 2
    assert "base: 'mian' is not a commit" in wrong.err
    assert "title=agentcheck input base" in wrong.annotated("error")[0]


# -- inputs as the workflow wrote them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "name", "said"),
    [
        ({"AGENTCHECK_INPUT_FAIL_ON": "warnings"}, "fail-on", "fail-on: 'warnings' is not"),
        ({"AGENTCHECK_INPUT_AGENTS_ONLY": "yes"}, "agents-only", "agents-only: 'yes' is not"),
        ({"AGENTCHECK_INPUT_CONFIG": "ci/agentcheck.toml"}, "config", "config: 'ci/agentcheck"),
        ({"AGENTCHECK_INPUT_WORKING_DIRECTORY": "app"}, "working-directory", "working-directory"),
    ],
)
def test_a_bad_input_is_an_error_annotation_and_a_summary_line_naming_it(
    tmp_path: Path, env: dict[str, str], name: str, said: str
) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "notif-schema", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "notif-schema")
    payload = event(origin, head_branch="notif-schema", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload, **env)
    assert run.code == 2
    (annotation,) = run.annotated("error")
    assert f"title=agentcheck input {name}::" in annotation
    assert said in annotation
    assert f"the input `{name}` cannot be used" in run.summary
    # Nothing names a command-line flag the workflow never wrote, and nothing is a usage text.
    for text in (run.out, run.err, run.summary):
        assert "--" not in text.replace("...", "")
        assert "Usage:" not in text
    assert run.outputs == {}


def test_working_directory_input_checks_the_repository_checked_out_there(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "notif-schema", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    work = clone(tmp_path, origin, "notif-schema")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.move(str(work), str(workspace / "app"))
    payload = event(origin, head_branch="notif-schema", head_sha=head, base_sha=base)
    run = run_action(tmp_path, workspace, payload, AGENTCHECK_INPUT_WORKING_DIRECTORY="app")
    assert run.code == 0, run.err
    assert "1 file checked" in run.summary


# -- outputs and GitHub's annotation caps -------------------------------------------------------


def test_warnings_and_protected_outputs(tmp_path: Path) -> None:
    origin, base, head = origin_with_pr(
        tmp_path, "ci-tweak", {"deploy/prod.yml": "replicas: 9\n"}, task=False
    )
    work = clone(tmp_path, origin, "ci-tweak")
    payload = event(origin, head_branch="ci-tweak", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload)
    assert run.code == 0, run.err  # a person's pull request: process rules advise
    assert run.outputs["errors"] == "0"
    assert run.outputs["warnings"] == str(len(run.annotated("warning")))
    assert int(run.outputs["warnings"]) >= 1
    assert run.outputs["protected"] == "true"

    clean, clean_base, clean_head = origin_with_pr(
        tmp_path / "clean", "notif", {"src/notifications/schema.py": "FIELDS = ()\n"}
    )
    clean_work = clone(tmp_path / "clean", clean, "notif")
    quiet = run_action(
        tmp_path / "clean",
        clean_work,
        event(clean, head_branch="notif", head_sha=clean_head, base_sha=clean_base),
    )
    assert quiet.code == 0, quiet.err
    assert (quiet.outputs["warnings"], quiet.outputs["protected"]) == ("0", "false")


def test_past_the_annotation_caps_the_summary_counts_and_sarif_carries_all(
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {f"src/billing/part{i:02}.py": "X = 1\n" for i in range(13)}
    origin, base, head = origin_with_pr(tmp_path, "billing", files)
    work = clone(tmp_path, origin, "billing")
    payload = event(origin, head_branch="billing", head_sha=head, base_sha=base)
    run = run_action(tmp_path, work, payload, AGENTCHECK_INPUT_AGENTS_ONLY="false")
    assert run.code == 1, run.err
    assert run.outputs["errors"] == "13"
    closing = [line for line in run.out.splitlines() if "not annotated" in line]
    assert closing
    assert "3 findings not annotated inline" in closing[0]
    assert "these 3 appear only in this table" in run.summary
    assert sarif_codes(run) == ["AC101"] * 13


# -- events it cannot use ---------------------------------------------------------------------


@pytest.mark.e2e
def test_event_that_names_nothing_to_compare_says_to_set_the_base_input(
    repo: Repo, tmp_path: Path
) -> None:
    repo.commit("Start", {"a.py": ""})
    dispatch = {"ref": "refs/heads/main", "inputs": {}, "repository": {"default_branch": "main"}}
    run = run_action(tmp_path, repo.root, dispatch, event_name="workflow_dispatch")
    assert run.code == 2
    assert "set the `base` input" in run.err
    assert run.annotated("error"), "the reason is an annotation too"
    assert "Could not run" in run.summary
    assert run.outputs == {}


@pytest.mark.e2e
def test_without_an_event_it_says_what_to_pass(repo: Repo) -> None:
    repo.commit("Start", {"a.py": ""})
    done = run_agentcheck("action", cwd=repo.root)
    assert done.code == 2
    assert "--event FILE" in done.err


# -- injection ---------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "src/::error file=x::forged.py",
    "src/%0A::warning::forged.py",
    "src/line\nbreak::error::forged.py",
    "src/bidi\u202eyp.txt\u202c.py",
    "src/comma,colon:percent%25.py",
]


@pytest.mark.e2e
def test_hostile_file_names_give_one_command_per_finding(tmp_path: Path) -> None:
    branch = "copilot/hostile"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        dict.fromkeys(HOSTILE_NAMES, "X = 1\n"),
        message=f"Hostile ::error::names %0A\n\n{CLAUDE_TRAILER}\n",
    )
    work = clone(tmp_path, origin, branch)
    payload = event(
        origin,
        head_branch=branch,
        head_sha=head,
        base_sha=base,
        title="::error::forged title %0A",
        body="::warning::forged body\n::error::second line",
    )
    run = run_action(tmp_path, work, payload)
    assert run.code == 1, run.err
    assert len(run.commands) == int(run.outputs["findings"]) == len(HOSTILE_NAMES)
    assert all(c.startswith("::error file=src/") for c in run.commands)
    assert "\u202e" not in run.out
    assert "\u202e" not in run.summary
    assert "forged title" not in run.out
    for line in run.out.splitlines():
        assert line.startswith(("::error file=", "agentcheck: ")), line
    assert not any(line.lstrip().startswith("::") for line in run.err.splitlines())
    # Each command's properties stop at the first "::", and its file is the escaped path.
    files = sorted(re.match(r"::error file=([^,]*),", c).group(1) for c in run.commands)  # type: ignore[union-attr]
    assert all("::" not in f and "," not in f and ":" not in f for f in files)


# -- agent detection in the JSON report --------------------------------------------------------


def commit_as(repo: Repo, message: str, files: dict[str, str], **identity: str) -> str:
    for path, content in files.items():
        repo.write(path, content)
    repo.git("add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo.root,
        env=clean_env(**identity),
        check=True,
    )
    return repo.git("rev-parse", "HEAD").strip()


@pytest.mark.e2e
def test_json_says_no_agent_without_pull_request_commits_or_environment(repo: Repo) -> None:
    repo.commit("Start", {"a.py": ""})
    repo.write("b.py", "B = 1\n")
    repo.git("add", "-A")
    document = repo.run("diff", "--staged", "--format", "json").json()
    assert document["agent"] == {"detected": False, "by": []}
    assert document["authorship"]["kind"] == "person"
    assert document["authorship"]["reason"] == "no agent signal: process rules advise"


@pytest.mark.e2e
def test_json_agent_from_commit_identities(repo: Repo) -> None:
    base = repo.commit("Start", {"a.py": ""})
    commit_as(
        repo,
        "By a person called Claude",
        {"b.py": "B = 1\n"},
        GIT_AUTHOR_NAME="Claude Monet",
        GIT_AUTHOR_EMAIL="claude@monet.example",
    )
    people = repo.run("diff", f"{base}..HEAD", "--format", "json").json()["agent"]
    assert people == {"detected": False, "by": []}

    commit_as(
        repo,
        "By Cursor",
        {"c.py": "C = 1\n"},
        GIT_AUTHOR_NAME="Cursor Agent",
        GIT_AUTHOR_EMAIL="cursoragent@cursor.com",
    )
    commit_as(
        repo,
        "Committed by OpenHands",
        {"d.py": "D = 1\n"},
        GIT_COMMITTER_NAME="openhands",
        GIT_COMMITTER_EMAIL="openhands@all-hands.dev",
    )
    commit_as(
        repo,
        "Devin's",
        {"e.py": "E = 1\n"},
        GIT_AUTHOR_NAME="Devin AI",
        GIT_AUTHOR_EMAIL="158243242+devin-ai-integration[bot]@users.noreply.github.com",
    )
    agent = repo.run("diff", f"{base}..HEAD", "--format", "json").json()["agent"]
    assert agent["detected"] is True
    found = {(b["agent"], b["signal"]) for b in agent["by"]}
    assert found == {
        ("Cursor", "commit-author"),
        ("OpenHands", "commit-committer"),
        ("Devin", "commit-author"),
    }


@pytest.mark.e2e
def test_json_agent_from_the_commit_message_being_written(repo: Repo, tmp_path: Path) -> None:
    repo.commit("Start", {"a.py": ""})
    repo.write("b.py", "B = 1\n")
    repo.git("add", "-A")
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(f"Add b\n\n{CLAUDE_TRAILER}\n# a comment line\n", encoding="utf-8")
    done = repo.run("diff", "--staged", "--message", str(message), "--format", "json")
    assert done.json()["agent"] == {
        "detected": True,
        "by": [
            {
                "agent": "Claude Code",
                "signal": "co-author",
                "value": "Claude <noreply@anthropic.com>",
            }
        ],
    }


# -- action.yml: the wiring itself --------------------------------------------------------------

INPUTS = {
    "task",
    "config",
    "fail-on",
    "agents-only",
    "sarif-file",
    "python-version",
    "working-directory",
    "base",
    "head",
}
OUTPUTS = {"findings", "errors", "warnings", "protected", "agent", "sarif-file"}
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def action_yml() -> dict[str, Any]:
    loader = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
    found: dict[str, Any] = json.loads(
        run(sys.executable, "-c", loader, str(PROJECT / "action.yml"), cwd=PROJECT)
    )
    return found


def steps_by_id(action: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in action["runs"]["steps"]}


def test_action_yml_passes_inputs_as_environment_never_into_scripts() -> None:
    action = action_yml()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == INPUTS
    assert set(action["outputs"]) == OUTPUTS
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], "an expression in a script is an injection point"
            assert step["shell"] == "bash", "bash exists on Linux, macOS and Windows runners"
    check = steps_by_id(action)["check"]
    wired = {EXPRESSION.fullmatch(value).group(1) for value in check["env"].values()}  # type: ignore[union-attr]
    assert {f"inputs.{name}" for name in INPUTS - {"python-version"}} <= wired
    setup = steps_by_id(action)["python"]
    assert setup["with"]["update-environment"] is False, "the job's own Python stays untouched"


def test_action_yml_pins_every_action_by_commit_and_caches_pip() -> None:
    """A tag can be moved to other code; a commit id cannot."""
    steps = steps_by_id(action_yml())
    used = [step["uses"] for step in steps.values() if "uses" in step]
    assert used
    for uses in used:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
    cache = steps["cache"]
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"] == "${{ steps.cache-key.outputs.dir }}"
    assert steps["install"]["env"]["PIP_CACHE_DIR"] == "${{ steps.cache-key.outputs.dir }}"


def _expand(value: str, context: dict[str, str]) -> str:
    return EXPRESSION.sub(lambda m: context[m.group(1)], value)


def run_step(
    step: dict[str, Any], context: dict[str, str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """One composite `run` step as the runner runs it: expressions expanded into its env, the
    script given to bash, $GITHUB_OUTPUT read back."""
    outputs = cwd.parent / f"output-{step['id']}"
    outputs.write_text("", encoding="utf-8")
    step_env = {**env, "GITHUB_OUTPUT": str(outputs)}
    step_env.update({k: _expand(str(v), context) for k, v in step.get("env", {}).items()})
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env=step_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return done, parse_outputs(outputs.read_text(encoding="utf-8"))


@pytest.mark.e2e
def test_action_yml_installs_agentcheck_from_its_own_files_and_checks(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = committed_project(tmp_path_factory)
    pip_env = offline_pip_env(tmp_path_factory)
    branch = "copilot/billing"
    origin, base, head = origin_with_pr(
        tmp_path,
        branch,
        {"src/billing/invoice.py": "TOTAL = 1\n"},
        author="copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
    )
    work = clone(tmp_path, origin, branch)
    # Modules in the pull request's files named like the ones the steps run must never load.
    for name in ("checker", "pip", "venv"):
        (work / name).mkdir()
        (work / name / "__init__.py").write_text("raise SystemExit('PR code ran')\n")
        (work / name / "__main__.py").write_text("raise SystemExit('PR code ran')\n")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    event_file = tmp_path / "event.json"
    event_file.write_text(
        json.dumps(event(origin, head_branch=branch, head_sha=head, base_sha=base)),
        encoding="utf-8",
    )
    summary = tmp_path / "summary.md"
    env = {
        **pip_env,
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    context = {
        "steps.python.outputs.python-path": sys.executable,
        "steps.python.outputs.python-version": "3.12.7",
        "github.action_path": str(source),
        "inputs.task": "",
        "inputs.config": "",
        "inputs.fail-on": "",
        "inputs.agents-only": "true",
        "inputs.sarif-file": "",
        "inputs.working-directory": "",
        "inputs.base": "",
        "inputs.head": "",
    }
    steps = steps_by_id(action_yml())

    keyed, key_outputs = run_step(steps["cache-key"], context, {**env, "RUNNER_OS": "Linux"}, work)
    assert keyed.returncode == 0, keyed.stderr
    assert key_outputs["key"].startswith("agentcheck-pip-Linux-3.12.7-")
    context["steps.cache-key.outputs.dir"] = key_outputs["dir"]
    assert Path(key_outputs["dir"]).is_relative_to(runner_temp)

    installed, install_outputs = run_step(steps["install"], context, env, work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    context["steps.install.outputs.bin"] = install_outputs["bin"]
    assert Path(install_outputs["bin"]).is_relative_to(runner_temp)

    checked, outputs = run_step(steps["check"], context, env, work)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "PR code ran" not in checked.stdout + checked.stderr
    assert outputs["agent"] == "true"
    assert outputs["errors"] == "1"
    assert outputs["sarif-file"] == str(runner_temp / "agentcheck.sarif")
    assert "::error file=src/billing/invoice.py" in checked.stdout
    assert "## agentcheck" in summary.read_text(encoding="utf-8")
