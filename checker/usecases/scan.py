"""The data flow of `agentcheck scan`: whole files, not a change, checked for hidden Unicode.

Without PATHS the files are the repository's agent instruction files (tracked or untracked,
not ignored). A directory in PATHS stands for its files, listed by git inside a repository
(so .gitignore holds) and walked otherwise; the policy's `exclude` drops discovered files,
never one named on the command line. Paths in findings are relative to the repository's
root, as in `agentcheck diff`, or as given for files outside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.model.errors import FatalError
from checker.model.finding import Finding

if TYPE_CHECKING:
    from checker.adapters.git import Repository
    from checker.config.policy import Policy
    from checker.engine.selection import Selection


class Target(NamedTuple):
    shown: str  # the path in findings, and the one policy globs match
    full: Path  # where to read it
    named: bool  # named on the command line (not discovered)


def scan_files(
    *,
    paths: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    fail_on: str | None,
    selection: Selection,
    color: bool,
    quiet: bool = False,
) -> tuple[str, bool]:
    """The report's text and whether it fails at the chosen threshold."""
    from checker.checks import limits as limits_check
    from checker.checks import policy_schema
    from checker.checks import unicode as unicode_check
    from checker.config import catalog
    from checker.config import policy as policies
    from checker.domain.hiddentext import filescan
    from checker.engine import run as engine
    from checker.engine.selection import Decision, fails, threshold
    from checker.model import caps
    from checker.model.report import Report
    from checker.report import render

    with _repository() as repo:
        root = repo.root if repo is not None else Path.cwd()
        policy = policies.load(root, config_file, policy_schema())
        targets = list(_targets(paths, repo, root, policy))
    allowances = unicode_check.settings(policy).allowances
    decision = Decision(selection, policy.severity)
    only = [c for c in unicode_check.CODES if decision.runs(c, catalog.rule(c).severity)]
    found: list[Finding] = []
    binary = 0
    for target in targets:
        read = _read(target)
        if read is None:
            continue
        data, too_large = read
        if too_large is not None:  # not read whole: AC901 when it is text, else binary
            if caps.is_text(data):
                instruction = policy.instruction_files.match(target.shown)
                found.append(limits_check.finding(target.shown, too_large, instruction))
            else:
                binary += 1
            continue
        allowed = allowances.at(target.shown)
        scanned = filescan.scan_bytes(data, allowed.points) if only else filescan.Scan([], "")
        if scanned.encoding == "binary":
            binary += 1
            continue
        instruction = policy.instruction_files.match(target.shown)
        found.extend(
            unicode_check.finding(hit, target.shown, instruction)
            for hit in scanned.hits
            if hit.code not in allowed.codes
        )
    findings = engine.settle(found, policy, selection)
    # pre-commit passes every file by name: a summary names one path at most.
    if not paths:
        source = "scan of the repository's instruction files"
    else:
        source = f"scan of {paths[0]}" if len(paths) == 1 else f"scan of {len(paths)} paths"
    if binary:
        source += f"; {binary} binary file{'' if binary == 1 else 's'} skipped"
    report = Report(
        findings=findings,
        waived=[],
        files=len(targets) - binary,
        source=source,
        policy=policy.source,
        task=None,
    )
    if fmt == "github":  # the same reporters as `agentcheck diff`, job summary included
        from checker.adapters.github import append_summary
        from checker.report.github import summary

        append_summary(summary(report))
    return render(report, fmt, color, quiet), fails(findings, threshold(fail_on, policy))


@contextlib.contextmanager
def _repository() -> Iterator[Repository | None]:
    """The repository around the current folder, closed after the run; None outside one."""
    here = Path.cwd().resolve()
    if not any((p / ".git").exists() for p in (here, *here.parents)):
        yield None
        return
    from checker.adapters.git import Repository

    with Repository.find(".") as repo:
        yield repo


def _targets(
    paths: tuple[str, ...], repo: Repository | None, root: Path, policy: Policy
) -> Iterator[Target]:
    seen: set[Path] = set()
    if not paths:
        for target in _discover(root, repo, root, policy):
            if policy.instruction_files.match(target.shown):
                yield target
        return
    for given in paths:
        full = Path(given)
        if not full.exists() and not full.is_symlink():
            raise FatalError(
                f"{given}: no such file or directory. Name files or directories to scan, or "
                "run `agentcheck scan` alone to scan the repository's instruction files."
            )
        if full.is_dir():
            found = _discover(full, repo, root, policy)
        else:
            found = iter([Target(_shown(full, root, given), full, True)])
        for target in found:
            key = target.full.resolve()
            if key not in seen:
                seen.add(key)
                yield target


def _shown(full: Path, root: Path, given: str) -> str:
    try:
        return full.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.path.normpath(given)


def _discover(
    directory: Path, repo: Repository | None, root: Path, policy: Policy
) -> Iterator[Target]:
    """The regular files under DIRECTORY that are not excluded; symbolic links are skipped so
    a committed link cannot point the scan outside the repository."""
    inside = repo is not None and _within(directory, root)
    if repo is not None and inside:
        prefix = directory.resolve().relative_to(root.resolve()).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        names = sorted({*repo.index_files(), *repo.untracked()})
        candidates: Iterator[tuple[str, Path]] = (
            (name, root / name) for name in names if name.startswith(prefix)
        )
    else:
        candidates = _walk(directory, root)
    for shown, full in candidates:
        if policy.exclude.match(shown) or full.is_symlink() or not full.is_file():
            continue
        yield Target(shown, full, False)


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _walk(directory: Path, root: Path) -> Iterator[tuple[str, Path]]:
    for base, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            full = Path(base) / name
            yield _shown(full, root, str(full)), full


def _read(target: Target) -> tuple[bytes, int | None] | None:
    """The file's bytes, or its first bytes and its size when it is over the read cap."""
    from checker.adapters.worktree import read_capped

    try:
        return read_capped(target.full)
    except OSError as exc:
        if not target.named and isinstance(exc, FileNotFoundError):
            return None  # listed by git but gone from the work tree
        raise FatalError(f"{target.shown}: cannot be read: {exc.strerror}.") from None
