"""What a change lets in from outside the repository, read without I/O: the direct
dependencies a manifest declares, the MCP servers an agent's configuration starts, and text
in added lines that addresses an agent with orders.

Every reader takes a file's text and returns plain values, or raises Malformed with the line
at fault; the check decides what is new by comparing the base with the head."""

from __future__ import annotations

import configparser
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class Malformed(ValueError):
    """A manifest or configuration file that cannot be read; LINE is where, when known."""

    def __init__(self, why: str, line: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.line = line


# -- dependencies ------------------------------------------------------------------------------


class Dependency(NamedTuple):
    name: str  # as written
    key: str  # normalised as its ecosystem compares names
    table: str  # where it is declared: "dependencies", "devDependencies", "require", ...
    direct: bool = True  # False for what a manifest records for the build (go.mod's indirect)


ECOSYSTEMS = {
    "pyproject": "python",
    "requirements": "python",
    "setup-cfg": "python",
    "pipfile": "python",
    "package-json": "npm",
    "go-mod": "go",
    "cargo": "cargo",
    "gemfile": "rubygems",
    "composer": "composer",
}

_PEP508_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(ecosystem: str, name: str) -> str:
    """NAME as its registry compares names: PyPI by PEP 503, crates.io with - and _ alike,
    RubyGems, npm and Packagist lower-cased; Go module paths without their major version
    (`/v2`, gopkg.in's `.v3`), which names the next version of the same module."""
    if ecosystem == "python":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem == "cargo":
        return name.replace("_", "-").lower()
    if ecosystem == "go":
        if name.startswith("gopkg.in/"):
            return re.sub(r"\.v\d+$", "", name)
        return re.sub(r"/v\d+$", "", name)
    return name.lower()


def _toml(text: str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = tomllib.loads(text)
        return document
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise Malformed(f"not valid TOML: {exc}", int(found.group(1)) if found else None) from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(f"not valid JSON: {exc.msg}", exc.lineno) from None


def _yaml(text: str) -> Any:
    import yaml  # only for YAML configuration files: most runs read none

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise Malformed(f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None


def _requirement_name(text: str) -> str | None:
    """The project a PEP 508 requirement names; None for a local path or option."""
    text = text.strip()
    if not text or text.startswith(("#", "-", ".", "/")):
        return None
    if "://" in text.split("@", 1)[0] or text.startswith("git+"):
        egg = _EGG.search(text)
        return egg.group(1) if egg else None
    found = _PEP508_NAME.match(text)
    if found is None:
        return None
    rest = text[found.end() :].lstrip()
    if rest.startswith("@") and re.match(r"@\s*file:", rest):
        return None  # a local project, not a registry's
    return found.group(1)


def _python_list(items: Any, table: str, where: str) -> Iterator[Dependency]:
    if not isinstance(items, list):
        raise Malformed(f"{where} must be a list of requirement strings")
    for item in items:
        if isinstance(item, dict):
            continue  # a PEP 735 {include-group = "..."}: the names are in that group
        if not isinstance(item, str):
            raise Malformed(f"{where} holds {item!r}, not a requirement string")
        name = _requirement_name(item)
        if name is not None:
            yield Dependency(name, normalise("python", name), table)


def _local_sources(tool: Mapping[str, Any]) -> set[str]:
    """Names uv takes from the workspace or a local path: not from a registry."""
    sources = tool.get("uv", {}).get("sources", {}) if isinstance(tool.get("uv"), dict) else {}
    found = set()
    if isinstance(sources, dict):
        for name, source in sources.items():
            if isinstance(source, dict) and (source.get("workspace") or "path" in source):
                found.add(normalise("python", name))
    return found


def _poetry_table(table: Any, label: str) -> Iterator[Dependency]:
    if not isinstance(table, dict):
        return
    for name, spec in table.items():
        if name.lower() == "python":
            continue
        if isinstance(spec, dict) and "path" in spec:
            continue
        yield Dependency(name, normalise("python", name), label)


def _pyproject(text: str) -> Iterator[Dependency]:
    data = _toml(text)
    project = data.get("project", {})
    local: set[str] = set()
    tool = data.get("tool", {})
    if isinstance(tool, dict):
        local = _local_sources(tool)
    found: list[Dependency] = []
    if isinstance(project, dict):
        if "dependencies" in project:
            found += _python_list(
                project["dependencies"], "project.dependencies", "[project] dependencies"
            )
        extras = project.get("optional-dependencies", {})
        if isinstance(extras, dict):
            for extra, items in extras.items():
                label = f"project.optional-dependencies.{extra}"
                found += _python_list(items, label, label)
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group, items in groups.items():
            found += _python_list(items, f"dependency-groups.{group}", f"dependency-groups.{group}")
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    if isinstance(poetry, dict):
        found += _poetry_table(poetry.get("dependencies"), "tool.poetry.dependencies")
        found += _poetry_table(poetry.get("dev-dependencies"), "tool.poetry.dev-dependencies")
        for group, body in (poetry.get("group") or {}).items():
            if isinstance(body, dict):
                found += _poetry_table(body.get("dependencies"), f"tool.poetry.group.{group}")
    # The project itself in its own extras ("pkg[test]" in "all") is not a dependency.
    own = project.get("name") if isinstance(project, dict) else None
    skip = local | ({normalise("python", own)} if isinstance(own, str) else set())
    yield from (d for d in found if d.key not in skip)


def _requirements(text: str) -> Iterator[Dependency]:
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("-e") or line.startswith("--editable"):
            egg = _EGG.search(line)
            if egg:
                yield Dependency(egg.group(1), normalise("python", egg.group(1)), "requirements")
            continue
        name = _requirement_name(line)
        if name is not None:
            yield Dependency(name, normalise("python", name), "requirements")


def is_compiled_requirements(text: str) -> bool:
    """A requirements file written by a locker (pip-compile, uv, Poetry's export): it pins
    every transitive dependency, so a new name in it is a lock's, not a direct one."""
    head = text[:2000]
    return (
        "autogenerated by pip-compile" in head
        or "uv pip compile" in head
        or "uv export" in head
        or "#    via " in text
        or "# via " in text
        or "--hash=sha256:" in text
    )


def _setup_cfg(text: str) -> Iterator[Dependency]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        raise Malformed(f"not a valid INI file: {str(exc).splitlines()[0]}", line) from None
    values: list[tuple[str, str]] = []
    if parser.has_option("options", "install_requires"):
        values.append(("install_requires", parser.get("options", "install_requires")))
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            values.append((f"extras_require.{extra}", value))
    for table, value in values:
        for line in value.replace(";", "\n;").splitlines():
            name = None if line.startswith(";") else _requirement_name(line)
            if name is not None:
                yield Dependency(name, normalise("python", name), table)


def _pipfile(text: str) -> Iterator[Dependency]:
    data = _toml(text)
    for table in ("packages", "dev-packages"):
        body = data.get(table, {})
        if isinstance(body, dict):
            for name, spec in body.items():
                if isinstance(spec, dict) and "path" in spec:
                    continue
                yield Dependency(name, normalise("python", name), table)


NPM_TABLES = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
_NPM_LOCAL = ("workspace:", "file:", "link:", "portal:")


def _package_json(text: str) -> Iterator[Dependency]:
    data = _json(text)
    if not isinstance(data, dict):
        raise Malformed("a package.json must hold one JSON object", 1)
    for table in NPM_TABLES:
        body = data.get(table, {})
        if not isinstance(body, dict):
            raise Malformed(f'"{table}" must be an object of name: version')
        for name, spec in body.items():
            if isinstance(spec, str) and spec.startswith(_NPM_LOCAL):
                continue
            yield Dependency(name, normalise("npm", name), table)


_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?([^\s()]+)\s+(v[^\s]+)")


_GO_LOCAL = re.compile(r"^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s*=>\s*\.{0,2}/")


def _go_mod(text: str) -> Iterator[Dependency]:
    # A module replaced by a folder of this repository is not fetched from outside.
    local = {m.group(1) for m in map(_GO_LOCAL.match, text.splitlines()) if m}
    for dependency in _go_requires(text):
        if dependency.name not in local:
            yield dependency


def _go_requires(text: str) -> Iterator[Dependency]:
    in_block = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_block:
            if line.startswith(")"):
                in_block = False
                continue
            code = line.split("//", 1)[0]
        elif re.match(r"^require\s*\(", line):
            in_block = True
            continue
        elif line.startswith("require "):
            code = line.split("//", 1)[0]
        else:
            continue
        if not code.strip():
            continue
        found = _GO_REQUIRE.match(code)
        if found is None:
            raise Malformed(f"a require line without a module and version: {line!r}", number)
        # An indirect require is recorded for the build: in the graph already, not declared.
        direct = "// indirect" not in line
        yield Dependency(found.group(1), normalise("go", found.group(1)), "require", direct)


_CARGO_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")


def _cargo_table(body: Any, label: str) -> Iterator[Dependency]:
    if not isinstance(body, dict):
        return
    for name, spec in body.items():
        real = name
        if isinstance(spec, dict):
            if "path" in spec or spec.get("workspace") is True:
                continue  # a crate of this repository, or one the workspace already declares
            if isinstance(spec.get("package"), str):
                real = spec["package"]
        yield Dependency(real, normalise("cargo", real), label)


def _cargo(text: str) -> Iterator[Dependency]:
    data = _toml(text)
    for table in _CARGO_TABLES:
        yield from _cargo_table(data.get(table), table)
    workspace = data.get("workspace", {})
    if isinstance(workspace, dict):
        yield from _cargo_table(workspace.get("dependencies"), "workspace.dependencies")
    targets = data.get("target", {})
    if isinstance(targets, dict):
        for target, body in targets.items():
            if isinstance(body, dict):
                for table in _CARGO_TABLES:
                    yield from _cargo_table(body.get(table), f"target.{target}.{table}")


_GEM = re.compile(r"""^\s*gem\s*\(?\s*(["'])([^"']+)\1""")


def _gemfile(text: str) -> Iterator[Dependency]:
    for raw in text.splitlines():
        found = _GEM.match(raw)
        if found is None or re.search(r"\bpath\s*(:|=>)", raw):
            continue
        yield Dependency(found.group(2), normalise("rubygems", found.group(2)), "gem")


def _composer(text: str) -> Iterator[Dependency]:
    data = _json(text)
    if not isinstance(data, dict):
        raise Malformed("a composer.json must hold one JSON object", 1)
    for table in ("require", "require-dev"):
        body = data.get(table, {})
        if not isinstance(body, dict):
            raise Malformed(f'"{table}" must be an object of name: version')
        for name in body:
            # The PHP version and its extensions are platform requirements, not packages.
            if name == "php" or name.startswith(("ext-", "lib-", "php-")) or "/" not in name:
                continue
            yield Dependency(name, normalise("composer", name), table)


_READERS = {
    "pyproject": _pyproject,
    "requirements": _requirements,
    "setup-cfg": _setup_cfg,
    "pipfile": _pipfile,
    "package-json": _package_json,
    "go-mod": _go_mod,
    "cargo": _cargo,
    "gemfile": _gemfile,
    "composer": _composer,
}


def dependencies(kind: str, text: str) -> dict[str, Dependency]:
    """The direct dependencies a manifest of KIND declares, by normalised name (the first
    declaration of each). Raises Malformed."""
    found: dict[str, Dependency] = {}
    for dependency in _READERS[kind](text):
        found.setdefault(dependency.key, dependency)
    return found


def package_name(kind: str, text: str) -> str | None:
    """The name the manifest gives its own package (normalised), where it gives one: a
    dependency on it is on this repository's code, not on code from outside."""
    try:
        if kind in ("package-json", "composer"):
            data = json.loads(text)
            name = data.get("name") if isinstance(data, dict) else None
        elif kind in ("pyproject", "cargo"):
            data = tomllib.loads(text)
            table = data.get("project" if kind == "pyproject" else "package", {})
            name = table.get("name") if isinstance(table, dict) else None
        elif kind == "go-mod":
            found = re.search(r"^\s*module\s+(\S+)", text, re.MULTILINE)
            name = found.group(1) if found else None
        else:
            return None
    except (ValueError, tomllib.TOMLDecodeError):
        return None
    return normalise(ECOSYSTEMS[kind], name) if isinstance(name, str) else None


# -- MCP servers --------------------------------------------------------------------------------


class Server(NamedTuple):
    name: str
    command: str | None
    args: tuple[str, ...]
    url: str | None
    env: tuple[tuple[str, str], ...]  # environment variables, sorted
    headers: tuple[tuple[str, str], ...]  # HTTP headers, sorted


def strip_json_comments(text: str) -> str:
    """JSON with comments and trailing commas (VS Code's and Gemini's form) as plain JSON,
    with every line kept where it was so errors name the right line."""
    out: list[str] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < size and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = size if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = size if end < 0 else end + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        else:
            out.append(char)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _pairs(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise Malformed(f"{where} must be an object of names and strings")
    return tuple(
        sorted((str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in value.items())
    )


def _server(name: str, body: Any) -> Server:
    if not isinstance(body, dict):
        raise Malformed(f"the server {name!r} must be an object (a table)")
    command: Any = body.get("command")
    args: Any = body.get("args", ())
    if isinstance(command, list):  # opencode writes the command and its arguments as one list
        args = [*command[1:], *(args or ())]
        command = command[0] if command else None
    if command is not None and not isinstance(command, str):
        raise Malformed(f"the server {name!r}: `command` must be a string")
    if not isinstance(args, (list, tuple)) or not all(isinstance(a, str) for a in args):
        raise Malformed(f"the server {name!r}: `args` must be a list of strings")
    url = body.get("url") or body.get("serverUrl") or body.get("httpUrl")
    if url is not None and not isinstance(url, str):
        raise Malformed(f"the server {name!r}: `url` must be a string")
    env = _pairs(body.get("env", body.get("environment")), f"the server {name!r}: `env`")
    headers = _pairs(
        body.get("headers", body.get("http_headers")), f"the server {name!r}: `headers`"
    )
    return Server(name, command, tuple(args), url, env, headers)


def servers(text: str, syntax: str, key: str) -> dict[str, Server]:
    """The MCP servers a configuration file declares under KEY (dotted), by name. SYNTAX is
    "json", "jsonc" (comments and trailing commas allowed), "toml" or "yaml" (Continue's
    list of servers, each with its `name`). Raises Malformed."""
    if syntax == "toml":
        data: Any = _toml(text)
    elif syntax == "yaml":
        data = _yaml(text)
        if data is None:
            return {}
    else:
        data = _json(strip_json_comments(text) if syntax == "jsonc" else text)
    for part in key.split("."):
        if not isinstance(data, dict):
            raise Malformed(f"expected an object holding {key!r}", 1)
        data = data.get(part)
        if data is None:
            return {}
    if syntax == "yaml" and isinstance(data, list):
        return _named(data, key)
    if not isinstance(data, dict):
        raise Malformed(f"{key!r} must be an object of servers by name")
    return {name: _server(name, body) for name, body in data.items()}


def _named(items: list[Any], key: str) -> dict[str, Server]:
    """A list of servers that each carry their `name` (Continue's YAML blocks)."""
    found = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise Malformed(f"each server under {key!r} must be a mapping with a `name`")
        found[item["name"]] = _server(item["name"], item)
    return found


def changed_fields(before: Server, after: Server) -> list[str]:
    fields = ("command", "args", "url", "env", "headers")
    return [field for field in fields if getattr(before, field) != getattr(after, field)]


_EXACT_NPM = re.compile(r"^(@[^/@\s]+/)?[^@\s]+@v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
_EXACT_PY = re.compile(r"^[A-Za-z0-9._\[\],-]+(?:==|@)v?\d+(?:\.\d+)*(?:[-+._]?[0-9A-Za-z.]+)?$")
_RUNNERS = {"npx": "npm", "bunx": "npm", "pnpx": "npm", "uvx": "python", "pipx": "python"}
# Options of docker/podman run that take a value as the next argument.
_CONTAINER_VALUED = {
    "-e",
    "--env",
    "-v",
    "--volume",
    "--name",
    "-p",
    "--publish",
    "--network",
    "--net",
    "--mount",
    "--env-file",
    "-w",
    "--workdir",
    "--entrypoint",
    "-u",
    "--user",
    "-l",
    "--label",
    "--platform",
    "--pull",
    "-h",
    "--hostname",
    "--add-host",
    "--cpus",
    "-m",
    "--memory",
}


def _program(command: str) -> str:
    name = command.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(".cmd").removesuffix(".exe")


def _first_operand(args: Iterable[str], valued: set[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in valued
            continue
        return arg
    return None


def unpinned(server: Server) -> str | None:
    """How the server's package floats, or None when it is pinned or not a package runner:
    npx/bunx/pnpx/uvx/pipx without an exact version, a container image without a digest."""
    if server.command is None:
        return None
    program = _program(server.command)
    args = list(server.args)
    if program in ("npm", "pnpm", "yarn", "bun") and args[:1] in (["exec"], ["dlx"], ["x"]):
        program, args = "npx", args[1:]
    if program == "pipx" and args[:1] == ["run"]:
        args = args[1:]
    if program == "uv" and args[:2] == ["tool", "run"]:
        program, args = "uvx", args[2:]
    if program in _RUNNERS:
        spec = None
        for index, arg in enumerate(args):
            if arg in ("--from", "--spec", "-p", "--package") and index + 1 < len(args):
                spec = args[index + 1]
                break
            if arg.startswith(("--from=", "--spec=", "--package=")):
                spec = arg.split("=", 1)[1]
                break
        if spec is None:
            spec = _first_operand(args, {"--python", "--with", "-w", "--index-url", "--cache"})
        if spec is None:
            return None
        exact = _EXACT_NPM if _RUNNERS[program] == "npm" else _EXACT_PY
        if exact.match(spec):
            return None
        return f"`{program} {spec}` runs whatever version is newest when the agent starts"
    if program in ("docker", "podman") and args[:1] == ["run"]:
        image = _first_operand(args[1:], _CONTAINER_VALUED)
        if image is None or "@sha256:" in image:
            return None
        return f"the image `{image}` is not pinned to a digest (@sha256:...)"
    return None


_REFERENCE = re.compile(r"^\s*(\$\{[^}]*\}|\$[A-Za-z_]\w*|\{env:[^}]*\}|%[A-Za-z_]\w*%)\s*$")
_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|_PAT$|^PAT_)",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}"
    r"|AIza[0-9A-Za-z_-]{30,})"
)
_PLACEHOLDER = re.compile(
    r"^(<[^>]*>|\[[^\]]*\]|\{\{[^}]*\}\}|your[-_ ].*|x+|\*+|\.\.\.|changeme|change[-_]me|todo|none"
    r"|null|redacted|placeholder|dummy|example|test|secret)$",
    re.I,
)


def _literal_secret(name: str, value: str) -> bool:
    if _SECRET_VALUE.search(value):
        return True
    if not _SECRET_NAME.search(name) or not value.strip() or _REFERENCE.match(value):
        return False
    bare = re.sub(r"^(Bearer|Basic|token)\s+", "", value.strip(), flags=re.IGNORECASE)
    if _REFERENCE.match(bare) or "${" in bare or _PLACEHOLDER.match(bare):
        return False
    return len(bare) >= 8


def secrets(server: Server) -> list[str]:
    """The environment variables, headers and arguments that hold a secret written out,
    not a reference to one (`${GITHUB_TOKEN}`, `${input:token}`, `{env:TOKEN}`)."""
    found = [f"env {name}" for name, value in server.env if _literal_secret(name, value)]
    found += [f"header {name}" for name, value in server.headers if _literal_secret(name, value)]
    found += [f"argument {i + 1}" for i, arg in enumerate(server.args) if _SECRET_VALUE.search(arg)]
    return found


_LOOPBACK = re.compile(
    r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:localhost|127(?:\.\d+){3}|\[::1\]|0\.0\.0\.0)(?:[:/]|$)",
    re.IGNORECASE,
)


def remote(server: Server) -> str | None:
    """The server's URL when it is served from another machine (loopback is this one)."""
    url = server.url
    if url and re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE) and not _LOOPBACK.match(url):
        return url
    return None


# -- instructions planted for agents -----------------------------------------------------------


class LazyRegex:
    """A case-blind alternation of regular expressions, compiled when first tried: most
    changes add no line that holds one of a pattern's words, and compiling them all costs a
    run ~20 ms."""

    def __init__(self, parts: Iterable[str]) -> None:
        self._source = "|".join(f"(?:{r})" for r in parts)
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self._source, re.IGNORECASE)
        return self._compiled.search(text)


class Pattern(NamedTuple):
    name: str  # e.g. "override"
    what: str  # what the text does, for the message
    regex: LazyRegex
    addressed: bool  # counts only beside text that addresses an agent
    in_instruction_files: bool  # instruction files give agents orders by design: some count
    # The regex is tried only on text holding one of these words: most lines hold none, and a
    # set lookup costs a fraction of a case-blind alternation.
    words: frozenset[str]


class Addressee(NamedTuple):
    regex: LazyRegex
    words: frozenset[str]


_WORD = re.compile(r"[a-z0-9]+")


def words_of(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


class Hit(NamedTuple):
    line: int
    column: int
    pattern: Pattern
    text: str  # the matched words


def compile_patterns(entries: Iterable[Mapping[str, Any]]) -> tuple[Pattern, ...]:
    return tuple(
        Pattern(
            entry["name"],
            entry["what"],
            LazyRegex(entry["regex"]),
            bool(entry.get("addressed", False)),
            bool(entry.get("in-instruction-files", True)),
            frozenset(entry["words"]),
        )
        for entry in entries
    )


def planted(
    added: Iterable[tuple[int, str]],
    context: Mapping[int, str],
    patterns: Iterable[Pattern],
    addressee: Addressee,
    instruction_file: bool,
    reach: int = 3,
) -> list[Hit]:
    """The added lines (number, text) that hold instruction-like text aimed at an agent. A
    pattern marked `addressed` counts only when the line, or one of the REACH lines before it
    (from CONTEXT, the head file's lines by number, else the added lines), addresses an agent.
    A phrase broken over two added lines is found at its first line."""
    lines = list(added)
    known = dict(context) or dict(lines)
    active = [p for p in patterns if p.in_instruction_files or not instruction_file]
    found: dict[int, Hit] = {}
    numbers = {number for number, _ in lines}
    for number, text in lines:
        following = known.get(number + 1) if number + 1 in numbers else None
        window = text if following is None else f"{text} {following.strip()}"
        tokens = words_of(window)
        for pattern in active:
            if tokens.isdisjoint(pattern.words):
                continue
            match = pattern.regex.search(window)
            if match is None or match.start() >= len(text):
                continue
            # An instruction file is addressed to agents throughout.
            if pattern.addressed and not (
                instruction_file or _addressed(number, known, addressee, reach, window)
            ):
                continue
            found.setdefault(number, Hit(number, match.start() + 1, pattern, match.group(0)))
            break
    return [found[number] for number in sorted(found)]


def _addressed(
    number: int, lines: Mapping[int, str], addressee: Addressee, reach: int, window: str
) -> bool:
    for text in (window, *(lines.get(n, "") for n in range(number - reach, number))):
        if not words_of(text).isdisjoint(addressee.words) and addressee.regex.search(text):
            return True
    return False


def may_hold(text: str, patterns: Iterable[Pattern], addressee: Addressee) -> bool:
    """Whether TEXT holds a word some phrasing needs: the cheap test of a whole file."""
    tokens = words_of(text)
    return not tokens.isdisjoint(addressee.words) or any(
        not tokens.isdisjoint(p.words) for p in patterns
    )


def declares_workspace(
    prefix: str, manifest: str, markers: Iterable[str], read: Callable[[str], bytes | None]
) -> bool:
    """Whether the folder PREFIX ("" or ending in "/") declares a workspace, as READ gives its
    files: its MANIFEST holds one of MARKERS (rules/paths.toml [lockfiles.workspaces]), or, for
    package.json, pnpm's pnpm-workspace.yaml lies beside it."""
    if manifest == "package.json" and read(f"{prefix}pnpm-workspace.yaml") is not None:
        return True
    markers = tuple(markers)
    data = read(f"{prefix}{manifest}") if markers else None
    text = data.decode("utf-8", "replace") if data else ""
    return any(marker in text for marker in markers)
