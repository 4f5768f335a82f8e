"""AC803 (instructions planted for agents) measured, as issue 15 asks.

Precision: every Markdown, reStructuredText and Python file (docstrings, comments, strings and
code alike, as a change would add them) and every distribution's METADATA (its long
description) in the running interpreter's site-packages, plus the standard library's sources:
text no one here wrote. Each file is read as a change adding all its lines, with AC803's own
patterns (rules/supplychain.toml) and the same path to them the check takes. Prints MB read,
findings and findings per MB, then each finding (path:line, phrasing, words) to be read.

Recall: bench/data/planted_samples.tsv, injection samples from public sources (each line says
which), each read as a line added to an ordinary file (not an instruction file, where more
counts). Prints the recall and every sample missed.

Run:  python bench/planted.py [--corpus DIR ...] [--no-list]
Targets: 0 findings outside texts that discuss prompt injection; recall >= 0.9.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

from checker.checks import supplychain as check
from checker.config import policy as policies
from checker.domain import supplychain

SAMPLES = Path(__file__).with_name("data") / "planted_samples.tsv"
SUFFIXES = (".py", ".md", ".markdown", ".rst")


def corpus_roots() -> list[Path]:
    paths = sysconfig.get_paths()
    roots = [Path(paths["purelib"]), Path(paths["stdlib"])]
    if paths["platlib"] != paths["purelib"]:
        roots.insert(1, Path(paths["platlib"]))
    return [r for r in roots if r.is_dir()]


def files_under(root: Path, skip: tuple[Path, ...]) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if any(path.is_relative_to(s) for s in skip):
            continue
        if path.is_file() and (path.suffix in SUFFIXES or path.name == "METADATA"):
            yield path


def findings_in(text: str, relative: str, settings: check.Settings) -> list[supplychain.Hit]:
    """What AC803 reports for a change that adds TEXT as the file RELATIVE."""
    if settings.planted_ignore.match(relative):
        return []
    if not supplychain.may_hold(text, settings.patterns, settings.addressee):
        return []
    lines = text.splitlines()
    numbered = list(enumerate(lines, 1))
    instruction = bool(settings.instruction_files.match(relative))
    return supplychain.planted(
        numbered, dict(numbered), settings.patterns, settings.addressee, instruction
    )


def precision(roots: list[Path], settings: check.Settings, listing: bool) -> None:
    total_bytes = files = 0
    found: list[tuple[str, supplychain.Hit]] = []
    started = time.perf_counter()
    for root in roots:
        # The standard library holds site-packages: each root is read once.
        skip = tuple(r for r in roots if r != root and r.is_relative_to(root))
        for path in files_under(root, skip):
            data = path.read_bytes()
            total_bytes += len(data)
            files += 1
            relative = path.relative_to(root).as_posix()
            text = data.decode("utf-8", "replace")
            for hit in findings_in(text, relative, settings):
                found.append((f"{root.name}/{relative}", hit))
    seconds = time.perf_counter() - started
    mb = total_bytes / 1e6
    if not files:
        sys.exit(f"no Markdown, reStructuredText, Python or METADATA files under {roots}")
    print(f"corpus: {', '.join(str(r) for r in roots)}")
    print(
        f"precision corpus: {files} files, {mb:.1f} MB in {seconds:.1f} s; "
        f"{len(found)} findings, {len(found) / mb:.3f} per MB"
    )
    if listing:
        for where, hit in found:
            words = hit.text if len(hit.text) <= 80 else hit.text[:77] + "..."
            print(f"  {where}:{hit.line}: {hit.pattern.name}: {words!r}")


def samples() -> list[tuple[str, str]]:
    rows = []
    for raw in SAMPLES.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        text, _, source = raw.rpartition("\t")
        if not text or not source:
            sys.exit(f"{SAMPLES}: {raw[:60]!r} needs a tab and its source")
        rows.append((text.replace("\\n", "\n"), source))
    return rows


def recall(settings: check.Settings) -> None:
    rows = samples()
    missed = [
        (text, source) for text, source in rows if not findings_in(text, "README.md", settings)
    ]
    caught = len(rows) - len(missed)
    print(f"recall: {caught}/{len(rows)} = {caught / len(rows):.2f} ({SAMPLES.name})")
    for text, source in missed:
        print(f"  missed ({source}): {text[:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, help="folders to read instead")
    parser.add_argument("--no-list", action="store_true", help="do not list each finding")
    args = parser.parse_args()
    settings = check.settings(policies.defaults())
    recall(settings)
    precision(args.corpus or corpus_roots(), settings, not args.no_list)


if __name__ == "__main__":
    main()
