"""The labelled claims dataset (tests/claims_cases/) run and scored: every case becomes a real
branch of a real repository, checked by `agentcheck diff` with a GitHub pull_request event
written for it (or `--message` for a commit message being written), and each claim code's
findings are counted against the case's labels. The command line runs in this process (click's
test runner, in the repository's folder, the environment as `clean_env` makes it): the same
code, real git, without 72 interpreters starting (the command's own start is tested
end-to-end elsewhere). Shared by tests/test_claims_dataset.py, which
holds the scores to their floors, and bench/claims.py, which prints them."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

from tests.conftest import Repo, Result, clean_env

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES = Path(__file__).resolve().parent / "claims_cases"
_TARGET = re.compile(r"does not touch ([^\s;]+)")


def _project() -> list[str]:
    files: list[str] = tomllib.loads((CASES / "project.toml").read_text())["files"]
    return files


def cases() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(CASES.glob("*.toml")):
        if path.name != "project.toml":
            found.extend(tomllib.loads(path.read_text(encoding="utf-8"))["case"])
    return found


def _content(path: str, note: str) -> str:
    if path.endswith(".json"):
        return json.dumps({"name": path, "note": note}) + "\n"
    if path.endswith((".toml", ".yml")):
        return f"# {path}\nnote = {json.dumps(note)}\n"
    if path.endswith((".md", ".sql")) or "." not in path.rsplit("/", 1)[-1]:
        return f"# {path}\n\n{note}\n"
    if path.endswith((".ts", ".tsx")):
        return f"// {path}\nexport const note = {json.dumps(note)};\n"
    return f'"""{path}"""\n\nNOTE = {note!r}\n'


def _apply(repo: Repo, change: dict[str, Any], label: str) -> None:
    for path in change.get("modify", []):
        assert (repo.root / path).is_file(), f"{label}: {path} is not in the project"
        with (repo.root / path).open("a", encoding="utf-8") as handle:
            handle.write(f"# changed by {label}\n")
    for path in change.get("add", []):
        repo.write(path, _content(path, f"added by {label}"))
    for path in change.get("delete", []):
        repo.git("rm", "-q", path)
    for old, new in change.get("rename", []):
        (repo.root / new).parent.mkdir(parents=True, exist_ok=True)
        repo.git("mv", old, new)
    repo.git("add", "-A")


def _event(case: dict[str, Any], number: int, base: str, head: str) -> dict[str, Any]:
    """A pull_request event as GitHub writes it to $GITHUB_EVENT_PATH (the fields that matter,
    and enough of the rest to look like one)."""
    author = case.get("author", "octocat")
    branch = case.get("branch", f"feature/case-{number}")
    user = {"login": author, "id": 1000 + number, "type": "Bot" if "[bot]" in author else "User"}
    return {
        "action": "opened",
        "number": number,
        "pull_request": {
            "url": f"https://api.github.com/repos/acme/shoplite/pulls/{number}",
            "html_url": f"https://github.com/acme/shoplite/pull/{number}",
            "number": number,
            "state": "open",
            "draft": False,
            "title": case.get("title", ""),
            "body": case.get("body"),
            "user": user,
            "labels": [],
            "head": {"label": f"acme:{branch}", "ref": branch, "sha": head, "user": user},
            "base": {"label": "acme:main", "ref": "main", "sha": base},
            "author_association": "CONTRIBUTOR",
            "created_at": "2025-06-12T09:30:00Z",
        },
        "repository": {"full_name": "acme/shoplite", "default_branch": "main"},
        "sender": user,
    }


class Outcome(NamedTuple):
    case: dict[str, Any]
    result: Result


def run_all(repo: Repo, tmp: Path) -> list[Outcome]:
    repo.commit("Initial import", {p: _content(p, "initial") for p in _project()})
    base = repo.git("rev-parse", "HEAD").strip()
    labelled = cases()
    ranged: list[tuple[int, list[str]]] = []
    pending: list[int] = []
    for index, case in enumerate(labelled):
        label = case["id"]
        if "message" in case:
            pending.append(index)
            continue
        repo.git("checkout", "-q", "-b", f"case/{label}", "main")
        commits = case.get("commits") or [
            {"message": "Initial plan"},
            {
                "message": case["title"],
                **{k: case[k] for k in ("modify", "add", "delete", "rename") if k in case},
            },
        ]
        shas: list[str] = []
        for commit in commits:
            if "revert" in commit:
                repo.git("revert", "--no-edit", shas[commit["revert"]])
            else:
                _apply(repo, commit, label)
                repo.git("commit", "-q", "--allow-empty", "-m", commit["message"])
            shas.append(repo.git("rev-parse", "HEAD").strip())
        args = ["diff", f"main...case/{label}", "--format", "json", "--select", "AC6"]
        if case.get("title") or case.get("body"):
            event = tmp / f"event-{index}.json"
            event.write_text(json.dumps(_event(case, 100 + index, base, shas[-1]), indent=2))
            args += ["--context", str(event)]
        ranged.append((index, args))
    repo.git("checkout", "-q", "main")
    results: dict[int, Result] = {}
    for index, args in ranged:
        results[index] = in_process(repo.root, *args)
    for index in pending:  # a commit-msg hook: the staged change and the message file
        case = labelled[index]
        _apply(repo, case, case["id"])
        message = tmp / f"COMMIT_EDITMSG-{index}"
        message.write_text(case["message"] + "\n# Please enter the commit message.\n")
        results[index] = in_process(
            repo.root,
            *("diff", "--staged", "--message", str(message), "--format", "json", "--select", "AC6"),
        )
        repo.git("reset", "-q", "--hard", "main")
        repo.git("clean", "-qfd")
    return [Outcome(labelled[i], results[i]) for i in range(len(labelled))]


def in_process(root: Path, *args: str) -> Result:
    """`agentcheck ARGS` in ROOT, run by click's test runner in this process, with the
    environment the real command gets in the tests (`clean_env`: no agent's variables)."""
    from click.testing import CliRunner

    from checker.cli import main

    wanted = clean_env()
    env: dict[str, str | None] = {k: None for k in os.environ if k not in wanted}
    env.update(wanted)
    here = os.getcwd()
    os.chdir(root)
    try:
        try:  # click before 8.2 mixes the two streams unless told not to
            runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
        except TypeError:
            runner = CliRunner()
        done = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(here)
    return Result(done.exit_code, done.stdout, done.stderr)


def _matches(expected: str, target: str) -> bool:
    target = target.rstrip("/")
    return expected == target or target.endswith("/" + expected) or expected.endswith("/" + target)


class Score(NamedTuple):
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0




CODES = ("AC601", "AC602", "AC604", "AC605")


class Scored(NamedTuple):
    cases: int
    truthful: int
    scores: dict[str, Score]  # per code, and "overall"
    problems: list[str]  # each wrong or missed finding, by case
    noisy_truthful: list[str]  # truthful cases with any finding

    def report(self) -> str:
        return f"claims dataset: {self.cases} cases ({self.truthful} truthful); " + "; ".join(
            f"{code} precision {s.precision:.3f} recall {s.recall:.3f} "
            f"(TP {s.true_positives}, FP {s.false_positives}, FN {s.false_negatives})"
            for code, s in self.scores.items()
        )


def score(outcomes: list[Outcome]) -> Scored:
    """Each code's true and false positives and false negatives over OUTCOMES: AC601 by the
    file each finding names; the other codes one finding per case, or none."""
    counts = {code: [0, 0, 0] for code in CODES}
    problems: list[str] = []
    noisy_truthful: list[str] = []
    for outcome in outcomes:
        case, result = outcome.case, outcome.result
        if result.code not in (0, 1):
            raise RuntimeError(f"{case['id']}: agentcheck exited {result.code}: {result.err}")
        findings = result.json()["findings"]
        expected = [e.split(" ", 1) for e in case["expect"]]
        wanted = [e[1] for e in expected if e[0] == "AC601"]
        for finding in (f for f in findings if f["code"] == "AC601"):
            target = _TARGET.search(finding["message"])
            if target is None:
                raise RuntimeError(f"{case['id']}: AC601 names no file: {finding['message']}")
            hit = next((w for w in wanted if _matches(w, target.group(1))), None)
            if hit is not None:
                wanted.remove(hit)
                counts["AC601"][0] += 1
            else:
                counts["AC601"][1] += 1
                problems.append(f"{case['id']}: unexpected {finding['message']}")
        counts["AC601"][2] += len(wanted)
        problems.extend(f"{case['id']}: missed AC601 {w}" for w in wanted)
        for code in CODES[1:]:
            wants = any(e[0] == code for e in expected)
            has = any(f["code"] == code for f in findings)
            counts[code][0] += wants and has
            counts[code][1] += has and not wants
            counts[code][2] += wants and not has
            if has != wants:
                problems.append(f"{case['id']}: {code} expected {wants}, found {has}")
        if case["truthful"] and findings:
            noisy_truthful.append(f"{case['id']}: {[f['message'] for f in findings]}")
    scores = {code: Score(*counted) for code, counted in counts.items()}
    scores["overall"] = Score(*(sum(column) for column in zip(*counts.values(), strict=True)))
    labelled = [o.case for o in outcomes]
    truthful = sum(1 for c in labelled if c["truthful"])
    return Scored(len(labelled), truthful, scores, problems, noisy_truthful)
