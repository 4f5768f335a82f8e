"""Bounded resources: a file over the 8 MiB read cap is never read whole and is reported
(AC901), never passed in silence; long lines are scanned whole but not echoed; a patch over
its limit is refused. Memory is measured on the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.model import caps
from tests.conftest import COMMAND, Repo, clean_env

OVER = caps.MAX_FILE_BYTES + 1024 * 1024  # 9 MiB


def peak_kib(*args: str, cwd: Path) -> tuple[int, int, str]:
    """(exit status, peak resident memory in KiB of agentcheck and the git it runs, stdout)."""
    command = COMMAND
    wrapper = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([done.returncode, peak, done.stdout.decode('utf-8', 'replace')]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command, *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        check=True,
        timeout=300,
    )
    code, peak, out = json.loads(done.stdout)
    return int(code), int(peak), str(out)


def sparse(path: Path, start: bytes, size: int) -> Path:
    """A file of SIZE bytes that takes no disk: START, then a hole of zeros."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(start)
    os.truncate(path, size)
    return path


def text_start() -> bytes:
    return b"".join(b"line %d of a big generated file\n" % i for i in range(400))


@pytest.mark.e2e
def test_one_gib_untracked_text_file_is_reported_not_read(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    sparse(repo.root / "dump.sql", text_start(), 1 << 30)
    code, peak, out = peak_kib("diff", "--format", "json", cwd=repo.root)
    assert code == 0, out  # a warning: the default fail-on is error
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["path"], f["severity"]) for f in findings] == [
        ("AC901", "dump.sql", "warning")
    ]
    assert "1.0 GiB" in findings[0]["message"]
    assert peak < 200 * 1024, f"{peak} KiB: the file was read"


@pytest.mark.e2e
def test_one_gib_untracked_binary_file_is_binary_not_read(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    sparse(repo.root / "disk.img", b"", 1 << 30)
    code, peak, out = peak_kib("diff", "--show-change", cwd=repo.root)
    assert code == 0, out
    (seen,) = json.loads(out)["files"]
    assert (seen["path"], seen["binary"], seen["too_large"]) == ("disk.img", True, None)
    assert peak < 200 * 1024, f"{peak} KiB: the file was read"
    code, _, out = peak_kib("diff", "--format", "json", cwd=repo.root)
    assert (code, json.loads(out)["findings"]) == (0, [])


@pytest.mark.e2e
def test_one_gib_file_in_scan(tmp_path: Path) -> None:
    sparse(tmp_path / "notes" / "AGENTS.md", text_start(), 1 << 30)
    sparse(tmp_path / "notes" / "blob.bin", b"\0", 1 << 30)
    code, peak, out = peak_kib("scan", "notes", "--format", "json", cwd=tmp_path)
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("AC901", "notes/AGENTS.md")]
    # An instruction file nobody can read whole is an error, like hidden text would be.
    assert (code, findings[0]["severity"]) == (1, "error")
    assert peak < 200 * 1024, f"{peak} KiB: a file was read whole"


