"""The GitHub Action's logic (action.yml only installs agentcheck and calls `agentcheck action`).

On a pull request event: find the merge base of the pull request's base and head, deepening a
shallow clone a bounded number of commits when needed; check base...head with the policy and
task read from the base revision, never from the change; who wrote the pull request decides
how the process rules bind (the policy's `enforce`, or the agents-only input). It prints
annotations, appends the job summary, writes SARIF and sets the step's outputs. Nothing from
the pull request is executed: its commits are only read."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import NamedTuple, TextIO

from checker.adapters.git import Repository
from checker.model.authorship import ENFORCE
from checker.model.errors import FatalError
from checker.model.report import Report

# A shallow clone is first completed to this depth for commits it lacks, then deepened by
# these steps until base and head meet: 2,000 commits of history at most.
INITIAL_DEPTH = 50
DEEPEN_STEPS = (100, 350, 1500)
DEFAULT_SARIF = "agentcheck.sarif"


class Options(NamedTuple):
    event_path: str | None = None  # default: $GITHUB_EVENT_PATH
    task_file: str | None = None  # read at the base revision
    config_file: str | None = None  # read at the base revision
    fail_on: str | None = None  # default: the base policy's fail-on
    agents_only: bool | None = None  # None: the policy's `enforce`; True: "agents"; False: "all"
    sarif_file: str | None = None  # default: $RUNNER_TEMP/agentcheck.sarif under Actions
    remote: str = "origin"


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


def _sarif_path(given: str | None) -> str | None:
    if given:
        return given
    temp = os.environ.get("RUNNER_TEMP")
    return str(Path(temp) / DEFAULT_SARIF) if temp else None


def _repo_path(path: str | None) -> str | None:
    """An input naming a file in the repository, as a path inside the base revision."""
    if not path:
        return None
    return path.replace("\\", "/").removeprefix("./")


def report_failure(message: str, out: TextIO) -> None:
    """Why the check could not run, where the pull request's author looks: one error
    annotation and a line in the job summary. The caller still exits with status 2."""
    from checker.adapters.github import append_summary
    from checker.domain.hiddentext.escape import visible
    from checker.report.github import escape_data, md

    out.write(f"::error title=agentcheck could not run::{escape_data(visible(message))}\n")
    out.flush()
    with contextlib.suppress(FatalError):  # the message still reaches the log and annotation
        append_summary(f"## agentcheck\n\n**Could not run**: {md(message)}\n")


def run(options: Options, out: TextIO) -> Outcome:
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

    event_path = options.event_path or os.environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise FatalError(
            "no event: pass --event FILE, or run under GitHub Actions where $GITHUB_EVENT_PATH "
            "names the event that triggered the workflow."
        )
    pull_request = context.load_event(event_path)
    if pull_request is None:
        raise FatalError(
            f"{event_path}: the event has no pull_request. The agentcheck Action checks pull "
            "requests: trigger the workflow with `on: pull_request`."
        )
    if not pull_request.base_sha or not pull_request.head_sha:
        raise FatalError(
            f"{event_path}: pull_request.base.sha and pull_request.head.sha are needed to "
            "know what to compare; pass the event JSON GitHub wrote."
        )
    base_sha, head_sha = pull_request.base_sha, pull_request.head_sha
    with Repository.find(".") as repo:
        request = Request(
            revision_range=f"{base_sha}...{head_sha}",
            task_file=_repo_path(options.task_file),
            config_file=_repo_path(options.config_file),
            # The base branch's tip: its policy governs what merges into it, and the change
            # under review cannot edit it.
            policy_rev=base_sha,
            context_file=event_path,
            pull_request=pull_request,
            merge_base=find_base(repo, options.remote, base_sha, head_sha),
        )
        inputs = read_inputs(request, repo)
        enforce = None if options.agents_only is None else ENFORCE[not options.agents_only]
        authorship = authorship_of(inputs, request, enforce)
        report = build_report(inputs, None, authorship)
    agent = authorship.agent
    fail_on = threshold(options.fail_on, inputs.policy, authorship)
    # Every file first: when one cannot be written the run stops with exit 2 and no finding
    # has been printed (exit 2 never prints findings).
    append_summary(summary(report))
    sarif_file = _sarif_path(options.sarif_file)
    if sarif_file:
        write_text(sarif_file, render(report, "sarif"), "sarif-file")
    write_outputs(
        {
            "findings": str(len(report.findings)),
            "errors": str(report.count("error")),
            "agent": "true" if agent else "false",
            "sarif-file": sarif_file or "",
        }
    )
    out.write(render(report, "github"))
    out.flush()
    return Outcome(report, fails(report.findings, fail_on), agent, sarif_file)
