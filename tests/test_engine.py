"""The engine in process: which findings count and at what severity, by the one precedence
rule (the most specific prefix wins), on changes built in memory."""

from __future__ import annotations

import pytest

from tests.memory import change_between, codes, pull_request, run

# A change that breaks three rules: an instruction file (AC303), a workflow (AC301) and a
# tag character (AC501).
BASE = {"README.md": "hello\n"}
HEAD = {
    "README.md": "hello\n",
    "CLAUDE.md": "be brief\n",
    ".github/workflows/ci.yml": "on: push\n",
    "notes.txt": "hidden\U000e0041\n",
}


def found(
    policy: str = "", select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> list[tuple[str, str | None]]:
    change, reader = change_between(BASE, HEAD, kind="worktree")
    return [
        (f.code, f.severity)
        for f in run(change, reader, policy=policy, select=select, ignore=ignore)
    ]


def test_defaults() -> None:
    assert found() == [("AC301", "error"), ("AC501", "error"), ("AC303", "warning")]


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (("AC3",), (), ["AC301", "AC303"]),
        ((), ("AC3",), ["AC501"]),
        # The longer prefix decides, whichever option it came from.
        (("AC301",), ("AC3",), ["AC301"]),
        (("AC3",), ("AC301",), ["AC303"]),
        # At equal length, --ignore wins.
        (("AC3",), ("AC3",), []),
        (("AC301", "AC5"), ("AC301",), ["AC501"]),
    ],
)
def test_select_and_ignore_most_specific_prefix_wins(
    select: tuple[str, ...], ignore: tuple[str, ...], expected: list[str]
) -> None:
    assert sorted(code for code, _ in found(select=select, ignore=ignore)) == expected


def test_severity_longest_prefix_wins_and_off_turns_off() -> None:
    policy = '[severity]\nAC3 = "warning"\nAC303 = "error"\nAC5 = "off"\n'
    assert sorted(found(policy)) == [("AC301", "warning"), ("AC303", "error")]


def test_severity_levels_do_not_select() -> None:
    """A [severity] level sets a level; only --select/--ignore choose which codes run."""
    policy = '[severity]\nAC303 = "error"\n'
    assert found(policy, select=("AC301",)) == [("AC301", "error")]
    assert found(policy, ignore=("AC3",)) == [("AC501", "error")]


def test_a_rule_off_by_default_runs_only_with_a_level() -> None:
    change, reader = change_between(
        {"a.py": "x = 1\n"}, {"a.py": "x = 2\n"}, pull_request=pull_request("All tests pass.")
    )
    assert "AC603" not in codes(run(change, reader))
    assert "AC603" not in codes(run(change, reader, select=("AC603",)))
    assert "AC603" in codes(run(change, reader, policy='[severity]\nAC603 = "info"\n'))
