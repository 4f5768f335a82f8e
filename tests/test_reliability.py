"""Inputs that break tools: unreadable files, a read-only file system, concurrent runs, a held
index lock, NUL bytes, names with line breaks, hostile event text, patches of odd names, a
100,000-file change. Each either works or stops with one clear line and exit 2; none leaves a
file behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import COMMAND, Repo, clean_env, run_agentcheck
from tests.test_limits import peak_kib

pytestmark = pytest.mark.e2e


def one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert out == ""
    assert err.startswith("agentcheck: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


# -- unreadable files ---------------------------------------------------------------------------


def unprivileged() -> list[str]:
    """A command prefix under which chmod 000 keeps a file from being read. Tests run as root
    here, and root reads anything; without the capabilities that let it, it does not."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv is missing: chmod 000 cannot block reads")
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"agentcheck-probe-{os.getpid()}"
    probe.write_text("x")
    probe.chmod(0)
    try:
        done = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, check=False)
    finally:
        probe.unlink()
    if done.returncode == 0:
        pytest.skip("running as root and dropping CAP_DAC_OVERRIDE did not block reads here")
    return prefix


def run_unprivileged(prefix: list[str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *COMMAND, *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def test_unreadable_untracked_file_is_an_error_not_an_empty_file(repo: Repo) -> None:
    prefix = unprivileged()
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("secret.txt", "hidden\n").chmod(0)
    done = run_unprivileged(prefix, "diff", cwd=repo.root)
    one_line_error(done.returncode, done.stdout, done.stderr, "secret.txt: cannot be read")
    assert "Permission denied" in done.stderr
    assert "add it to .gitignore" in done.stderr


def test_unreadable_tracked_file_is_git_s_error_in_one_line(repo: Repo) -> None:
    prefix = unprivileged()
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("a.txt", "b\n").chmod(0)
    done = run_unprivileged(prefix, "diff", cwd=repo.root)
    one_line_error(done.returncode, done.stdout, done.stderr, "a.txt", "Permission denied")


def test_unreadable_files_in_scan_and_policy(repo: Repo) -> None:
    prefix = unprivileged()
    repo.commit("base", {"AGENTS.md": "Be brief.\n", "docs/x.md": "x\n"})
    (repo.root / "AGENTS.md").chmod(0)
    for args in (("scan",), ("scan", "AGENTS.md"), ("scan", ".")):
        done = run_unprivileged(prefix, *args, cwd=repo.root)
        one_line_error(done.returncode, done.stdout, done.stderr, "AGENTS.md: cannot be read")
    (repo.root / "AGENTS.md").chmod(0o644)
    repo.write("agentcheck.toml", 'fail-on = "error"\n').chmod(0)
    done = run_unprivileged(prefix, "diff", cwd=repo.root)
    one_line_error(done.returncode, done.stdout, done.stderr, "agentcheck.toml: cannot be read")


# -- a read-only file system --------------------------------------------------------------------


def read_only_mounts() -> None:
    """Skip unless this machine lets a private mount namespace bind a folder read-only."""
    if not (shutil.which("unshare") and shutil.which("mount")):
        pytest.skip("unshare and mount are needed to mount a folder read-only")
    bind = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0"'
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", bind, str(Path(__file__).parent)],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"no private read-only bind mounts here: {probe.stderr.decode().strip()}")


def test_read_only_file_system(repo: Repo, tmp_path: Path) -> None:
    """The repository and TMPDIR mounted read-only: every command works as before, and
    `agentcheck init`, the one that writes a file, says it cannot."""
    read_only_mounts()
    repo.commit("base", {"a.py": "a = 1\n", "AGENTS.md": "Be brief.\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    repo.write("b.py", "b\u200b = 1\n")
    temp = tmp_path / "temp"
    out = tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    commands = [
        "diff",
        "diff --staged",
        "diff HEAD",
        "diff --format json",
        "diff --format sarif",
        "diff --format github",
        f"diff --sarif {out}/report.sarif",
        "scan",
        "scan .",
        "rules",
        "explain AC101",
        "init --stdout",
        "init",
    ]
    lines = [
        "set -e",
        'for dir in "$REPO" "$TMPDIR"; do mount --bind "$dir" "$dir"; '
        'mount -o remount,ro,bind "$dir" "$dir"; done',
        'if touch "$REPO/probe" 2>/dev/null; then exit 99; fi',
        'cd "$REPO"',
        "set +e",
    ]
    for index, command in enumerate(commands):
        lines.append(
            f'"$AGENTCHECK" {command} > "$OUT/{index}.out" 2> "$OUT/{index}.err"; '
            f'echo $? > "$OUT/{index}.code"'
        )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", "\n".join(lines)],
        env=clean_env(
            REPO=str(repo.root), TMPDIR=str(temp), OUT=str(out), AGENTCHECK=" ".join(COMMAND)
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    writable = run_agentcheck("diff", "--format", "json", cwd=repo.root)
    for index, command in enumerate(commands):
        code = int((out / f"{index}.code").read_text())
        err = (out / f"{index}.err").read_text()
        assert "Traceback" not in err, (command, err)
        if command == "init":
            one_line_error(code, "", err, "cannot be written", "Read-only file system", "--stdout")
        else:
            assert code in (0, 1), (command, err)
    assert (out / "3.out").read_text() == writable.out  # the same report as on a writable disk
    assert json.loads((out / "report.sarif").read_text())["version"] == "2.1.0"
    assert list(temp.iterdir()) == []


# -- concurrency and locks ----------------------------------------------------------------------


def test_concurrent_runs_agree_and_leave_no_lock(repo: Repo) -> None:
    repo.commit("base", {"a.py": "a = 1\n", "b.py": "b = 1\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    repo.write("b.py", "b = \u202e2\n")
    later = time.time() + 5
    os.utime(repo.root / "b.py", (later, later))  # stale stat data: a refresh would write
    before = repo.snapshot()
    runs = [
        subprocess.Popen(
            [*COMMAND, "diff", *mode, "--format", "json"],
            cwd=repo.root,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for mode in [(), ("--staged",)] * 4
    ]
    results = [(run.wait(timeout=120), run.communicate()) for run in runs]
    for index, (code, (out, err)) in enumerate(results):
        assert err == b"", err
        first_code, (first_out, _) = results[index % 2]
        assert (code, out) == (first_code, first_out)
    assert results[0][0] == 1  # the work tree has a bidi override
    assert not (repo.root / ".git" / "index.lock").exists()
    assert repo.snapshot() == before


def test_index_lock_held_by_another_git_command(repo: Repo) -> None:
    """A commit in progress holds .git/index.lock: agentcheck needs no lock and leaves it."""
    repo.commit("base", {"a.py": "a = 1\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    lock = repo.root / ".git" / "index.lock"
    lock.write_bytes(b"held")
    for args in (("diff",), ("diff", "--staged"), ("scan",), ("init", "--stdout")):
        result = repo.run(*args)
        assert result.code == 0, (args, result.err)
    assert lock.read_bytes() == b"held"


# -- no temporary files ---------------------------------------------------------------------------


def test_no_temporary_files_are_left(repo: Repo, tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo.commit("base", {"a.py": "a = 1\n", "AGENTS.md": "Be brief.\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    repo.write("c.py", "c = 1\n")
    patch = repo.git("diff", "--cached").encode()
    env = clean_env(TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    for args, stdin in (
        (("diff",), None),
        (("diff", "--staged", "--format", "sarif"), None),
        (("diff", "HEAD", "--format", "github"), None),
        (("diff", "--patch", "-"), patch),
        (("diff", "--sarif", str(elsewhere / "r.sarif"), "--output", str(elsewhere / "r")), None),
        (("diff", "--show-change"), None),
        (("scan", "."), None),
        (("rules",), None),
        (("explain", "AC901"), None),
        (("init", "--stdout"), None),
    ):
        result = repo.run(*args, stdin=stdin, env=env)
        assert result.code in (0, 1), (args, result.err)
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in elsewhere.iterdir()) == ["r", "r.sarif"]


# -- odd bytes and names in reports -------------------------------------------------------------


def test_nul_byte_in_a_text_line_is_found_and_never_printed_raw(repo: Repo) -> None:
    """git's binary test looks at the first 8,000 bytes; a NUL after them is in a text line."""
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("notes.txt", b"x" * 9000 + b"\nbefore\0after\n")
    for fmt in ("text", "json", "sarif", "github"):
        result = repo.run("diff", "--format", fmt, "--fail-on", "warning")
        assert result.code == 1, result.err
        assert "\0" not in result.out
        assert "AC505" in result.out
    finding = repo.run("diff", "--format", "json").json()["findings"][0]
    assert (finding["path"], finding["line"], finding["column"]) == ("notes.txt", 2, 7)
    assert "<U+0000>" in repo.run("diff").out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_path_with_a_line_break_is_one_finding_in_every_format(repo: Repo, fmt: str) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("src/evil\nAC999 forged.py", "x = 1\n")
    repo.write(".agentcheck/task.toml", 'paths = ["lib/**"]\n')
    result = repo.run("diff", "--format", fmt)
    assert result.code == 1, result.err
    if fmt in ("text", "github"):
        # One finding line (the help line under it names the code to explain, not a finding).
        lines = [
            line
            for line in result.out.splitlines()
            if "AC101" in line and not line.startswith("help: ")
        ]
        assert len(lines) == 1, result.out
        assert "\nAC999" not in result.out
    elif fmt == "json":
        (finding,) = result.json()["findings"]
        assert finding["path"] == "src/evil\nAC999 forged.py"
    else:
        (finding,) = result.json()["runs"][0]["results"]
        uri = finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert unquote(uri) == "src/evil\nAC999 forged.py"
        assert "\n" not in uri


def test_hostile_event_text_is_escaped_in_reports(repo: Repo, tmp_path: Path) -> None:
    """Terminal escapes, line breaks, bidi overrides and 5 MB of body in a valid event."""
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("a.txt", "b\n")
    event = {
        "number": 7,
        "pull_request": {
            "title": "fix \x1b[2J\x1b[31mred\r\n::error::forged",
            "body": "Updated a.txt\u202e.\n" + "x" * 5_000_000,
            "user": {"login": "bot\n::warning::x"},
            "labels": [{"name": "agentcheck:allow-\u202eAC101"}, "plain"],
            "head": {"ref": "copilot/\x07bell"},
            "base": {"ref": "main"},
        },
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    for fmt in ("text", "github"):
        result = repo.run("diff", "--context", str(path), "--format", fmt)
        assert result.code == 1, result.err
        assert "\x1b" not in result.out
        assert "\u202e" not in result.out
        assert "\x07" not in result.out
        assert len(result.out) < 20_000, "the body was echoed"
        if fmt == "github":
            assert not any(line.startswith("::warning::x") for line in result.out.splitlines())
            assert not any(line.startswith("::error::forged") for line in result.out.splitlines())


def test_patch_of_names_that_look_like_two(repo: Repo) -> None:
    """A folder named "a b" makes `diff --git a/a b/c b/a b/c` read two ways; agentcheck reads
    it as git meant, for a change and for a rename into it."""
    repo.commit("base", {"a b/c d.md": "one\n", "old.txt": "same\n" * 5})
    repo.write("a b/c d.md", "two\n")
    (repo.root / "a b" / "new b").mkdir()
    repo.git("mv", "old.txt", "a b/new b/x.txt")
    repo.git("add", "-A")
    patch = repo.git("diff", "--cached", "-M").encode()
    result = repo.run("diff", "--show-change", "--patch", "-", stdin=patch)
    assert result.code == 0, result.err
    seen = {f["path"]: f for f in result.json()["files"]}
    assert seen["a b/c d.md"]["added"] == [[1, "two"]]
    assert seen["a b/new b/x.txt"]["old_path"] == "old.txt"
    assert seen["a b/new b/x.txt"]["status"] == "renamed"


# -- a 100,000-file change ------------------------------------------------------------------------


def fast_import(root: Path, files: int) -> None:
    """A base commit of FILES small modules and a head commit that edits every one of them."""
    stream = []
    for version, message in enumerate(("base", "change")):
        stream.append(b"commit refs/heads/main\ncommitter B <b@example.com> 1700000000 +0000\n")
        stream.append(b"data %d\n%s\n" % (len(message), message.encode()))
        for i in range(files):
            body = b"".join(
                b"def f_%d_%d(x):\n    return x + %d\n" % (i, k, k * (version + 1))
                for k in range(3)
            )
            stream.append(
                b"M 100644 inline pkg%03d/mod_%06d.py\ndata %d\n%s\n"
                % (i // 1000, i, len(body), body)
            )
        stream.append(b"\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        input=b"".join(stream),
        cwd=root,
        env=clean_env(),
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_hundred_thousand_file_change_in_bounded_memory(repo: Repo) -> None:
    fast_import(repo.root, 100_000)
    code, peak, out = peak_kib("diff", "main~1..main", "--format", "json", cwd=repo.root)
    assert code == 0  # a person's commit: the size rules advise
    report = json.loads(out)
    assert report["summary"]["files"] == 100_000
    assert sorted({(f["code"], f["advice"]) for f in report["findings"]}) == [
        ("AC202", True),
        ("AC203", True),
    ]
    assert peak < 1024 * 1024, f"peak {peak} KiB"
