"""`agentcheck init`: a starter policy written from what the repository contains."""

from __future__ import annotations

from pathlib import Path

from checker.model.errors import FatalError


def _present(root: Path, tracked: list[str], globs: tuple[str, ...]) -> list[str]:
    from checker.config.globs import Globs

    matcher = Globs(globs)
    return sorted(p for p in tracked if matcher.match(p))


def _python_roots(root: Path, tracked: list[str]) -> list[str]:
    roots = set()
    for path in tracked:
        if path.endswith("/__init__.py"):
            parts = path.split("/")
            if len(parts) >= 3 and parts[0] in ("src", "lib", "python"):
                roots.add(parts[0])
            elif len(parts) == 2:
                roots.add(".")
    return sorted(roots)


def starter_text(root: Path, tracked: list[str]) -> str:
    from checker.config import catalog

    instructions = _present(
        root, tracked, catalog.string_list("instructions", "instruction-files.globs")
    )
    table = catalog.table("paths")
    protected_globs: tuple[str, ...] = ()
    for group in table["protected"].values():
        protected_globs += tuple(group)
    protected = _present(root, tracked, protected_globs + tuple(table["lockfiles"]["globs"]))
    roots = _python_roots(root, tracked)
    big = sum(1 for _ in tracked)
    lines = [
        "# agentcheck policy: what a change to this repository must respect.",
        "# Reference: `agentcheck rules`, `agentcheck explain CODE`.",
        "",
        'fail-on = "error"',
        "# Paths never examined (gitignore-style globs).",
        "exclude = []",
        "# Require a task spec (.agentcheck/task.toml or --task) for every change.",
        "require-task = false",
        "",
        "[size]",
        "# Hard ceilings on one change (added + removed lines; lockfiles, generated and",
        "# vendored files do not count).",
        "max-lines = 1000",
        f"max-files = {50 if big < 5000 else 100}",
        "# A change this many times over the task's expected-lines/files is flagged.",
        "ratio = 3.0",
        "ignore = []",
        "",
        "[paths]",
        "# Added to the built-in list (CI configuration, lockfiles, migrations, CODEOWNERS, ...).",
        "protected = []",
    ]
    if protected:
        lines.append(
            "# Protected files found here: "
            + ", ".join(protected[:8])
            + (" ..." if len(protected) > 8 else "")
        )
    if instructions:
        lines += [
            "",
            "# Agent instruction files found here (changes to them are AC303): "
            + ", ".join(instructions[:8])
            + (" ..." if len(instructions) > 8 else ""),
        ]
    lines += ["", "[unicode]", '# Code points allowed everywhere, e.g. ["U+200E"].', "allow = []"]
    if roots:
        lines += [
            "",
            "[imports]",
            f"roots = {roots!r}".replace("'", '"'),
            "# Declare contracts with [[imports.contracts]] (layers, forbidden,",
            "# independence), or reuse an import-linter configuration.",
        ]
    lines += ["", "[severity]", '# AC303 = "error"', ""]
    return "\n".join(lines)


def write_starter(force: bool, to_stdout: bool) -> tuple[str, str]:
    """(the policy text when TO_STDOUT asks for it, a message for people): the starter policy
    written to the repository's agentcheck.toml, or only returned."""
    from checker.adapters.git import Repository

    with Repository.find(".") as repo:
        out = repo.run("ls-files", "-z")
    tracked = [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]
    text = starter_text(repo.root, tracked)
    if to_stdout:
        return text, ""
    target = repo.root / "agentcheck.toml"
    if target.exists() and not force:
        raise FatalError(
            f"{target} already exists; pass --force to overwrite it, or --stdout "
            "to print a starter policy."
        )
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(
            f"{target}: cannot be written: {exc.strerror}. Run `agentcheck init --stdout` "
            "to print the starter policy instead."
        ) from None
    return "", f"Wrote {target}. Review it, commit it, and run `agentcheck diff`."
