"""The data flow of `agentcheck diff`: read the change, load policy and task, run the checks,
report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.model.change import PENDING_COMMIT, ChangeSet, Commit, PullRequest
from checker.model.errors import FatalError
from checker.model.reader import FileReader

if TYPE_CHECKING:
    from checker.adapters.git import Repository
    from checker.config.policy import Policy
    from checker.config.task import Task
    from checker.report import Report


def _rev_reader(repo: Repository, rev: str) -> Callable[[str], str | None]:
    sha = repo.resolve(rev)

    def read(path: str) -> str | None:
        data = repo.show_file(sha, path)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise FatalError(f"{path} (at {rev}): not UTF-8; policy files must be UTF-8.") from None

    return read


class Inputs(NamedTuple):
    """What the checks look at: the change, a reader of its files, the policy and the task."""

    change: ChangeSet
    reader: FileReader
    policy: Policy
    task: Task | None


class Request(NamedTuple):
    """Which change to check and where its policy, task and context come from."""

    revision_range: str | None = None  # None: uncommitted work, or the index with `staged`
    staged: bool = False
    patch_file: str | None = None
    task_file: str | None = None
    config_file: str | None = None
    policy_rev: str | None = None
    context_file: str | None = None
    message_file: str | None = None


def read_inputs(request: Request) -> Inputs:
    """Read the change with its pull request context, the policy and the task."""
    from checker.adapters import github as context
    from checker.config import policy as policies
    from checker.config import task as tasks

    repo = None
    if request.patch_file is None or request.policy_rev is not None or _inside_repository():
        from checker.adapters.git import Repository

        repo = Repository.find(".")
    root = repo.root if repo is not None else Path.cwd()

    event_path = request.context_file or context.default_event_path()
    pull_request: PullRequest | None = context.load_event(event_path) if event_path else None

    read_at_rev: Callable[[str], str | None] | None = None
    rev_label = ""
    if request.policy_rev is not None:
        assert repo is not None
        read_at_rev = _rev_reader(repo, request.policy_rev)
        rev_label = request.policy_rev
    policy = policies.load(root, request.config_file, read_at_rev, rev_label)
    task = tasks.load(
        root, request.task_file, pull_request.body if pull_request else None, read_at_rev, rev_label
    )

    change, reader = _read_change(repo, request.revision_range, request.staged, request.patch_file)
    if pull_request is not None:
        change = change._replace(pull_request=pull_request)
    if request.message_file is not None:
        change = change._replace(commits=(*change.commits, _message_commit(request.message_file)))

    return Inputs(change, reader, policy, task)


def build_report(
    inputs: Inputs, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> Report:
    """Run the checks and gather what every reporter needs."""
    from checker.engine import run as engine
    from checker.report import Report

    change, policy, task = inputs.change, inputs.policy, inputs.task
    outcome = engine.run(change, policy, task, inputs.reader, engine.Selection(select, ignore))
    agent = None
    if change.pull_request is not None or change.commits:
        from checker.domain.agents import detect

        agent = detect(change.pull_request, change.commits)
    return Report(
        findings=outcome.findings,
        waived=outcome.waived,
        files=len(engine.without_excluded(change, policy).files),
        source=change.source,
        policy=policy.source,
        task=f"{task.id} ({task.source})"
        if task is not None and task.values.get("id")
        else (task.source if task is not None else None),
        agent=agent,
    )


def check_change(
    request: Request,
    *,
    fmt: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: bool,
    show_change: bool = False,
    sarif_file: str | None = None,
) -> tuple[str, bool]:
    """The report's text and whether it fails at the chosen threshold."""
    from checker.model.finding import fails
    from checker.report import render

    inputs = read_inputs(request)
    if show_change:
        from checker.report.change import render_change

        return render_change(inputs.change), False
    report = build_report(inputs, select, ignore)
    if sarif_file is not None:
        write_text(sarif_file, render(report, "sarif"), "--sarif")
    if fmt == "github":
        from checker.report.github import write_summary

        write_summary(report)
    threshold = fail_on or inputs.policy.fail_on
    return render(report, fmt, color), fails(report.findings, threshold)


def write_text(path: str, text: str, option: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FatalError(f"{option} {path}: cannot be written: {exc.strerror}.") from None


def _inside_repository() -> bool:
    here = Path.cwd().resolve()
    return any((p / ".git").exists() for p in (here, *here.parents))


def _read_change(
    repo: Repository | None, revision_range: str | None, staged: bool, patch_file: str | None
) -> tuple[ChangeSet, FileReader]:
    from checker.adapters import gitchange as changes

    if patch_file is not None:
        from checker.adapters.patchfile import from_patch

        return from_patch(patch_file)
    assert repo is not None
    if staged:
        return changes.from_index(repo)
    if revision_range:
        return changes.from_range(repo, revision_range)
    return changes.from_worktree(repo)


def _message_commit(path: str) -> Commit:
    """The commit message a commit-msg hook is given, as git will record it: comment lines and
    everything below the scissors line dropped."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FatalError(
            f"--message {path}: cannot be read: {exc.strerror}. Pass the commit message file "
            "(the commit-msg hook passes .git/COMMIT_EDITMSG)."
        ) from None
    text = raw.decode("utf-8", "replace")
    kept = []
    for line in text.splitlines():
        if line.startswith("# ------------------------ >8 ------------------------"):
            break
        if not line.startswith("#"):
            kept.append(line)
    return Commit(PENDING_COMMIT, "", "", "\n".join(kept).strip("\n"))
