"""The GitHub Action's logic (action.yml only installs agentcheck and calls `agentcheck action`).

On a pull request or merge_group event (base and head of the event), a push (before and
after) or workflow_dispatch (the `base` and `head` inputs): find the merge base of base and
head, deepening a shallow clone a bounded number of commits when needed; check base...head
with the policy and task read from the base revision, never from the change; who wrote the
change decides how the process rules bind (the policy's `enforce`, or the agents-only
input). It prints annotations, appends the job summary, writes SARIF and sets the step's
outputs. Nothing from the change is executed: its commits are only read."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from checker.adapters.git import Repository
from checker.model.authorship import ENFORCE
from checker.model.errors import FatalError
from checker.model.report import Report

# A shallow clone is first completed to this depth for commits it lacks, then deepened by
# these steps until base and head meet: 2,000 commits of history at most.
INITIAL_DEPTH = 50
DEEPEN_STEPS = (100, 350, 1500)
DEFAULT_SARIF = "agentcheck.sarif"


ZERO_SHA = "0" * 40
FAIL_ON = ("error", "warning", "never")
BOOLEANS = {"true": True, "false": False}
# The Action's inputs reach the program as these variables (action.yml), checked here so a
# mistake is named as the user wrote it in the workflow, not as a command-line flag.
INPUT_PREFIX = "AGENTCHECK_INPUT_"


class InputError(FatalError):
    """An Action input the user wrote that cannot be used; NAME is the input's name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class Options(NamedTuple):
    event_path: str | None = None  # default: $GITHUB_EVENT_PATH
    task_file: str | None = None  # read at the base revision
    config_file: str | None = None  # read at the base revision
    fail_on: str | None = None  # default: the base policy's fail-on
    agents_only: bool | None = None  # None: the policy's `enforce`; True: "agents"; False: "all"
    sarif_file: str | None = None  # default: $RUNNER_TEMP/agentcheck.sarif under Actions
    remote: str = "origin"
    base: str | None = None  # a revision; needed on workflow_dispatch, else the event's base
    head: str | None = None  # a revision; default: the event's head ($GITHUB_SHA, HEAD)
    working_directory: str | None = None  # the repository to check, relative to the job's


