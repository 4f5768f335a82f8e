"""The command line. Thin: it parses options, calls the stages, and turns FatalError into a
one-paragraph message and exit status 2. Heavy modules are imported inside the commands so
`agentcheck --version` stays fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from checker.model.errors import FatalError, missing_dependency

try:
    import click
except ImportError as _missing:  # no command can run without it, nor print a usage text
    sys.stderr.write(f"agentcheck: error: {missing_dependency(_missing) or _missing}\n")
    sys.exit(2)

from checker import __version__

if TYPE_CHECKING:
    from checker.engine.selection import Selection

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _fail(message: str) -> None:
    from checker.domain.hiddentext.escape import visible

    # One line, whatever a path or git's stderr held: no line breaks, no terminal controls.
    click.echo(f"agentcheck: error: {visible(message, keep_tabs=True)}", err=True)
    sys.exit(EXIT_ERROR)


def _guarded(func: F) -> F:
    """Every command's boundary: our errors become exit 2 with a message, never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FatalError as exc:
            _fail(str(exc))
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(130)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            if os.environ.get("AGENTCHECK_DEBUG"):
                raise
            _fail(
                missing_dependency(exc)
                or f"internal error ({type(exc).__name__}: {exc}). This is a bug in agentcheck; "
                "rerun with AGENTCHECK_DEBUG=1 for the traceback and report it."
            )
        return None

    return wrapper  # type: ignore[return-value]


def _codes(value: str | None, option: str, strict: bool = True) -> tuple[str, ...]:
    if not value:
        return ()
    from checker.config import catalog

    known = catalog.all_rules()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    # Not strict: a code no rule has selects nothing (a hook written for a newer rule set).
    for code in codes if strict else ():
        if not any(k.startswith(code) for k in known):
            raise FatalError(
                f"{option} {code}: no rule has that code or prefix; "
                "`agentcheck rules` lists them (e.g. AC1, AC101)."
            )
    return codes


def _selection(select: str | None, ignore: str | None, strict: bool = True) -> Selection:
    from checker.engine.selection import Selection

    return Selection(
        _codes(select, "--select", strict=strict), _codes(ignore, "--ignore", strict=strict)
    )


# Report options that `diff` and `scan` share.
_OUTPUT = click.option(
    "--output", "output_file", metavar="FILE", help="Write the report to FILE instead of stdout."
)
_FAIL_ON = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    help="Lowest severity that fails (default: policy, else error).",
)

