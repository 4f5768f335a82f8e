"""Properties of policy and task loading (checker/policy.py and checker/task.py from_text):
every valid document loads, with the values it was written with; every invalid one (an unknown
key, a value of the wrong type or out of range, a table where a value belongs, broken TOML) is
a FatalError: one line, naming the file, and the key at fault with its line.

Documents are built from the keys of both SCHEMAs (a key without a generator fails
test_every_key_has_values), in agentcheck.toml and under [tool.agentcheck] in pyproject.toml.
The default suite runs a few dozen examples per property; the slow runs (pytest -m slow)
10,000 each, and a sample goes through the real command (exit 2).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.checks import policy_schema, size
from checker.config import catalog, policy, task
from checker.config.globs import Globs
from checker.config.schema import Entries
from checker.model.errors import FatalError
from tests import examples
from tests.conftest import Repo
from tests.diffgen import Digits, uniform

POLICY_SCHEMA = policy_schema()

# Shrinking random bytes takes minutes; the assertion messages show the document instead.
FAST = examples.fast(shrink=False)
SLOW = examples.slow(shrink=False)
SLOW_MARK: Callable[[Callable[..., None]], Callable[..., None]] = pytest.mark.slow

Path_ = tuple[str, ...]
Make = Callable[[Digits], Any]


def pick(items: list[Any]) -> Make:
    return lambda d: items[d.take(len(items))]


def listed(make: Make, most: int = 3, least: int = 0) -> Make:
    return lambda d: [make(d) for _ in range(least + d.take(most - least + 1))]


# -- valid values, by key ----------------------------------------------------------------------

GLOB_PARTS = ["src", "*", "**", "*.py", "a b", "\u00fcn\u00ef", "[ab]", "x?", "d.d", "\\#hash"]
GLOB_PARTS += ["[a-]", "vendor", ".github", "\u0444\u0430\u0439\u043b", "*.lock", "\\!bang"]


def glob(d: Digits) -> str:
    text = "/".join(GLOB_PARTS[d.take(len(GLOB_PARTS))] for _ in range(1 + d.take(3)))
    shape = d.take(8)
    if shape == 1:
        text = "/" + text
    elif shape == 2:
        text += "/"
    elif shape == 3:
        text = "!" + text
    return text


GLOBS = listed(glob)
POSITIVE_INT = pick([1, 2, 7, 300, 1000, 2**31, 2**63 - 1])
POSITIVE_NUMBER = pick([1, 3, 0.5, 2.5, 1e-9, 1e300, 3.0])
BOOLEAN = pick([True, False])
POINTS = pick(["U+200E", "u+200c", "U+FE00..U+FE0F", "U+E0000..U+E007F", "U+0", "U+10FFFF"])
UNICODE_CODES = pick(["AC501", "AC502", "AC503", "AC504", "AC505", "ac503"])
MODULES = ["app", "app.api", "app.services", "app.db", "lib.core", "ui", "app.*", "x.**"]
TEXT = pick(["NOTIF-12", "", "Add the schema", "caf\u00e9 \u2713", 'q"uote\\', "tab\tnew\nline"])
NAMES = pick(["requests", "@types/*", "Foo_Bar", "github.com/a/b", "caf\u00e9", "docs-*"])
EDGE = pick(["app.api -> app.db", "a.* -> b", "src/x -> src/y", "  app -> lib.core  "])


def unicode_path_entry(d: Digits) -> dict[str, Any]:
    allow = POINTS if d.take(2) else UNICODE_CODES
    return {"paths": listed(glob, 2, 1)(d), "allow": listed(allow, 2)(d)}


def module_names(d: Digits, least: int) -> list[str]:
    start = d.take(len(MODULES))
    return [MODULES[(start + i) % len(MODULES)] for i in range(least + d.take(3))]


def contract(d: Digits) -> dict[str, Any]:
    kind = ["layers", "forbidden", "independence"][d.take(3)]
    entry: dict[str, Any] = {"type": kind}
    if d.take(2):
        entry["name"] = ["core first", "no ui in db", "caf\u00e9"][d.take(3)]
    if d.take(3) == 0:
        entry["ignore"] = ["app.api -> app.db"]
    if kind == "layers":
        entry["layers"] = [n for n in module_names(d, 1) if "*" not in n] or ["app"]
        if d.take(3) == 0:
            entry["containers"] = ["app"]
    elif kind == "forbidden":
        entry["source"] = module_names(d, 1)
        entry["forbidden"] = module_names(d, 1)
        if d.take(2):
            entry["as-packages"] = bool(d.take(2))
    else:
        entry["modules"] = module_names(d, 1)
    return entry


def severities(d: Digits) -> dict[str, str]:
    codes = sorted(catalog.all_rules())
    levels = ["error", "warning", "info", "off"]
    found = {}
    for _ in range(d.take(4)):
        code = codes[d.take(len(codes))]
        found[code[: 3 + d.take(3)]] = levels[d.take(4)]  # AC5, AC50, AC501
    return found


POLICY_VALID: dict[Path_, Make] = {
    ("fail-on",): pick(["error", "warning", "never"]),
    ("exclude",): GLOBS,
    ("require-task",): BOOLEAN,
    ("instruction-files",): GLOBS,
    ("size", "max-lines"): POSITIVE_INT,
    ("size", "max-files"): POSITIVE_INT,
    ("size", "ratio"): POSITIVE_NUMBER,
    ("size", "ignore"): GLOBS,
    ("paths", "protected"): GLOBS,
    ("unicode", "allow"): listed(POINTS),
    ("unicode", "scan"): pick(["all", "instruction-files"]),
    ("unicode", "paths"): listed(unicode_path_entry, 2),
    ("imports", "roots"): listed(pick(["src", ".", "./lib", "python/pkg/", ""])),
    ("imports", "contracts-from"): pick(["importlinter", "tach", "none", ["tach", "none"], []]),
    ("imports", "type-checking-imports"): BOOLEAN,
    ("imports", "contracts"): listed(contract, 2),
    ("severity",): severities,
    ("hooks", "base"): pick(["main", "origin/main", "v1.2", "HEAD~3"]),
    ("hooks", "fail-on"): pick(["error", "warning", "never"]),
    ("hooks", "max-blocks"): POSITIVE_INT,
    ("enforce",): pick(["agents", "all"]),
    ("agents", "fail-on"): pick(["error", "warning", "never"]),
    ("dependencies", "allow"): listed(NAMES),
    ("mcp", "allow"): listed(NAMES),
    ("planted", "ignore"): GLOBS,
}

TASK_VALID: dict[Path_, Make] = {
    ("id",): TEXT,
    ("summary",): TEXT,
    ("paths",): GLOBS,
    ("forbid",): GLOBS,
    ("expected-lines",): POSITIVE_INT,
    ("expected-files",): POSITIVE_INT,
    ("allow-protected",): GLOBS,
    ("allow-imports",): listed(EDGE),
    ("allow-dependencies",): listed(NAMES),
}

# -- invalid values, by key: each must be refused ----------------------------------------------

BAD_GLOBS = ["vendor/**", [""], ["   "], ["[abc"], ["#comment"], ["!"], ["x\\"], [1], [["a"]], 5]
BAD_GLOBS += [True]
BAD_INT = [0, -1, 1.5, "5", True, [1], math.nan, 2**63, 10**400]
BAD_NUMBER = [0, -0.5, "3", True, [2], math.nan, math.inf, -math.inf, 2**63, 10**400]
BAD_NAMES = ["requests", [""], ["two names"], [1], [["a"]], 5, True]
BAD_BOOL = ["true", 1, 0, [True], 1.0]

POLICY_INVALID: dict[Path_, list[Any]] = {
    ("fail-on",): ["sometimes", "", "ERROR", 1, True, ["error"]],
    ("exclude",): BAD_GLOBS,
    ("require-task",): BAD_BOOL,
    ("instruction-files",): BAD_GLOBS,
    ("size", "max-lines"): BAD_INT,
    ("size", "max-files"): BAD_INT,
    ("size", "ratio"): BAD_NUMBER,
    ("size", "ignore"): BAD_GLOBS,
    ("paths", "protected"): BAD_GLOBS,
    ("unicode", "allow"): ["U+200E", ["zero width"], ["U+110000"], ["U+FE0F..U+FE00"], [1]],
    ("unicode", "scan"): ["some", 1, ["all"]],
    ("unicode", "paths"): [
        5,
        "x",
        [1],
        [{"paths": ["a"]}],
        [{"allow": ["U+200E"]}],
        [{"paths": ["a"], "allow": ["nope"]}],
        [{"paths": ["["], "allow": ["AC501"]}],
        [{"paths": ["a"], "allow": ["AC501"], "extra": 1}],
        [{"paths": "a", "allow": ["AC501"]}],
    ],
    ("imports", "roots"): ["src", ["/abs"], ["../up"], ["a/*"], [1]],
    ("imports", "contracts-from"): ["pylint", ["tach", "x"], 1, True],
    ("imports", "type-checking-imports"): BAD_BOOL,
    ("imports", "contracts"): [
        5,
        [{"type": "nope", "layers": ["a"]}],
        [{"layers": ["a"]}],
        [{"type": "layers"}],
        [{"type": "layers", "layers": []}],
        [{"type": "layers", "layers": ["a", "a"]}],
        [{"type": "forbidden", "source": ["a"]}],
        [{"type": "independence", "modules": ["a b"]}],
        [{"type": "layers", "layers": ["a"], "source": ["b"]}],
        [{"type": "forbidden", "source": ["a"], "forbidden": ["b"], "as-packages": "no"}],
        [{"type": "layers", "layers": ["a"], "name": ""}],
        [{"type": "independence", "modules": "a"}],
        [{"type": "layers", "layers": ["a|b:c"]}],
    ],
    ("severity",): [{"AC999": "error"}, {"AC101": "fatal"}, {"XY1": "off"}, 5, "AC101"],
    ("hooks", "base"): ["", "-x", "two words", 1, ["main"]],
    ("hooks", "fail-on"): ["sometimes", 1, ["warning"]],
    ("hooks", "max-blocks"): BAD_INT,
    ("enforce",): ["everyone", "", 1, ["all"], True],
    ("agents", "fail-on"): ["sometimes", 1, ["warning"]],
    ("dependencies", "allow"): BAD_NAMES,
    ("mcp", "allow"): BAD_NAMES,
    ("planted", "ignore"): BAD_GLOBS,
}

TASK_INVALID: dict[Path_, list[Any]] = {
    ("id",): [12, True, ["x"], 1.5],
    ("summary",): [3, ["s"]],
    ("paths",): BAD_GLOBS,
    ("forbid",): BAD_GLOBS,
    ("expected-lines",): BAD_INT,
    ("expected-files",): BAD_INT,
    ("allow-protected",): BAD_GLOBS,
    ("allow-imports",): ["a -> b", ["a to b"], ["a ->"], ["-> b"], ["a b -> c"], [1]],
    ("allow-dependencies",): BAD_NAMES,
}

UNKNOWN_KEYS = ["fail_on", "colour", "max-lines", "Severity", "\u00fcnknown", "a.b", "size "]


# -- TOML ---------------------------------------------------------------------------------------


def toml_string(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)[1:-1].replace("\x7f", "\\u007f")
    return f'"{body}"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def _entries(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_text(document: Mapping[str, Any], prefix: Path_ = ()) -> list[str]:
    """TOML for DOCUMENT: a table's values, then its tables, then its [[arrays]] of tables."""
    header = ".".join(toml_key(p) for p in prefix)
    values = {k: v for k, v in document.items() if not isinstance(v, dict) and not _entries(v)}
    lines = [f"[{header}]"] if prefix and (values or not document) else []
    lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in values.items()]
    for key, value in document.items():
        if isinstance(value, dict):
            lines += toml_text(value, (*prefix, key))
    for key, value in document.items():
        if _entries(value):
            for entry in value:
                lines.append(f"[[{'.'.join(toml_key(p) for p in (*prefix, key))}]]")
                lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in entry.items()]
    return lines