def _input(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(INPUT_PREFIX + name.upper().replace("-", "_"), "").strip()
    return value or None


def with_inputs(options: Options, environ: Mapping[str, str]) -> Options:
    """OPTIONS completed from the Action's inputs (action.yml), each one checked: a value that
    cannot be used is an InputError naming the input and the value as written."""
    fail_on = _input(environ, "fail-on")
    if fail_on is not None:
        if fail_on.lower() not in FAIL_ON:
            raise InputError(
                "fail-on",
                f"fail-on: {fail_on!r} is not a severity agentcheck knows. Write `fail-on: "
                "error`, `fail-on: warning` or `fail-on: never`, or leave it out to use the "
                "policy's fail-on.",
            )
        options = options._replace(fail_on=fail_on.lower())
    agents_only = _input(environ, "agents-only")
    if agents_only is not None:
        if agents_only.lower() not in BOOLEANS:
            raise InputError(
                "agents-only",
                f"agents-only: {agents_only!r} is not a boolean. Write `agents-only: true` or "
                "`agents-only: false`, or leave it out to use the policy's `enforce`.",
            )
        options = options._replace(agents_only=BOOLEANS[agents_only.lower()])
    for name, field in (
        ("task", "task_file"),
        ("config", "config_file"),
        ("sarif-file", "sarif_file"),
        ("base", "base"),
        ("head", "head"),
        ("working-directory", "working_directory"),
    ):
        value = _input(environ, name)
        if value is not None:
            given: dict[str, Any] = {field: value}
            options = options._replace(**given)
    return options


class Outcome(NamedTuple):
    report: Report
    failed: bool
    agent: bool
    sarif_file: str | None


def _log(message: str) -> None:
    print(f"agentcheck: {message}", file=sys.stderr, flush=True)


def _fetch(
    repo: Repository, remote: str, shas: tuple[str, ...], depth: int | None = None, deepen: int = 0
) -> None:
    try:
        repo.fetch(remote, shas, depth=depth, deepen=deepen)
    except FatalError as exc:
        raise FatalError(
            f"{exc} agentcheck fetches the pull request's history from the remote "
            f"'{remote}' when the clone lacks it; check out the repository with "
            "actions/checkout and `fetch-depth: 0` so nothing needs fetching."
        ) from None


def find_base(repo: Repository, remote: str, base_sha: str, head_sha: str) -> str:
    """The merge base of the pull request's base and head, fetching what a shallow clone
    lacks (boundedly); an error that says to set fetch-depth: 0 when that is not enough."""
    missing = tuple(sha for sha in dict.fromkeys((base_sha, head_sha)) if not repo.has_commit(sha))
    if missing:
        shallow = repo.is_shallow()
        _log(f"fetching {', '.join(s[:12] for s in missing)}: the clone does not hold it")
        _fetch(repo, remote, missing, depth=INITIAL_DEPTH if shallow else None)
        absent = [sha for sha in missing if not repo.has_commit(sha)]
        if absent:
            raise FatalError(
                f"commit {absent[0]} of the pull request is not in the clone and could not be "
                f"fetched from '{remote}'. Check out the repository with actions/checkout and "
                "`fetch-depth: 0`."
            )
    base = repo.find_merge_base(base_sha, head_sha)
    added = 0
    for step in DEEPEN_STEPS:
        if base is not None or not repo.is_shallow():
            break
        _log(f"the clone is shallow; fetching {step} more commits to find the merge base")
        _fetch(repo, remote, tuple(dict.fromkeys((base_sha, head_sha))), deepen=step)
        added += step
        base = repo.find_merge_base(base_sha, head_sha)
    if base is not None:
        return base
    if repo.is_shallow():
        raise FatalError(
            f"no merge base between the pull request's base {base_sha[:12]} and head "
            f"{head_sha[:12]} within {added} more commits of history: the clone is too shallow. "
            "Set `fetch-depth: 0` on actions/checkout so agentcheck sees the whole history."
        )
    raise FatalError(
        f"the pull request's base {base_sha[:12]} and head {head_sha[:12]} share no commit: "
        "there is no merge base to compare with."
    )


def _sarif_path(given: str | None, environ: Mapping[str, str]) -> str | None:
    if given:
        return given
    temp = environ.get("RUNNER_TEMP")
    return str(Path(temp) / DEFAULT_SARIF) if temp else None


def _repo_path(path: str | None) -> str | None:
    """An input naming a file in the repository, as a path inside the base revision."""
    if not path:
        return None
    return path.replace("\\", "/").removeprefix("./")


def report_failure(message: str, out: TextIO, error: BaseException | None = None) -> None:
    """Why the check could not run, where the pull request's author looks: one error
    annotation and a line in the job summary. The caller still exits with status 2."""
    from checker.adapters.github import append_summary
    from checker.domain.hiddentext.escape import visible
    from checker.report.github import escape_data, escape_property, md

    title = "agentcheck could not run"
    line = f"**Could not run**: {md(message)}"
    if isinstance(error, InputError):
        title = f"agentcheck input {error.name}"
        line = f"**Could not run: the input `{md(error.name)}` cannot be used**: {md(message)}"
    out.write(f"::error title={escape_property(title)}::{escape_data(visible(message))}\n")
    out.flush()
    with contextlib.suppress(FatalError):  # the message still reaches the log and annotation
        append_summary(f"## agentcheck\n\n{line}\n")


class Target(NamedTuple):
    """What an event asks to check: base...head, and the pull request when there is one."""

    base: str
    head: str
    pull_request: Any  # PullRequest | None
    label: str  # which event, for messages


def _sha_or_rev(repo: Repository, remote: str, name: str, rev: str) -> str:
    """An input naming a revision: a commit id, a branch of REMOTE or a local revision."""
    for candidate in (f"refs/remotes/{remote}/{rev}", rev):
        sha = repo.try_run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"
        )
        if sha:
            return sha.decode().strip()
    with contextlib.suppress(FatalError):
        repo.fetch(remote, (rev,))
        sha = repo.try_run("rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}")
        if sha:
            return sha.decode().strip()
    raise InputError(
        name,
        f"{name}: {rev!r} is not a commit, a branch of '{remote}' or a revision of the clone. "
        f"Write a branch name (`{name}: main`) or a commit id.",
    )