# ruff's spelling (--output-format) and this tool's (--format) name one option; concise is
# the text report with one line per finding.
_FORMAT = click.option(
    "--format",
    "--output-format",
    "fmt",
    type=click.Choice(["text", "concise", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="text: findings with source and help; concise: one line each; json, sarif, or github "
    "(workflow annotations).",
)
_QUIET = click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing when there is no finding (text formats)."
)


def run() -> None:
    """The `agentcheck` command: `main`, then an exit that skips freeing what the run built
    (as mypy's fast exit does): a run that read a package's import graph would spend tens of
    milliseconds on it. The output is flushed first; a flush that fails exits 120, as
    Python's own exit does then."""
    try:
        main()
        status = 0
    except SystemExit as done:
        status = _status(done.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream
            status = 120
    os._exit(status)


def _status(code: object) -> int:
    """The exit status SystemExit(CODE) gives, as Python's own exit gives it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="agentcheck", message="%(prog)s %(version)s"
)
def main() -> None:
    """Check a change written by a coding agent against the process the team declared."""


@main.command()
@click.argument("revision_range", metavar="[RANGE]", required=False)
@click.option(
    "--staged", is_flag=True, help="Check the index against HEAD (what will be committed)."
)
@click.option("--base", "base_ref", metavar="REF", help="Check REF...HEAD (from the merge base).")
@click.option(
    "--since",
    "since_ref",
    metavar="REF",
    help="Check the commits since REF and everything uncommitted (what `agentcheck hook` checks).",
)
@click.option(
    "--patch", "patch_file", metavar="FILE|-", help="Read a unified diff instead of asking git."
)
@click.option(
    "--task", "task_file", metavar="FILE", help="Task spec (default .agentcheck/task.toml)."
)
@click.option(
    "--config", "config_file", metavar="FILE", help="Policy file (default agentcheck.toml)."
)
@click.option(
    "--policy-from", "policy_rev", metavar="REV", help="Read policy and task from REV (for CI)."
)
@click.option(
    "--context",
    "context_file",
    metavar="FILE",
    help="GitHub event JSON (default $GITHUB_EVENT_PATH under Actions).",
)
@_FORMAT
@_QUIET
@click.option(
    "--sarif", "sarif_file", metavar="FILE", help="Also write the report as SARIF to FILE."
)
@click.option(
    "--pre-push",
    is_flag=True,
    help="Check what is being pushed: $PRE_COMMIT_FROM_REF...$PRE_COMMIT_TO_REF (pre-commit).",
)
@click.option(
    "--message",
    "message_file",
    metavar="FILE",
    help="A commit message being written (the commit-msg hook passes it); checked with the change.",
)
@_OUTPUT
@_FAIL_ON
@click.option("--select", metavar="CODES", help="Only these codes or prefixes (AC1,AC301).")
@click.option("--ignore", metavar="CODES", help="Skip these codes or prefixes.")
@click.option(
    "--allow-unknown-codes",
    is_flag=True,
    help="--select/--ignore codes no rule has match nothing instead of being an error.",
)
@click.option(
    "--show-change", is_flag=True, help="Print the change as agentcheck reads it (JSON); no checks."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every file the import graph needs, keeping nothing for the next run "
    "(also AGENTCHECK_NO_CACHE=1).",
)
@_guarded
def diff(
    revision_range: str | None,
    staged: bool,
    base_ref: str | None,
    since_ref: str | None,
    patch_file: str | None,
    task_file: str | None,
    config_file: str | None,
    policy_rev: str | None,
    context_file: str | None,
    message_file: str | None,
    fmt: str,
    quiet: bool,
    sarif_file: str | None,
    pre_push: bool,
    output_file: str | None,
    fail_on: str | None,
    select: str | None,
    ignore: str | None,
    allow_unknown_codes: bool,
    show_change: bool,
    no_cache: bool,
) -> None:
    """Check a change: uncommitted work (default), --staged, a RANGE (A..B, A...B, REV),
    --base REF, --since REF, or a --patch file."""
    from checker.usecases.diff import Request, check_change

    chosen = [
        name
        for name, given in (
            ("RANGE", revision_range),
            ("--staged", staged),
            ("--base", base_ref),
            ("--since", since_ref),
            ("--patch", patch_file),
            ("--pre-push", pre_push),
        )
        if given
    ]
    if len(chosen) > 1:
        raise FatalError(
            f"{' and '.join(chosen)} cannot be combined: pick one way to say which change to check."
        )
    if pre_push:
        from checker.adapters.precommit import push_range

        revision_range = push_range()
        if revision_range is None:
            click.echo("agentcheck: the push starts a new history; there is no base to compare.")
            sys.exit(0)
    request = Request(
        revision_range or (f"{base_ref}...HEAD" if base_ref else None),
        staged,
        patch_file,
        task_file,
        config_file,
        policy_rev,
        context_file,
        message_file,
        since=since_ref,
        pushing=pre_push,
        remember=not no_cache,
    )
    text, failed = check_change(
        request,
        fmt=fmt,
        fail_on=fail_on,
        selection=_selection(select, ignore, strict=not allow_unknown_codes),
        show_change=show_change,
        sarif_file=sarif_file,
        color=_color(output_file, fmt),
        quiet=quiet,
    )
    _emit(text, output_file)
    sys.exit(EXIT_FINDINGS if failed else 0)


def _color(output_file: str | None, fmt: str) -> bool:
    """Colour only text written to a terminal, unless NO_COLOR is set."""
    return (
        output_file is None
        and sys.stdout.isatty()
        and fmt in ("text", "concise")
        and "NO_COLOR" not in os.environ
    )


def _emit(text: str, output_file: str | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise FatalError(f"--output {output_file}: cannot be written: {exc.strerror}.") from None


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATHS]...")
@click.option(
    "--config", "config_file", metavar="FILE", help="Policy file (default agentcheck.toml)."
)
@_FORMAT
@_QUIET
@_OUTPUT
@_FAIL_ON
@click.option("--select", metavar="CODES", help="Only these codes or prefixes (AC501,AC503).")
@click.option("--ignore", metavar="CODES", help="Skip these codes or prefixes.")
@_guarded
def scan(
    paths: tuple[str, ...],
    config_file: str | None,
    fmt: str,
    quiet: bool,
    output_file: str | None,
    fail_on: str | None,
    select: str | None,
    ignore: str | None,
) -> None:
    """Scan whole files for hidden Unicode (AC501-AC505): PATHS (files or directories), or by
    default the repository's agent instruction files."""
    from checker.usecases.scan import scan_files

    text, failed = scan_files(
        paths=paths,
        config_file=config_file,
        fmt=fmt,
        fail_on=fail_on,
        selection=_selection(select, ignore),
        color=_color(output_file, fmt),
        quiet=quiet,
    )
    _emit(text, output_file)
    sys.exit(EXIT_FINDINGS if failed else 0)


@main.command(name="rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    help="markdown: the full reference (docs/rules.md).",
)
@_guarded
def list_rules(fmt: str) -> None:
    """List every rule: code, name, default severity."""
    from checker.report.rules import listing

    click.echo(listing(fmt), nl=False)


@main.command()
@click.argument("code")
@_guarded
def explain(code: str) -> None:
    """Explain a rule: what it finds, why, an example, and how to allow it."""
    from checker.config import catalog
    from checker.report.rules import explanation

    rule = catalog.all_rules().get(code.strip().upper())
    if rule is None:
        raise FatalError(f"no rule {code!r}: `agentcheck rules` lists every code.")
    click.echo(explanation(rule), nl=False)


@main.command()
@click.option("--force", is_flag=True, help="Overwrite an existing agentcheck.toml.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the policy instead of writing it.")
@click.option(
    "--pyproject",
    is_flag=True,
    help="Write the policy as [tool.agentcheck] in pyproject.toml instead of agentcheck.toml.",
)
@click.option(
    "--agent",
    "agents",
    multiple=True,
    type=click.Choice(["claude", "codex", "gemini", "copilot", "cursor"]),
    help="Write or merge this agent's end-of-turn hook (repeatable) instead of the policy.",
)
@_guarded
def init(force: bool, to_stdout: bool, pyproject: bool, agents: tuple[str, ...]) -> None:
    """Write a starter agentcheck.toml from what the repository contains, or (--agent) an
    agent's hook configuration that runs `agentcheck hook` at the end of its turn."""
    if agents:
        from checker.usecases.init import install_agent_hooks

        click.echo(install_agent_hooks(agents))
        return
    from checker.usecases.init import write_starter

    text, message = write_starter(force=force, to_stdout=to_stdout, pyproject=pyproject)
    if text:
        click.echo(text, nl=False)
    if message:  # beside a policy on stdout, notes go to stderr so the policy can be redirected
        click.echo(message, err=bool(text))


@main.command()
@click.argument("agent", type=click.Choice(["claude", "codex", "gemini", "copilot", "cursor"]))
@click.option("--base", "base_ref", metavar="REF", help="Compare the agent's change with REF.")
def hook(agent: str, base_ref: str | None) -> None:
    """Run inside a coding agent's end-of-turn hook: read its event on standard input, check
    the change of its run, and answer in its own blocking form."""
    from checker.adapters.agenthook import MAX_EVENT_BYTES
    from checker.usecases.hook import run

    try:
        raw = sys.stdin.buffer.read(MAX_EVENT_BYTES + 1)
    except OSError:
        raw = b""
    answer = run(agent, raw, base_ref)
    if answer.stdout:
        click.echo(answer.stdout, nl=False)
    if answer.stderr:
        click.echo(answer.stderr, nl=False, err=True)
    sys.exit(answer.exit_status)


@main.command(name="action")
@click.option(
    "--event",
    "event_path",
    metavar="FILE",
    envvar="GITHUB_EVENT_PATH",
    help="The pull request event JSON (default $GITHUB_EVENT_PATH).",
)
@click.option(
    "--task", "task_file", metavar="FILE", envvar="AGENTCHECK_TASK", help="Task spec, at the base."
)
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    envvar="AGENTCHECK_CONFIG",
    help="Policy file, read at the base revision.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    envvar="AGENTCHECK_FAIL_ON",
    help="Lowest severity that fails (default: the base policy, else error).",
)
@click.option(
    "--agents-only/--all-authors",
    default=None,
    envvar="AGENTCHECK_AGENTS_ONLY",
    help="Whose pull requests every rule binds: an agent's (process rules advise on others), "
    "or everyone's; default: the base policy's `enforce` (\"agents\").",
)
@click.option(
    "--sarif",
    "sarif_file",
    metavar="FILE",
    envvar="AGENTCHECK_SARIF_FILE",
    help="Write SARIF here (default $RUNNER_TEMP/agentcheck.sarif under Actions).",
)
@click.option("--remote", default="origin", show_default=True, help="Where to fetch history.")
@_guarded
def action(
    event_path: str | None,
    task_file: str | None,
    config_file: str | None,
    fail_on: str | None,
    agents_only: bool | None,
    sarif_file: str | None,
    remote: str,
) -> None:
    """Check a pull request as the GitHub Action does: base...head, policy and task from the
    base, annotations, job summary, SARIF and step outputs."""
    from checker.usecases.action import Options, report_failure, run

    options = Options(event_path, task_file, config_file, fail_on, agents_only, sarif_file, remote)
    try:
        outcome = run(options, sys.stdout)
    except FatalError as exc:
        report_failure(str(exc), sys.stdout, exc)
        raise
    sys.exit(EXIT_FINDINGS if outcome.failed else 0)
