"""Large-change benchmark: a 100,000-file change, checked as a range, as staged work, as work
tree changes and as a patch file, with time and peak memory from /usr/bin/time -v (GNU time:
`apt-get install time` where it is missing), against git's own diff of the same change.

Run: python bench/large_change.py [--files N] [--keep DIR]
Target (issue 6): peak memory under 1 GB for every mode.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ENV, git  # bench/ is on sys.path when run as a script

LIMIT_KB = 1024 * 1024  # 1 GiB
FUNCTIONS = 5  # per file; the change edits four of the five return lines


def source(index: int, version: int) -> bytes:
    return b"".join(
        b"def f_%d_%d(value):\n    return value + %d\n" % (index, k, k * (version + 1))
        for k in range(FUNCTIONS)
    )


def build(root: Path, files: int) -> None:
    """main~1: FILES modules; main: every module edited (fast-import: seconds, not minutes)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    stream = []
    for version, message in enumerate((b"base", b"change every module")):
        stream.append(b"commit refs/heads/main\ncommitter Bench <b@e> 1700000000 +0000\n")
        stream.append(b"data %d\n%s\n" % (len(message), message))
        for i in range(files):
            body = source(i, version)
            stream.append(
                b"M 100644 inline pkg%03d/mod_%06d.py\ndata %d\n%s\n"
                % (i // 1000, i, len(body), body)
            )
        stream.append(b"\n")
    git(root, "fast-import", "--quiet", data=b"".join(stream))


def timed(command: list[str], cwd: Path, stdin: Path | None = None) -> tuple[float, int, int]:
    """(elapsed seconds, peak resident KiB, exit status) from GNU time -v."""
    with open(stdin or os.devnull, "rb") as handle:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *command],
            cwd=cwd,
            env=ENV,
            stdin=handle,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
    report = done.stderr.decode()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
    status = re.search(r"Exit status: (\d+)", report)
    if not (peak and clock and status):
        sys.exit(f"no /usr/bin/time -v report for {' '.join(command)}:\n{report}")
    seconds = 0.0
    for part in clock.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return seconds, int(peak.group(1)), int(status.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is missing: install GNU time (apt-get install time)")
    agentcheck = shutil.which("agentcheck", path=str(Path(sys.executable).parent)) or "agentcheck"
    workdir = Path(tempfile.mkdtemp(prefix="agentcheck-bench-large-"))
    root = args.keep or workdir / "repo"
    try:
        started = time.perf_counter()
        build(root, args.files)
        built = time.perf_counter() - started
        patch = workdir / "change.diff"
        with open(patch, "wb") as handle:
            subprocess.run(
                ["git", "diff", "main~1", "main"], cwd=root, env=ENV, stdout=handle, check=True
            )
        print(
            f"{args.files:,} files changed, {args.files * 8:,} changed lines "
            f"(built in {built:.1f} s; patch {patch.stat().st_size / 2**20:.1f} MiB)"
        )
        print(f"  {'command':<56} {'time':>8} {'peak memory':>12}")
        rows: list[tuple[str, list[str], Path | None]] = [
            (
                "git diff -M -C -U0 main~1..main (the floor)",
                ["git", "diff", "-M", "-C", "-U0", "main~1", "main"],
                None,
            ),
            ("agentcheck diff main~1..main", [agentcheck, "diff", "main~1..main"], None),
            (
                "agentcheck diff main~1..main --format json",
                [agentcheck, "diff", "main~1..main", "--format", "json"],
                None,
            ),
            (
                "agentcheck diff main~1..main --format sarif",
                [agentcheck, "diff", "main~1..main", "--format", "sarif"],
                None,
            ),
            (
                "agentcheck diff --patch - (the same change)",
                [agentcheck, "diff", "--patch", "-"],
                patch,
            ),
        ]
        results = [(name, *timed(command, root, stdin)) for name, command, stdin in rows]
        # The work tree at main, the index at main~1: staged and work tree modes.
        base = git(root, "rev-parse", "main~1").strip()
        git(root, "reset", "-q", "--hard", "main")
        git(root, "reset", "-q", "--soft", base)
        results.append(("agentcheck diff --staged", *timed([agentcheck, "diff", "--staged"], root)))
        git(root, "reset", "-q", "--mixed", base)
        results.append(("agentcheck diff (work tree)", *timed([agentcheck, "diff"], root)))
        worst = 0
        for name, seconds, peak, status in results:
            expected = "0" if name.startswith("git") else "1"
            flag = "" if str(status) == expected else f"  (exit {status}, expected {expected})"
            print(f"  {name:<56} {seconds:7.2f}s {peak / 1024:9.0f} MiB{flag}")
            if not name.startswith("git"):
                worst = max(worst, peak)
        floor = results[0][1]
        print(f"  range check vs git's own diff: {results[1][1] / floor:.1f}x the time")
        verdict = "met" if worst < LIMIT_KB else "MISSED"
        print(f"  peak memory of agentcheck: {worst / 1024:.0f} MiB; target < 1 GiB: {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