# -- documents ---------------------------------------------------------------------------------


def document(valid: Mapping[Path_, Make], d: Digits) -> dict[str, Any]:
    """Some of the keys, each with a valid value."""
    found: dict[str, Any] = {}
    for path, make in valid.items():
        if d.take(2):
            continue
        table = found
        for part in path[:-1]:
            table = table.setdefault(part, {})
        table[path[-1]] = make(d)
    return found


class Case(NamedTuple):
    text: str
    label: str  # what messages must start with
    fragment: str  # what the error must name; "" for a valid document
    data: dict[str, Any]  # the valid document (before any fault)


def _set(data: dict[str, Any], path: Path_, value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _fault(
    valid: Mapping[Path_, Make], invalid: Mapping[Path_, list[Any]], data: dict[str, Any], d: Digits
) -> tuple[dict[str, Any], str, bool]:
    """DATA with one fault put in: (document, what the error must name, whether the TOML
    itself is broken)."""
    broken = json.loads(json.dumps(data, allow_nan=True))
    kind = d.take(5)
    if kind == 0:  # a key no schema has, at the top, in a table, or in an entry
        tables = [(), *sorted({p[:-1] for p in valid if len(p) > 1})]
        where = tables[d.take(len(tables))]
        known = {p[len(where)] for p in valid if p[: len(where)] == where}
        unknown = [k for k in UNKNOWN_KEYS if k not in known]
        key = unknown[d.take(len(unknown))]
        _set(broken, (*where, key), 1)
        return broken, ".".join((*where, key)), False
    if kind == 1:  # a value where a table belongs
        tables = sorted({p[:1] for p in valid if len(p) > 1} | ({("severity",)} & set(valid)))
        if tables:
            where = tables[d.take(len(tables))]
            broken[where[0]] = [5, "x", [1]][d.take(3)]
            return broken, where[0], False
    if kind == 2:
        return broken, "not valid TOML", True
    paths = sorted(invalid)
    path = paths[d.take(len(paths))]
    values = invalid[path]
    _set(broken, path, values[d.take(len(values))])
    return broken, ".".join(path), False


SYNTAX_FAULTS = ["[size\n", 'x = "unterminated\n', "= 1\n", "a = 1\na = 2\n", "[[\n", "k = [1,\n"]


def case(
    valid: Mapping[Path_, Make],
    invalid: Mapping[Path_, list[Any]],
    name: str,
    number: int,
    faulty: bool,
) -> Case:
    d = Digits(number)
    data = document(valid, d)
    pyproject = name == "agentcheck.toml" and d.take(2) == 1
    fragment = ""
    written = data
    broken_toml = False
    if faulty:
        written, fragment, broken_toml = _fault(valid, invalid, data, d)
    body = {"tool": {"agentcheck": written}} if pyproject else written
    lines = toml_text(body)
    if pyproject:
        lines = ["[project]", 'name = "x"', *lines]
    text = "\n".join(lines) + "\n"
    if broken_toml:
        fault = SYNTAX_FAULTS[d.take(len(SYNTAX_FAULTS))]
        at = d.take(text.count("\n") + 1)
        split = text.split("\n")
        text = "\n".join([*split[:at], fault.rstrip("\n"), *split[at:]])
    label = "pyproject.toml" if pyproject else name
    if pyproject and not broken_toml:
        label += " [tool.agentcheck]"
    return Case(text, label, fragment, data)


def load_policy(item: Case) -> policy.Policy | None:
    pyproject = item.label.startswith("pyproject.toml")
    name = "pyproject.toml" if pyproject else "agentcheck.toml"
    return policy.from_text(item.text, name, name, pyproject, POLICY_SCHEMA)


def load_task(item: Case) -> task.Task:
    return task.from_text(item.text, item.label, item.label)


def _leaves(schema: Mapping[str, Any], prefix: Path_ = ()) -> Iterator[Path_]:
    for key, rule in schema.items():
        if isinstance(rule, Mapping) and not isinstance(rule, Entries):
            yield from _leaves(rule, (*prefix, key))
        else:
            yield (*prefix, key)


# -- properties ---------------------------------------------------------------------------------


def _valid_policy_loads(number: int) -> None:
    item = case(POLICY_VALID, POLICY_INVALID, "agentcheck.toml", number, faulty=False)
    loaded = load_policy(item)
    assert loaded is not None, item.text
    for path in _leaves(POLICY_SCHEMA):
        assert (_get(loaded.values, path) is None) == (_get(item.data, path) is None), (
            path,
            item.text,
        )
    assert loaded.fail_on == item.data.get("fail-on", "error")
    sized = size.settings(loaded)
    assert sized.max_lines == item.data.get("size", {}).get("max-lines", size.DEFAULT_MAX_LINES)
    assert sized.ratio == item.data.get("size", {}).get("ratio", size.DEFAULT_RATIO)
    # The globs compile and match (the built-in presets that join them are tested elsewhere).
    for path in _leaves(POLICY_SCHEMA):
        if POLICY_VALID[path] is GLOBS and _get(loaded.values, path):
            Globs(_get(loaded.values, path)).match("a b/src/x.py")


def _get(data: Mapping[str, Any], path: Path_) -> Any:
    for part in path:
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _refused(item: Case, load: Callable[[Case], object]) -> None:
    with pytest.raises(FatalError) as caught:
        load(item)
    message = str(caught.value)
    assert message.startswith(item.label + ":"), (message, item.text)
    assert item.fragment in message, (item.fragment, message, item.text)
    assert "\n" not in message, message
    if item.fragment != "not valid TOML":  # the line of the key at fault, where it is written
        assert re.match(re.escape(item.label) + r":\d+: ", message), (message, item.text)


def _policy_loading(number: int) -> None:
    """The document loads; with one fault put in, it is refused."""
    _valid_policy_loads(number)
    item = case(POLICY_VALID, POLICY_INVALID, "agentcheck.toml", number, faulty=True)
    _refused(item, load_policy)


def _valid_task_loads(number: int) -> None:
    item = case(TASK_VALID, TASK_INVALID, ".agentcheck/task.toml", number, faulty=False)
    loaded = load_task(item)
    for path in _leaves(task.SCHEMA):
        assert (path[0] in loaded.values) == (path[0] in item.data), (path, item.text)
    assert loaded.expected_lines == item.data.get("expected-lines")
    assert loaded.allow_imports == tuple(item.data.get("allow-imports", ()))
    assert loaded.id == (item.data.get("id") or loaded.source)
    loaded.paths.match("src/x.py")
    loaded.forbid.match("src/x.py")


def _task_loading(number: int) -> None:
    _valid_task_loads(number)
    item = case(TASK_VALID, TASK_INVALID, ".agentcheck/task.toml", number, faulty=True)
    _refused(item, load_task)


NUMBERS = uniform(48)


def _pair(body: Callable[[int], None]) -> tuple[Callable[..., None], Callable[..., None]]:
    few: Callable[..., None] = FAST(given(NUMBERS)(body))
    many: Callable[..., None] = SLOW(given(NUMBERS)(body))
    return few, SLOW_MARK(many)


test_policy_loading, test_policy_loading_many = _pair(_policy_loading)
test_task_loading, test_task_loading_many = _pair(_task_loading)


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [(POLICY_SCHEMA, POLICY_VALID, POLICY_INVALID), (task.SCHEMA, TASK_VALID, TASK_INVALID)],
    ids=["policy", "task"],
)
def test_every_key_has_values(
    schema: Mapping[str, Any],
    valid: Mapping[Path_, Make],
    invalid: Mapping[Path_, list[Any]],
) -> None:
    """A key added to a SCHEMA needs valid and invalid values here, or it goes unfuzzed."""
    leaves = set(_leaves(schema))
    assert leaves == set(valid), f"give these keys values in {__file__}: {leaves ^ set(valid)}"
    assert leaves == set(invalid), (
        f"give these keys bad values in {__file__}: {leaves ^ set(invalid)}"
    )


