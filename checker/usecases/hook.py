"""`agentcheck hook AGENT`: inside a coding agent's end-of-turn hook, check the change of the
agent's run and answer in the agent's own blocking form, so the model undoes what breaks the
process before a person reviews it.

The change is everything uncommitted plus the commits made since the base (--base REF, the
policy's [hooks] base, the merge base with the remote's default branch, else HEAD), so a
commit the agent makes never hides its edit. The agent's final message is a claim source.
Warnings block by default ([hooks] fail-on): a block costs a turn, not a person. The same
findings are blocked at most [hooks] max-blocks times in a row (and any findings at most
CHAIN_FACTOR times that), then the agent may stop with a notice; the findings still stand at
the commit and pull-request checks.
Gemini CLI's final text is every text of the prompt so far; after a block, only what follows
the text that block judged is judged, so a report the model corrected is read on its own.

A hook that cannot judge the turn (broken input, no repository, a policy error) lets the agent
stop and says why where a person sees it: the loop fails open, the commit and pull-request
gates fail closed."""

from __future__ import annotations

import datetime
import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.model.errors import FatalError

if TYPE_CHECKING:
    from checker.adapters.agenthook import AgentEvent
    from checker.config.task import Task
    from checker.model.finding import Finding

# However the findings change, a run is blocked at most this many times max-blocks in a row.
CHAIN_FACTOR = 4
# Reflog times are whole seconds: a commit in the second the session began is the agent's.
_CLOCK_SLACK = datetime.timedelta(seconds=1)


def _task_touched(
    root: Path, task: Task | None, started: datetime.datetime | None
) -> list[Finding]:
    """AC302 for a task spec written after the agent's session began: the task scopes the
    agent, so the agent may not widen it (a person writes it before the session)."""
    from checker.model.finding import Finding

    if task is None or started is None or task.path is None:
        return []
    try:
        written = (root / task.path).stat().st_mtime
    except OSError:
        return []
    if written <= started.timestamp():
        return []
    return [
        Finding(
            "AC302",
            f"{task.path} (the task spec) was written during the agent's run: it decides what "
            "agentcheck checks, so a human must review this edit",
            task.path,
        )
    ]


class Answer(NamedTuple):
    stdout: str  # what the agent reads
    stderr: str  # what a person sees in the agent's log
    exit_status: int


def run(agent: str, raw: bytes, base_ref: str | None) -> Answer:
    """Judge one end-of-turn event of AGENT (RAW: its standard input)."""
    from checker.adapters import agenthook
    from checker.domain.hiddentext.escape import visible

    try:
        return _judge(agenthook.read_event(agent, raw), base_ref)
    except FatalError as exc:
        notice = visible(
            f"agentcheck could not check this turn, so the agent may stop: {exc} The commit "
            "and pull-request checks still apply."
        )
        return Answer(agenthook.release(agent, notice), f"agentcheck: {notice}\n", 0)


def _fingerprint(findings: list[Finding]) -> str:
    digest = hashlib.sha256()
    for finding in findings:
        item = (finding.code, finding.path, finding.line, finding.message)
        digest.update(repr(item).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _judge(event: AgentEvent, base_ref: str | None) -> Answer:
    from checker.adapters import agenthook, gitchange, hookstate
    from checker.adapters.git import Repository
    from checker.checks import policy_schema
    from checker.config import policy as policies
    from checker.config import task as tasks
    from checker.domain import agents
    from checker.domain.hiddentext.escape import visible
    from checker.engine import run as engine
    from checker.engine.selection import fails
    from checker.model.finding import sort_key
    from checker.model.report import Report
    from checker.report import feedback
    from checker.usecases.diff import remembering, rev_reader

    folder = event.cwd or os.getcwd()
    if not Path(folder).is_dir():
        raise FatalError(f"the event's cwd {folder!r} is not a folder on this machine.")
    started = agenthook.session_start(event.transcript)
    with Repository.find(folder) as repo:
        # Where the run began: HEAD when the session started (its reflog), else the merge base
        # with the remote's default branch, else HEAD. The policy is read there, never from the
        # work tree the agent writes; the task (which a person keeps uncommitted) is read from
        # the work tree, and reported when the run touched it.
        begun = repo.head_at(started - _CLOCK_SLACK) if started is not None else None
        governing = begun or repo.default_branch_base() or ("HEAD" if repo.head() else None)
        read_at = rev_reader(repo, governing) if governing else None
        policy = policies.load(repo.root, None, policy_schema(), read_at, governing or "")
        task = tasks.load(repo.root, None, None)
        settings = policy.hooks
        since = base_ref or settings.base or governing
        change, reader = gitchange.from_worktree(repo, since)
        key = f"{repo.root}\0{event.agent}\0{event.session}"
        streak = hookstate.load(key)
        message, continuing = event.final_message, event.continuing
        later = agenthook.after_block(event.agent, message, streak.said) if streak else None
        if later is not None:
            # The text goes on from the one last blocked: the same turn, whatever the agent
            # says of it, judged on its newest words.
            message, continuing = later, True
        change = change._replace(final_message=message)
        authorship = agents.authorship(
            None,
            change.commits,
            hook=event.agent,
            task=task.source if task is not None else None,
            enforce=policy.enforce,
        )
        with remembering(reader, repo, os.environ):
            outcome = engine.run(change, policy, task, reader, authorship=authorship)
        touched = _task_touched(repo.root, task, started)
    findings = sorted([*outcome.findings, *touched], key=sort_key)
    report = Report(
        findings=findings,
        waived=[],
        files=outcome.files,
        source=change.source,
        policy=policy.source,
        task=(f"{task.id} ({task.source})" if task.values.get("id") else task.source)
        if task is not None
        else None,
        authorship=authorship,
    )
    if not fails(report.findings, settings.fail_on):
        hookstate.save(key, None)
        return Answer("", "", 0)

    continuing = continuing if continuing is not None else streak is not None
    if not continuing:
        streak = None
    fingerprint = _fingerprint(report.findings)
    same = streak.same + 1 if streak and streak.fingerprint == fingerprint else 1
    blocks = streak.blocks + 1 if streak else 1
    said = hookstate.said(event.final_message)
    remembered = hookstate.save(
        key, hookstate.Streak(fingerprint, same, blocks, time.time(), said)
    )
    # With no memory of earlier blocks, a stop that follows one is let go: never a loop.
    forgetful = not remembered and continuing and streak is None
    if same > settings.max_blocks or blocks > settings.max_blocks * CHAIN_FACTOR or forgetful:
        hookstate.save(key, None)
        count = len(report.findings)
        earlier = (
            "blocked this run before (agentcheck cannot keep count: the cache folder is not "
            "writable)"
            if forgetful
            else f"blocked this run {blocks - 1} time(s) in a row"
        )
        notice = visible(
            f"agentcheck {earlier} and lets the agent stop; "
            f"{count} finding{'' if count == 1 else 's'} remain for a person to review "
            f"(`agentcheck diff --since {since or 'HEAD'}` lists them). They still stand at "
            "the commit and pull-request checks."
        )
        return Answer(agenthook.release(event.agent, notice), f"agentcheck: {notice}\n", 0)
    reason = feedback.render(report, since or "HEAD", agenthook.FEEDBACK_CHARS)
    return Answer(agenthook.block(event.agent, reason), "", 0)