def target_of(
    event: dict[str, Any], event_name: str, event_path: str, options: Options, repo: Repository
) -> Target:
    """The base and head an event asks to check, completed or replaced by the base and head
    inputs."""
    from checker.adapters import github as context

    pull_request = context.pull_request_of(event, event_path)
    base = head = ""
    if pull_request is not None:
        base, head = pull_request.base_sha or "", pull_request.head_sha or ""
        label = "the pull request"
        if not options.base and (not base or not head):
            raise FatalError(
                f"{event_path}: pull_request.base.sha and pull_request.head.sha are needed to "
                "know what to compare; pass the event JSON GitHub wrote."
            )
    elif isinstance(event.get("merge_group"), dict):
        base = context.text_at(event, "merge_group.base_sha", event_path)
        head = context.text_at(event, "merge_group.head_sha", event_path)
        label = "the merge group"
    elif event_name == "push" or ("before" in event and "after" in event):
        base = context.text_at(event, "before", event_path)
        head = context.text_at(event, "after", event_path)
        label = "the push"
        if base == ZERO_SHA and head and not options.base:
            # A new branch: nothing was there before; the pushed commit's own change.
            parents = repo.parents(head) if repo.has_commit(head) else []
            base = parents[0] if parents else ""
            if not base:
                raise FatalError(
                    f"{event_path}: the push created a branch whose commit {head[:12]} has no "
                    "parent in the clone; set the `base` input to the branch it started from."
                )
    else:
        label = f"the {event_name or 'workflow'} event"
    if options.base:
        base = _sha_or_rev(repo, options.remote, "base", options.base)
    if options.head:
        head = _sha_or_rev(repo, options.remote, "head", options.head)
    elif not head and event_name == "workflow_dispatch":
        head = os.environ.get("GITHUB_SHA") or repo.resolve("HEAD")
    if not base or not head:
        raise FatalError(
            f"{event_path}: {label} says nothing to compare. The agentcheck Action checks "
            "`pull_request`, `merge_group` and `push` events; on `workflow_dispatch` or any "
            "other event set the `base` input (and `head`, default the run's commit)."
        )
    return Target(base, head, pull_request, label)


def _check_file_input(repo: Repository, name: str, path: str | None, base: str) -> None:
    if path and repo.show_file(base, path) is None:
        raise InputError(
            name,
            f"{name}: {path!r} is not a file at the base revision {base[:12]}: the Action reads "
            "it there, never from the change under review. Commit it to the base branch, fix "
            f"the path (relative to the repository root), or remove the `{name}` input.",
        )


def _touches_protected(inputs: Any) -> bool:
    from checker.checks.paths import settings

    protected = settings(inputs.policy).protected
    return any(
        protected.first_match(path) is not None for f in inputs.change.files for path in f.paths
    )


def run(options: Options, out: TextIO, environ: Mapping[str, str] | None = None) -> Outcome:
    from checker.adapters import github as context
    from checker.adapters.github import append_summary, write_outputs
    from checker.engine.selection import fails, threshold
    from checker.report import render
    from checker.report.github import summary
    from checker.usecases.diff import (
        Request,
        authorship_of,
        build_report,
        read_inputs,
        write_text,
    )

    environ = os.environ if environ is None else environ
    options = with_inputs(options, environ)
    if options.working_directory:
        where = Path(options.working_directory)
        if not where.is_dir():
            raise InputError(
                "working-directory",
                f"working-directory: {options.working_directory!r} is not a folder of the "
                f"job's workspace ({Path.cwd()}). Write the path of the checked-out repository "
                "relative to the workspace, as given to actions/checkout's `path`.",
            )
        os.chdir(where)
    event_path = options.event_path or environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise FatalError(
            "no event: pass --event FILE, or run under GitHub Actions where $GITHUB_EVENT_PATH "
            "names the event that triggered the workflow."
        )
    event = context.load_payload(event_path)
    event_name = environ.get("GITHUB_EVENT_NAME", "")
    with Repository.find(".") as repo:
        target = target_of(event, event_name, event_path, options, repo)
        merge_base = find_base(repo, options.remote, target.base, target.head)
        task_file, config_file = _repo_path(options.task_file), _repo_path(options.config_file)
        _check_file_input(repo, "config", config_file, target.base)
        _check_file_input(repo, "task", task_file, target.base)
        request = Request(
            revision_range=f"{target.base}...{target.head}",
            task_file=task_file,
            config_file=config_file,
            # The base branch's tip: its policy governs what merges into it, and the change
            # under review cannot edit it.
            policy_rev=target.base,
            context_file=event_path,
            pull_request=target.pull_request,
            merge_base=merge_base,
        )
        inputs = read_inputs(request, repo)
        enforce = None if options.agents_only is None else ENFORCE[not options.agents_only]
        authorship = authorship_of(inputs, request, enforce)
        report = build_report(inputs, None, authorship)
    agent = authorship.agent
    fail_on = threshold(options.fail_on, inputs.policy, authorship)
    # Every file first: when one cannot be written the run stops with exit 2 and no finding
    # has been printed (exit 2 never prints findings).
    summary_path = append_summary(summary(report))
    sarif_file = _sarif_path(options.sarif_file, environ)
    if sarif_file:
        write_text(sarif_file, render(report, "sarif"), "sarif-file")
    write_outputs(
        {
            "findings": str(len(report.findings)),
            "errors": str(report.count("error")),
            "warnings": str(report.count("warning")),
            "protected": "true" if _touches_protected(inputs) else "false",
            "agent": "true" if agent else "false",
            "sarif-file": sarif_file or "",
        }
    )
    out.write(render(report, "github"))
    if summary_path:
        out.write("agentcheck: the job summary lists every finding.\n")
    out.flush()
    return Outcome(report, fails(report.findings, fail_on), agent, sarif_file)