@pytest.fixture(scope="module")
def checked_repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo(tmp_path_factory.mktemp("config") / "repo")
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("a.txt", "b\n")
    return repo


@pytest.mark.e2e
@examples.budget(12, shrink=False)
@given(NUMBERS, st.booleans())
def test_invalid_documents_exit_2_through_the_command(
    checked_repo: Repo, number: int, is_task: bool
) -> None:
    """A sample end to end: exit 2, nothing on stdout, one line on stderr naming the file."""
    repo = checked_repo
    for name in ("agentcheck.toml", "pyproject.toml", ".agentcheck/task.toml"):
        (repo.root / name).unlink(missing_ok=True)
    if is_task:
        item = case(TASK_VALID, TASK_INVALID, ".agentcheck/task.toml", number, faulty=True)
        repo.write(".agentcheck/task.toml", item.text)
    else:
        item = case(POLICY_VALID, POLICY_INVALID, "agentcheck.toml", number, faulty=True)
        repo.write(item.label.split(" ")[0], item.text)
    result = repo.run("diff")
    assert result.code == 2, (result.err, item.text)
    assert result.out == ""
    assert result.err.startswith(f"agentcheck: error: {item.label}:"), result.err
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_reject_non_finite_numbers() -> None:
    """TOML has nan and inf; neither is a number above 0."""
    for value in ("nan", "inf", "-inf"):
        with pytest.raises(FatalError, match=r"size\.ratio"):
            policy.from_text(
                f"[size]\nratio = {value}\n", "agentcheck.toml", None, False, POLICY_SCHEMA
            )


def test_generated_documents_cover_every_key() -> None:
    """The generator writes every key in some document, and puts every kind of fault in."""
    seen: set[Path_] = set()
    fragments: set[str] = set()
    for number in range(0, 2**40, 2**40 // 1000):
        # Spread over ~100 bits: each key of the schema takes digits before the fault does.
        item = case(POLICY_VALID, POLICY_INVALID, "agentcheck.toml", number * 7919**5, faulty=True)
        seen.update(p for p in POLICY_VALID if _get(item.data, p) is not None)
        fragments.add(item.fragment)
    assert seen == set(POLICY_VALID)
    assert "not valid TOML" in fragments
    assert any(f.endswith("colour") for f in fragments)


def test_toml_writer_round_trips(tmp_path: Path) -> None:
    from checker.config.tomlfile import parse_toml

    data = {"a": 'q"\\\x7f\x00\u2028', "t": {"x": [1, 2.5, True], "u": {"v": "w"}}, "e": [{"k": 1}]}
    assert parse_toml("\n".join(toml_text(data)) + "\n", "x") == data