@pytest.mark.e2e
@pytest.mark.parametrize("mode", ["worktree", "staged", "range"])
def test_tracked_file_over_the_cap_is_reported_in_every_mode(repo: Repo, mode: str) -> None:
    big = b"x = 1\n" * (OVER // 6)
    repo.commit("base", {"data/table.csv": big, "small.txt": "s\n"})
    repo.write("data/table.csv", big + b"y = 2\n")
    repo.write("small.txt", "t\n")
    args: tuple[str, ...] = ()
    if mode != "worktree":
        repo.git("add", "-A")
        args = ("--staged",)
    if mode == "range":
        repo.commit("grow")
        args = ("HEAD~1..HEAD",)
    result = repo.run("diff", "--format", "json", *args)
    assert result.code == 0, result.err
    assert result.codes == ["AC901"], result.out
    assert json.loads(result.out)["findings"][0]["path"] == "data/table.csv"
    change = json.loads(repo.run("diff", "--show-change", *args).out)
    seen = {f["path"]: f for f in change["files"]}
    assert seen["data/table.csv"]["too_large"] == len(big) + 6
    assert seen["data/table.csv"]["binary"] is False
    assert seen["data/table.csv"]["added"] == []
    assert seen["small.txt"]["added"] == [[1, "t"]]  # the rest of the change is read as ever


@pytest.mark.e2e
def test_file_shrinking_below_the_cap_is_still_reported(repo: Repo) -> None:
    repo.commit("base", {"big.txt": b"a\n" * (OVER // 2)})
    repo.commit("shrink", {"big.txt": "a\n"})
    result = repo.run("diff", "HEAD", "--format", "json")
    assert result.codes == ["AC901"]  # git shows the pair as binary: no line was read


@pytest.mark.e2e
def test_big_binary_file_is_binary_not_too_large(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.commit("image", {"photo.raw": b"\x89PNG\0" + b"\1" * OVER})
    result = repo.run("diff", "HEAD", "--format", "json")
    assert (result.code, result.codes) == (0, [])
    change = json.loads(repo.run("diff", "HEAD", "--show-change").out)
    assert change["files"][0]["binary"] is True


@pytest.mark.e2e
def test_big_utf16_file_is_too_large_not_binary(repo: Repo) -> None:
    """UTF-16 text is full of NUL bytes; with its byte order mark it is text all the same."""
    repo.commit("base", {"a.txt": "a\n"})
    wide = "\ufeff".encode("utf-16-le") + "text\n".encode("utf-16-le") * (OVER // 10)
    repo.write("notes.txt", wide)
    result = repo.run("diff", "--format", "json")
    assert result.codes == ["AC901"]


@pytest.mark.e2e
def test_capped_findings_can_be_raised_turned_off_and_excluded(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("gen/out.json", b"[1]\n" * (OVER // 4))
    assert repo.run("diff").code == 0
    assert repo.run("diff", "--fail-on", "warning").code == 1
    repo.write("agentcheck.toml", '[severity]\nAC901 = "error"\n')
    assert repo.run("diff", "--format", "json").codes == ["AC901"]
    assert repo.run("diff").code == 1
    repo.write("agentcheck.toml", 'exclude = ["gen/**"]\n')
    result = repo.run("diff", "--format", "json")
    assert (result.code, result.codes) == (0, [])


@pytest.mark.e2e
def test_long_line_under_the_cap_is_scanned_whole_and_not_echoed(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    width = 5_000_000
    repo.write("bundle.js", 'var s = "' + "a" * width + '\u202e";\n')
    repo.write(".agentcheck/task.toml", 'paths = ["src/**"]\n')
    result = repo.run("diff")
    assert result.code == 1
    assert f"bundle.js:1:{width + 10}: AC502" in result.out
    assert "bundle.js:1:1: AC101" in result.out
    assert len(result.out) < 5000, "the 5 MB line was echoed"
    scanned = repo.run("scan", "bundle.js")
    assert f"bundle.js:1:{width + 10}: AC502" in scanned.out
    assert len(scanned.out) < 5000


@pytest.mark.e2e
def test_ten_megabyte_single_line_is_over_the_cap(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("min.js", "x" * 10_000_000 + "\u202e\n")
    result = repo.run("diff", "--format", "json")
    assert result.codes == ["AC901"]
    assert "9.5 MiB" in result.json()["findings"][0]["message"]


@pytest.mark.e2e
def test_patch_over_its_limit_is_refused(tmp_path: Path) -> None:
    patch = sparse(tmp_path / "huge.diff", b"--- a/x\n+++ b/x\n", caps.MAX_PATCH_BYTES + 1)
    code, peak, _ = peak_kib("diff", "--patch", str(patch), cwd=tmp_path)
    assert code == 2
    result = subprocess.run(
        [*COMMAND, "diff", "--patch", str(patch)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "over agentcheck's 128.0 MiB limit for a patch file" in result.stderr
    assert result.stdout == ""
    assert peak < 400 * 1024


def test_size_text() -> None:
    assert caps.size_text(17) == "17 bytes"
    assert caps.size_text(1536) == "1.5 KiB"
    assert caps.size_text(caps.MAX_FILE_BYTES) == "8.0 MiB"
    assert caps.size_text(1 << 30) == "1.0 GiB"
    assert caps.size_text(5 << 40) == "5,120.0 GiB"
