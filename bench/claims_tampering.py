"""Claims and tampering benchmark: a 20,000-file repository, a 1,500-file range in which 600
test files (pytest, Jest, Go, Rust) lose assertions, gain skip markers or are deleted, and a
pull request description with 60 file claims. Prints the medians of `agentcheck diff` with only
AC6 and AC7 selected, with them ignored, and their ratio (their own cost on top of reading the
change).

Run: python bench/claims_tampering.py [--runs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from _common import ENV, Command, git, measure  # bench/ is on sys.path when run as a script

FILES = 20_000
KINDS = ("py", "ts", "go", "rs")


def test_file(kind: str, index: int, weakened: bool) -> tuple[str, str]:
    checks = 2 if weakened else 6
    if kind == "py":
        body = "".join(
            f"\n\ndef test_case_{n}():\n    value = compute({index}, {n})\n"
            + "".join(f"    assert value > {k}\n" for k in range(checks))
            for n in range(10)
        )
        marker = "import pytest\n\n\n@pytest.mark.skip\ndef test_skipped():\n    pass\n"
        return f"tests/pkg{index % 50}/test_mod{index}.py", (marker if weakened else "") + body
    if kind == "ts":
        cases = "".join(
            f"  it('case {n}', () => {{\n"
            + "".join(f"    expect(compute({n})).toBeGreaterThan({k});\n" for k in range(checks))
            + "  });\n"
            for n in range(10)
        )
        only = ".only" if weakened else ""
        return (
            f"web/src/m{index % 50}/mod{index}.test.ts",
            f"describe{only}('m', () => {{\n{cases}}});\n",
        )
    if kind == "go":
        cases = "".join(
            f"func TestCase{n}(t *testing.T) {{\n"
            + "".join(
                f'\tif compute({n}) < {k} {{\n\t\tt.Errorf("bad")\n\t}}\n' for k in range(checks)
            )
            + ('\tt.Skip("later")\n' if weakened and n == 0 else "")
            + "}\n\n"
            for n in range(10)
        )
        return f"pkg/m{index % 50}/mod{index}_test.go", f"package m\n\n{cases}"
    cases = "".join(
        "    #[test]\n"
        + ("    #[ignore]\n" if weakened and n == 0 else "")
        + f"    fn case_{n}() {{\n"
        + "".join(f"        assert!(compute({n}) > {k});\n" for k in range(checks))
        + "    }\n"
        for n in range(10)
    )
    source = "".join(f"pub fn f{n}() -> u32 {{ {n} }}\n" for n in range(40))
    return (
        f"crates/c{index % 50}/src/mod{index}.rs",
        f"{source}\n#[cfg(test)]\nmod tests {{\n{cases}}}\n",
    )


def build(root: Path) -> tuple[str, str, Path]:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for i in range(FILES):
        path = root / f"src/pkg{i % 200}/module_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE = {i}\n" * 20)
    for i in range(600):
        path, text = test_file(KINDS[i % 4], i, weakened=False)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    for i in range(900):
        (root / f"src/pkg{i % 200}/module_{i}.py").write_text(f"VALUE = {i + 1}\n" * 20)
    for i in range(600):
        path, text = test_file(KINDS[i % 4], i, weakened=True)
        if i % 50 == 7:
            (root / path).unlink()
        else:
            (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Update 900 modules\n\nAdded tests for every module.")
    claims = "\n".join(
        f"- Updated `src/pkg{i % 200}/module_{i * 37 % FILES}.py` to bump the value"
        for i in range(60)
    )
    body = (
        f"## Summary\nBumps values.\n\n## Changes Made\n{claims}\n\n## Testing\n- All tests pass\n"
    )
    event = root.parent / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "title": "Bump", "body": body}}))
    return "HEAD~1", "HEAD", event


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    agentcheck = shutil.which("agentcheck", path=str(Path(sys.executable).parent)) or "agentcheck"
    folder = args.keep or Path(tempfile.mkdtemp(prefix="agentcheck-bench-"))
    root = folder / "repo"
    try:
        if not root.exists():
            build(root)
        event = folder / "event.json"
        base = [agentcheck, "diff", "HEAD~1..HEAD", "--context", str(event), "--format", "json"]
        claims = Command("claims + tampering", [*base, "--select", "AC6,AC7"], root, ENV)
        others = Command("scope/size/paths", [*base, "--select", "AC1,AC2,AC3"], root, ENV)
        measure([claims, others], args.runs)
        only, without = claims.median, others.median
        assert claims.last is not None
        codes: dict[str, int] = {}
        for finding in json.loads(claims.last.stdout)["findings"]:
            codes[finding["code"]] = codes.get(finding["code"], 0) + 1
        print(f"change: 1,500 files of {FILES + 600:,}; findings {dict(sorted(codes.items()))}")
        print(f"agentcheck diff --select AC6,AC7     median {only:.2f} s ({args.runs} rounds)")
        print(f"agentcheck diff --select AC1,AC2,AC3 median {without:.2f} s")
        print(f"ratio (claims + tampering vs scope/size/paths): {only / without:.2f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
