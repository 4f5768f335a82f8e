"""AC801-AC803: what a change lets in from outside the repository: a new direct dependency,
a new or changed MCP server, and text in added lines that gives an agent orders."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterator
from typing import Any

from checker.config import catalog
from checker.config.globs import FirstMatch, Globs
from checker.config.policy import Policy
from checker.config.schema import globs
from checker.config.task import Task, names
from checker.domain import supplychain
from checker.domain.hiddentext.escape import visible
from checker.domain.supplychain import Addressee, Dependency, Malformed, Pattern, Server
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding
from checker.model.reader import FileReader, decode_text, looks_binary

CODES = ("AC801", "AC802", "AC803")
_QUOTE = 80


SCHEMA: dict[str, Any] = {
    "dependencies": {"allow": names},
    "mcp": {"allow": names},
    "planted": {"ignore": globs},
}


@dataclasses.dataclass(frozen=True)
class Settings:
    manifests: FirstMatch[str]  # a manifest's kind, by the globs of its file names
    vendored: Globs  # third-party trees: their manifests are not the repository's
    known_manifests: int  # how many base manifests are read for names already declared
    allow_dependencies: tuple[str, ...]
    mcp_files: dict[str, tuple[str, str]]  # path -> (syntax, key holding the servers)
    allow_servers: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    addressee: Addressee
    planted_ignore: Globs
    instruction_files: Globs
    npm_workspaces: tuple[str, ...]  # what package.json says to declare a workspace


def settings(policy: Policy) -> Settings:
    data = catalog.table("supplychain")
    patterns = supplychain.compile_patterns(data["planted"]["patterns"])
    addressee = Addressee(
        supplychain.LazyRegex(data["planted"]["addressee"]),
        frozenset(data["planted"]["addressee-words"]),
    )
    return Settings(
        manifests=FirstMatch(
            (kind, Globs(tuple(found))) for kind, found in data["dependencies"]["manifests"].items()
        ),
        vendored=Globs(catalog.string_list("paths", "generated.vendored")),
        known_manifests=int(data["dependencies"]["known-manifests"]),
        allow_dependencies=tuple(policy.table("dependencies").get("allow", ())),
        mcp_files={
            path: (entry["syntax"], entry["key"]) for path, entry in data["mcp"]["files"].items()
        },
        allow_servers=tuple(policy.table("mcp").get("allow", ())),
        patterns=patterns,
        addressee=addressee,
        planted_ignore=Globs(policy.table("planted").get("ignore", ())),
        instruction_files=policy.instruction_files,
        npm_workspaces=tuple(catalog.table("paths")["lockfiles"]["workspaces"]["package.json"]),
    )


def check(
    change: ChangeSet, settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    files = [f for f in change.files if not f.binary and not f.is_submodule and not f.is_symlink]
    yield from _dependencies(files, settings, task, reader)
    yield from _servers(files, settings, reader)
    yield from _planted(files, settings, reader)


def _text(data: bytes | None) -> str | None:
    if data is None or looks_binary(data):
        return None
    return decode_text(data)[0]


def _quote(text: str) -> str:
    text = visible(" ".join(text.split()))
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def _place(
    pattern: re.Pattern[str], name: str, file: FileChange, head: str
) -> tuple[int | None, int | None]:
    """Where PATTERN first matches (an added line first, else any line of the head), with the
    column of NAME in the match."""
    numbered = [(line.number, line.text) for line in file.added]
    for number, text in [*numbered, *enumerate(head.splitlines(), 1)]:
        found = pattern.search(text)
        if found:
            return number, found.start() + max(found.group(0).lower().find(name.lower()), 0) + 1
    line = file.first_line
    return line, 1 if line else None


# -- AC801 ---------------------------------------------------------------------------------------


def _declaration(name: str, kind: str) -> re.Pattern[str]:
    """Where a manifest of KIND declares NAME: a key, a quoted requirement, or a line's start
    (never the same word in a comment or a tool's table, `[tool.ruff]`)."""
    word = re.escape(name)
    if kind in ("requirements", "setup-cfg", "go-mod"):
        pattern = rf"^\s*(?:require\s+|[\w.-]+\s*=\s*)?{word}(?![\w.-])"
    elif kind == "gemfile":
        pattern = rf"""^\s*gem\s*\(?\s*["']{word}["']"""
    elif kind in ("package-json", "composer"):
        pattern = rf'"{word}"\s*:'
    elif kind == "pyproject":  # a requirement string in a list, or a key (Poetry)
        pattern = rf"""["']{word}(?=[\s<>=!~;\[@,^"'])|^\s*["']?{word}["']?\s*="""
    else:  # a TOML key, or the package a Cargo entry renames
        pattern = rf"""^\s*["']?{word}["']?\s*=|\bpackage\s*=\s*["']{word}["']"""
    return re.compile(pattern, re.IGNORECASE)


def _kind(path: str, settings: Settings) -> str | None:
    kind = settings.manifests.first(path)
    return None if kind is None or settings.vendored.match(path) else kind


def _declared(kind: str, text: str | None) -> dict[str, Dependency] | None:
    """The dependencies a manifest declares; None where it is absent, unreadable or a lock."""
    if text is None or (kind == "requirements" and supplychain.is_compiled_requirements(text)):
        return None
    try:
        return supplychain.dependencies(kind, text)
    except Malformed:
        return None


def _known(
    files: list[FileChange], settings: Settings, reader: FileReader, ecosystems: set[str]
) -> dict[str, set[str]]:
    """The names each ecosystem's manifests declared at the base: the changed ones, then the
    rest of the repository's (up to the cap), so a name used elsewhere already is not new; and
    the repository's own packages: those the base names, and an npm package the change adds
    inside a workspace the base declares (npm, yarn and pnpm take a plain version of a member
    from the workspace; elsewhere a member is named through a path or workspace source, which
    is not from outside anyway). A package a change adds elsewhere, or a name it gives an
    existing one, is not its own: the registry would serve a package of that name."""
    known: dict[str, set[str]] = {ecosystem: set() for ecosystem in ecosystems}
    deleted = {f.old_path for f in files if f.status in ("deleted", "renamed")}
    for file in files:
        kind = _kind(file.path, settings)
        if (
            kind is not None
            and file.status == "added"
            and supplychain.ECOSYSTEMS[kind] == "npm"
            and _in_npm_workspace(file.path, settings, reader)
        ):
            head = _text(reader.head(file.path))
            own = supplychain.package_name(kind, head) if head is not None else None
            if own is not None and supplychain.ECOSYSTEMS[kind] in known:
                known[supplychain.ECOSYSTEMS[kind]].add(own)
    seen: set[str] = set()
    paths = [f.old_path for f in files if f.status != "added"]
    paths += sorted(reader.base_paths())
    for path in paths:
        if path in seen:
            continue
        kind = _kind(path, settings)
        if kind is None or supplychain.ECOSYSTEMS[kind] not in ecosystems:
            continue
        seen.add(path)
        if len(seen) > settings.known_manifests:
            break
        text = _text(reader.base(path))
        try:  # a compiled requirements file counts: what it pinned was in the build already
            declared = supplychain.dependencies(kind, text) if text is not None else {}
        except Malformed:
            declared = {}
        known[supplychain.ECOSYSTEMS[kind]].update(declared)
        own = supplychain.package_name(kind, text) if text is not None else None
        if own is not None and path not in deleted:
            known[supplychain.ECOSYSTEMS[kind]].add(own)
    return known


def _in_npm_workspace(path: str, settings: Settings, reader: FileReader) -> bool:
    """Whether a folder above PATH declared an npm, yarn or pnpm workspace at the base."""
    folder = path.rpartition("/")[0]
    while folder:
        folder = folder.rpartition("/")[0]
        prefix = f"{folder}/" if folder else ""
        if supplychain.declares_workspace(
            prefix, "package.json", settings.npm_workspaces, reader.base
        ):
            return True
    return False


def _allowed(dependency: Dependency, ecosystem: str, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatchcase(dependency.key, supplychain.normalise(ecosystem, pattern))
        or fnmatch.fnmatchcase(dependency.name, pattern)
        for pattern in patterns
    )


def _dependencies(
    files: list[FileChange], settings: Settings, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    manifests = [
        (file, kind)
        for file in files
        if file.status != "deleted" and (kind := _kind(file.path, settings)) is not None
    ]
    if not manifests:
        return
    allowed = settings.allow_dependencies
    if task is not None:
        allowed += tuple(task.values.get("allow-dependencies", ()))
    known = _known(files, settings, reader, {supplychain.ECOSYSTEMS[k] for _, k in manifests})
    for file, kind in manifests:
        head = _text(reader.head(file.path))
        if head is None:
            continue  # contents unknown (a patch file)
        if kind == "requirements" and supplychain.is_compiled_requirements(head):
            continue
        try:
            declared = supplychain.dependencies(kind, head)
        except Malformed as exc:
            yield _malformed("AC801", file, exc, "manifest", "its dependencies")
            continue
        ecosystem = supplychain.ECOSYSTEMS[kind]
        base_text = _text(reader.base(file.old_path)) if file.status != "added" else None
        base = _declared(kind, base_text)
        if base is None and base_text is not None:
            continue  # the base cannot be read: nothing to compare with
        base = base or {}
        for key, dependency in declared.items():
            if not dependency.direct or key in base or key in known[ecosystem]:
                continue
            if _allowed(dependency, ecosystem, allowed):
                continue
            line, column = _place(_declaration(dependency.name, kind), dependency.name, file, head)
            yield Finding(
                "AC801",
                f"new dependency `{visible(dependency.name)}` in {file.path} "
                f"({dependency.table}): neither the task (allow-dependencies) nor the policy "
                "([dependencies] allow) allows it",
                file.path,
                line,
                column,
            )


def _malformed(code: str, file: FileChange, exc: Malformed, what: str, lost: str) -> Finding:
    line = exc.line or file.first_line
    return Finding(
        code,
        f"{file.path} cannot be read as a {what}: {exc.why}; {lost} cannot be checked until "
        "it is fixed",
        file.path,
        line,
        1 if line else None,
    )


# -- AC802 ---------------------------------------------------------------------------------------


def _describe(server: Server) -> str:
    if server.url:
        return f"({visible(server.url)})"
    if server.command:
        return f"(`{_quote(' '.join((server.command, *server.args)))}`)"
    return ""


def _mcp_form(path: str, settings: Settings) -> tuple[str, str] | None:
    """(syntax, key) of the MCP configuration at PATH: its own entry, else a folder's pattern
    (`.continue/mcpServers/*.yaml`: a file of one folder, not below it)."""
    form = settings.mcp_files.get(path)
    if form is not None:
        return form
    folder, _, name = path.rpartition("/")
    for pattern, entry in settings.mcp_files.items():
        where, _, glob = pattern.rpartition("/")
        if "*" in glob and where == folder and fnmatch.fnmatchcase(name, glob):
            return entry
    return None


def _servers(files: list[FileChange], settings: Settings, reader: FileReader) -> Iterator[Finding]:
    for file in files:
        form = _mcp_form(file.path, settings)
        if form is None or file.status == "deleted":
            continue
        syntax, key = form
        head = _text(reader.head(file.path))
        if head is None:
            continue
        try:
            after = supplychain.servers(head, syntax, key)
        except Malformed as exc:
            yield _malformed("AC802", file, exc, "MCP configuration", "its servers")
            continue
        try:
            before = supplychain.servers(_text(reader.base(file.old_path)) or "{}", syntax, key)
        except Malformed:
            before = {}  # a broken base declared nothing that can be trusted
        for name, server in after.items():
            old = before.get(name)
            if old == server:
                continue
            yield from _server_finding(file, head, server, old, settings)


def _server_finding(
    file: FileChange, head: str, server: Server, old: Server | None, settings: Settings
) -> Iterator[Finding]:
    name = server.name
    allowed = any(fnmatch.fnmatchcase(name, pattern) for pattern in settings.allow_servers)
    risks = []
    floating = supplychain.unpinned(server)
    if floating and (old is None or supplychain.unpinned(old) != floating or not allowed):
        risks.append(floating)
    written = supplychain.secrets(server)
    if written:
        risks.append(
            f"a secret is written into it ({', '.join(written)}): refer to the environment "
            "instead (`${VAR}`)"
        )
    url = supplychain.remote(server)
    if url and not allowed:
        risks.append("a remote server: the tools it offers can change with no change here")
    if allowed and not (floating or written):
        return
    if old is None:
        what = f"MCP server '{visible(name)}' added to {file.path} {_describe(server)}".rstrip()
    else:
        fields = ", ".join(supplychain.changed_fields(old, server))
        what = f"MCP server '{visible(name)}' in {file.path} changed its {fields}"
    if allowed:
        what = f"MCP server '{visible(name)}' in {file.path} (allowed by [mcp] allow)"
    why = "; ".join(risks) if risks else "agents start it with the user's rights"
    message = f"{what}: {why}"
    name_ = re.escape(name)
    if file.path.endswith(".toml"):
        key = re.compile(rf'[.\[]"?{name_}"?\s*[\]=]|^\s*"?{name_}"?\s*=')
    elif file.path.endswith((".yaml", ".yml")):
        key = re.compile(rf"""^\s*(?:-\s*)?name\s*:\s*["']?{name_}["']?\s*(?:#.*)?$""")
    else:
        key = re.compile(rf'"{name_}"\s*:')
    line, column = _place(key, name, file, head)
    yield Finding("AC802", message, file.path, line, column)


# -- AC803 ---------------------------------------------------------------------------------------


def _planted(files: list[FileChange], settings: Settings, reader: FileReader) -> Iterator[Finding]:
    for file in files:
        if file.status == "deleted" or not file.added:
            continue
        if settings.planted_ignore.match(file.path):
            continue
        instruction = any(settings.instruction_files.match(p) for p in file.paths)
        # The cheap test first: most files hold no word any phrasing needs.
        text = "\n".join(line.text for line in file.added)
        if not supplychain.may_hold(text, settings.patterns, settings.addressee):
            continue
        head = _text(reader.head(file.path))
        context = dict(enumerate(head.splitlines(), 1)) if head is not None else {}
        hits = supplychain.planted(
            [(line.number, line.text) for line in file.added],
            context,
            settings.patterns,
            settings.addressee,
            instruction,
        )
        for hit in hits:
            tail = (
                "an instruction file: agents obey it"
                if instruction
                else "agents that read this file may obey it"
            )
            yield Finding(
                "AC803",
                f'text aimed at a coding agent {hit.pattern.what}: "{_quote(hit.text)}" ({tail})',
                file.path,
                hit.line,
                hit.column,
                "error" if instruction else None,
            )
