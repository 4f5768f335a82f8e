"""`agentcheck diff`: read the change, load policy and task, run the checks, report."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.model.change import ChangeSet, PullRequest
from checker.model.errors import FatalError
from checker.model.reader import FileReader

if TYPE_CHECKING:
    from checker.adapters.git import Repository
    from checker.config.policy import Policy
    from checker.config.task import Task
    from checker.engine.selection import Selection
    from checker.model.authorship import Authorship
    from checker.model.report import Report


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
    pull_request: PullRequest | None = None  # the event already read (the Action reads it)
    merge_base: str | None = None  # a range's merge base, when the caller has found it
    since: str | None = None  # the commits since this revision and everything uncommitted
    # The environment the run was started in, read for an agent's variables (a local run: the
    # command line, the pre-commit hooks); None where it says nothing of the change (CI).
    environ: Mapping[str, str] | None = None
    hook: str | None = None  # the agent whose end-of-turn hook started the run
    # The revision the policy alone is read from (the task still from the work tree): HEAD for
    # a local run an agent started, which must not loosen its own policy.
    policy_at: str | None = None
    # The commits being pushed (the pre-push hook): those a remote already has (merged in from
    # the base branch) were written and reviewed before; they say nothing of this push's author.
    pushing: bool = False
    # Keep what reading files found for the next run, and use what earlier runs kept
    # (adapters/memofile): local runs; the Action reads every file.
    remember: bool = False


def rev_reader(repo: Repository, rev: str) -> Callable[[str], str | None]:
    """The text of a file at REV, for policy and task files (which must be UTF-8)."""
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


@contextlib.contextmanager
def repository_for(request: Request) -> Iterator[Repository | None]:
    """The repository the request reads from, found once and closed after the run; None for
    a patch file checked outside any repository."""
    if request.patch_file is not None and request.policy_rev is None and not _inside_repository():
        yield None
        return
    from checker.adapters.git import Repository

    with Repository.find(".") as repo:
        yield repo


def read_inputs(request: Request, repo: Repository | None) -> Inputs:
    """Read the change with its pull request context, the policy and the task."""
    from checker.adapters import github
    from checker.checks import policy_schema
    from checker.config import policy as policies
    from checker.config import task as tasks

    root = repo.root if repo is not None else Path.cwd()
    pull_request = request.pull_request
    if pull_request is None:
        event_path = request.context_file or github.default_event_path()
        pull_request = github.load_event(event_path) if event_path else None

    read_at_rev: Callable[[str], str | None] | None = None
    rev_label = ""
    if request.policy_rev is not None:
        assert repo is not None
        read_at_rev = rev_reader(repo, request.policy_rev)
        rev_label = request.policy_rev
    if request.policy_at is not None and read_at_rev is None and repo is not None:
        policy = policies.load(
            root,
            request.config_file,
            policy_schema(),
            rev_reader(repo, request.policy_at),
            request.policy_at,
        )
    else:
        policy = policies.load(root, request.config_file, policy_schema(), read_at_rev, rev_label)
    task = tasks.load(
        root, request.task_file, pull_request.body if pull_request else None, read_at_rev, rev_label
    )

    change, reader = _read_change(repo, request)
    if request.pushing and repo is not None and change.head is not None and change.commits:
        new = repo.commits_not_on_remotes(change.head)
        change = change._replace(commits=tuple(c for c in change.commits if c.sha in new))
    if pull_request is not None:
        change = change._replace(pull_request=pull_request)
    if request.message_file is not None:
        from checker.adapters.precommit import message_commit

        change = change._replace(commits=(*change.commits, message_commit(request.message_file)))
    return Inputs(change, reader, policy, task)


def authorship_of(inputs: Inputs, request: Request, enforce: str | None = None) -> Authorship:
    """Who wrote the change: the hook that started the run, the environment it was started in,
    the pull request and the commits; whether a task governs it; and whom every rule binds
    (ENFORCE, else the policy's)."""
    from checker.domain.agents import authorship

    task = inputs.task
    return authorship(
        inputs.change.pull_request,
        inputs.change.commits,
        environ=request.environ,
        hook=request.hook,
        task=task.source if task is not None else None,
        enforce=enforce or inputs.policy.enforce,
    )


def build_report(
    inputs: Inputs, selection: Selection | None = None, authorship: Authorship | None = None
) -> Report:
    """Run the checks and gather what every reporter needs; AUTHORSHIP decides how the process
    rules bind (None: every rule binds, as for a change no one is known to have written)."""
    from checker.engine import run as engine
    from checker.model.report import Report

    change, policy, task = inputs.change, inputs.policy, inputs.task
    outcome = engine.run(change, policy, task, inputs.reader, selection, authorship)
    return Report(
        findings=outcome.findings,
        waived=outcome.waived,
        files=outcome.files,
        source=change.source,
        policy=policy.source,
        task=f"{task.id} ({task.source})"
        if task is not None and task.values.get("id")
        else (task.source if task is not None else None),
        authorship=authorship,
        base=change.base,
    )


def check_change(
    request: Request,
    *,
    fmt: str,
    fail_on: str | None,
    selection: Selection,
    color: bool,
    show_change: bool = False,
    sarif_file: str | None = None,
    quiet: bool = False,
) -> tuple[str, bool]:
    """The report's text and whether it fails at the chosen threshold."""
    from checker.engine.selection import fails, threshold
    from checker.report import render

    if request.environ is None:
        import os

        request = request._replace(environ=os.environ)
    with repository_for(request) as repo:
        request = _agent_policy(request, repo)
        inputs = read_inputs(request, repo)
        if show_change:
            from checker.report.change import render_change

            return render_change(inputs.change), False
        authorship = authorship_of(inputs, request)
        # CI's runs (--policy-from) read every file: see adapters/memofile.
        remember = request.remember and request.policy_rev is None
        with remembering(inputs.reader, repo, request.environ if remember else None):
            report = build_report(inputs, selection, authorship)
    if sarif_file is not None:
        write_text(sarif_file, render(report, "sarif"), "--sarif")
    if fmt == "github":
        from checker.adapters.github import append_summary
        from checker.report.github import summary

        append_summary(summary(report))
    failed = fails(report.findings, threshold(fail_on, inputs.policy, authorship))
    return render(report, fmt, color, quiet), failed


@contextlib.contextmanager
def remembering(
    reader: FileReader, repo: Repository | None, environ: Mapping[str, str] | None
) -> Iterator[None]:
    """For the run inside: READER with what earlier runs on REPO kept (the import graph's
    edges by blob id), saved with what this run added after it; nothing where ENVIRON is None
    or says AGENTCHECK_NO_CACHE."""
    from checker.adapters import memofile
    from checker.adapters.gitchange import GitReader

    if environ is None or repo is None or not isinstance(reader, GitReader):
        yield
        return
    if not memofile.enabled(environ):
        yield
        return

    def stamp() -> str:  # the import graph's reading code; loaded when the memo is first read
        from checker.domain.importgraph import chains

        return chains.stamp()

    reader.memo = memofile.load(repo.root, stamp, environ)
    yield
    memofile.save(repo.root, stamp, reader.memo, environ)


def _agent_policy(request: Request, repo: Repository | None) -> Request:
    """A local run an agent's shell started reads the policy from HEAD: the agent's own edit
    to it in the work tree or the index is part of the change (AC302), not its rules."""
    from checker.domain.agents import environment_signals

    given = (request.policy_rev, request.config_file, request.patch_file)
    if any(v is not None for v in given) or repo is None or repo.head() is None:
        return request
    if not environment_signals(request.environ or {}):
        return request
    return request._replace(policy_at="HEAD")


def write_text(path: str, text: str, option: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FatalError(f"{option} {path}: cannot be written: {exc.strerror}.") from None


def _inside_repository() -> bool:
    here = Path.cwd().resolve()
    return any((p / ".git").exists() for p in (here, *here.parents))


def _read_change(repo: Repository | None, request: Request) -> tuple[ChangeSet, FileReader]:
    if request.patch_file is not None:
        from checker.adapters.patchfile import from_patch

        return from_patch(request.patch_file)
    from checker.adapters import gitchange

    assert repo is not None
    if request.staged:
        return gitchange.from_index(repo)
    if request.revision_range:
        return gitchange.from_range(repo, request.revision_range, request.merge_base)
    return gitchange.from_worktree(repo, request.since)
