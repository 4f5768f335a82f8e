"""Tampering findings measured wrong on real history (issue 16), each reproduced in process on a
change of the same shape: tests split, moved or merged are not removed; a skip on a test the
change adds, or a skip whose reason is reworded, disables nothing; a helper's precondition is
no assertion of the test."""

from __future__ import annotations

import pytest

from checker.model.finding import Finding
from tests import memory

Files = dict[str, str | bytes]


def found(base: Files, head: Files) -> list[Finding]:
    change, reader = memory.change_between(base, head)
    return memory.run(change, reader, select=("AC7",))


def codes(base: Files, head: Files) -> list[str]:
    return memory.codes(found(base, head))


def source(name: str, value: int) -> str:
    return f"def {name}():\n    assert compute({value}) == {value}\n\n\n"


# AC701: test identity across the change.

FIVE = "".join(source(f"test_{n}", i) for i, n in enumerate("abcde"))


def test_a_test_file_split_into_several_keeps_its_tests() -> None:
    base: Files = {"tests/test_all.py": FIVE}
    head: Files = {
        "tests/test_ab.py": source("test_a", 0) + source("test_b", 1),
        "tests/test_cd.py": source("test_c", 2) + source("test_d", 3),
        "tests/test_e.py": source("test_e", 4),
    }
    assert codes(base, head) == []


def test_a_split_that_drops_a_test_still_reports_it() -> None:
    base: Files = {"tests/test_all.py": FIVE}
    head: Files = {"tests/test_ab.py": source("test_a", 0) + source("test_b", 1)}
    reported = found(base, head)
    assert memory.codes(reported) == ["AC701"]
    assert "3 tests of it no longer run" in reported[0].message


def test_tests_moved_to_a_file_git_pairs_as_a_copy() -> None:
    base: Files = {"tests/test_cart.py": FIVE}
    head: Files = {
        "tests/test_cart.py": source("test_a", 0) + source("test_b", 1),
        "tests/test_cart_totals.py": source("test_c", 2)
        + source("test_d", 3)
        + source("test_e", 4),
    }
    change, reader = memory.change_between(base, head)
    copied = memory.file_change(
        "tests/test_cart_totals.py",
        FIVE.encode(),
        str(head["tests/test_cart_totals.py"]).encode(),
        "tests/test_cart.py",
    )._replace(status="copied", similarity=60)
    files = tuple(copied if f.path == copied.path else f for f in change.files)
    assert memory.codes(memory.run(change._replace(files=files), reader, select=("AC7",))) == []


PARAMETRIZED = (
    "import pytest\n\n\n"
    '@pytest.mark.parametrize("value", [0, 1])\n'
    "def test_compute(value):\n    assert compute(value) == value\n"
)


def test_tests_merged_into_a_parametrized_test_count_as_cases() -> None:
    base: Files = {
        "tests/test_x.py": "import pytest\n\n\n" + source("test_a", 0) + source("test_b", 1)
    }
    assert codes(base, {"tests/test_x.py": PARAMETRIZED}) == []
    three = "import pytest\n\n\n" + source("test_a", 0) + source("test_b", 1) + source("test_c", 2)
    assert codes({"tests/test_x.py": three}, {"tests/test_x.py": PARAMETRIZED}) == ["AC701"]


# AC702: skips that disable no test that ran.

EXISTING = "import pytest\n\n\ndef test_old():\n    assert compute(1) == 1\n"


def test_a_skip_on_a_test_the_change_adds_disables_nothing() -> None:
    decorated = (
        EXISTING + '\n\n@pytest.mark.skip(reason="needs a server")\ndef test_new():\n    assert 1\n'
    )
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": decorated}) == []
    in_body = EXISTING + '\n\ndef test_new():\n    pytest.skip("needs a server")\n    assert 1\n'
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": in_body}) == []


def test_a_skip_on_an_existing_test_is_still_reported() -> None:
    head = EXISTING.replace("def test_old", '@pytest.mark.skip(reason="flaky")\ndef test_old')
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": head}) == ["AC702"]


def test_a_reworded_skip_reason_is_no_new_skip() -> None:
    base = EXISTING.replace("    assert", '    pytest.skip("old reason")\n    assert')
    head = base.replace("old reason", "the server is down on Windows")
    assert codes({"tests/test_x.py": base}, {"tests/test_x.py": head}) == []


# AC703: a helper's precondition.

HELPER = (
    "def make_user(name):\n    assert name, 'a user needs a name'\n    return {'name': name}\n\n\n"
    "def test_user():\n    user = make_user('a')\n    assert user['name'] == 'a'\n"
)


def test_a_precondition_assert_in_a_helper_is_no_test_assertion() -> None:
    head = HELPER.replace(
        "    assert name, 'a user needs a name'\n",
        "    if not name:\n        raise ValueError('a user needs a name')\n",
    )
    assert codes({"tests/test_u.py": HELPER}, {"tests/test_u.py": head}) == []
    # The test no longer calling the helper loses no assertion either.
    direct = HELPER.replace("user = make_user('a')", "user = {'name': 'a'}")
    assert codes({"tests/test_u.py": HELPER}, {"tests/test_u.py": direct}) == []


def test_an_assertion_helper_still_counts() -> None:
    base = (
        "def check_user(user):\n    assert user['name'] == 'a'\n\n\n"
        "def test_user():\n    check_user({'name': 'a'})\n"
    )
    head = base.replace("    check_user({'name': 'a'})\n", "    pass\n")
    assert codes({"tests/test_u.py": base}, {"tests/test_u.py": head}) == ["AC703"]


# AC704: assertions that accept more than before.


def assertion_codes(before: str, after: str, path: str = "tests/test_w.py") -> list[str]:
    return codes({path: before}, {path: after})


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("    assert total(cart) == 42\n", "    assert total(cart)\n"),
        ("    assert items == [1, 2]\n", "    assert 1 in items\n"),
        ("    assert user == expected\n", "    assert user is not None\n"),
        ("    self.assertEqual(result, 3)\n", "    self.assertTrue(result)\n"),
        ("    self.assertEqual(result, 3)\n", "    self.assertIsNotNone(result)\n"),
        (
            "    with pytest.raises(ValueError, match='negative'):\n        parse(-1)\n",
            "    with pytest.raises(ValueError):\n        parse(-1)\n",
        ),
        (
            "    assert ratio == pytest.approx(0.5, abs=1e-6)\n",
            "    assert ratio == pytest.approx(0.5, abs=0.1)\n",
        ),
        (
            "    self.assertAlmostEqual(ratio, 0.5, places=6)\n",
            "    self.assertAlmostEqual(ratio, 0.5, places=1)\n",
        ),
    ],
)
def test_ac704_python_assertion_weakened(before: str, after: str) -> None:
    head = "def test_w():\n    x = 1\n"
    assert assertion_codes(head + before, head + after) == ["AC704"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # An expected value edited is not judged; nor a stricter or unrelated assertion.
        ("    assert total(cart) == 42\n", "    assert total(cart) == 43\n"),
        ("    assert total(cart)\n", "    assert total(cart) == 42\n"),
        ("    assert total(cart) == 42\n", "    assert total(cart) == 42\n    assert cart\n"),
        (
            "    assert total(cart) == 42\n",
            "    assert total(cart)\n    assert total(cart) == 42.0\n",
        ),
        ("    assert ratio == pytest.approx(0.5, abs=0.1)\n", "    assert ratio == 0.5\n"),
    ],
)
def test_ac704_not_weakened(before: str, after: str) -> None:
    head = "def test_w():\n    x = 1\n"
    assert assertion_codes(head + before, head + after) == []


def test_ac704_javascript() -> None:
    before = "it('totals', () => {\n  expect(total(cart)).toBe(42);\n});\n"
    weaker = before.replace("toBe(42)", "toBeDefined()")
    assert assertion_codes(before, weaker, "web/cart.test.ts") == ["AC704"]
    stricter = before.replace("toBe(42)", "toStrictEqual(42)")
    assert assertion_codes(before, stricter, "web/cart.test.ts") == []


def test_ac704_message_and_location() -> None:
    base = "def test_w():\n    assert total(cart) == 42\n"
    reported = found({"tests/test_w.py": base}, {"tests/test_w.py": base.replace(" == 42", "")})
    assert [(f.code, f.path, f.line, f.column) for f in reported] == [
        ("AC704", "tests/test_w.py", 2, 5)
    ]
    assert "`assert total(cart) == 42` became `assert total(cart)`" in reported[0].message
    assert "accepts any true value" in reported[0].message


# AC702: tests left out through the runner's configuration, or a return at the top of a test.

PYPROJECT = '[project]\nname = "shop"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'


@pytest.mark.parametrize(
    ("path", "base", "head"),
    [
        (
            "pyproject.toml",
            PYPROJECT,
            PYPROJECT.replace('"-q"', '"-q --deselect tests/test_cart.py::test_total"'),
        ),
        ("pytest.ini", "[pytest]\naddopts = -q\n", "[pytest]\naddopts = -q -k 'not slow_total'\n"),
        ("setup.cfg", "[tool:pytest]\n", "[tool:pytest]\naddopts = --ignore=tests/test_cart.py\n"),
        ("tox.ini", "[pytest]\n", "[pytest]\naddopts = -p no:doctest\n"),
        (
            "tests/conftest.py",
            "import pytest\n",
            'import pytest\n\ncollect_ignore = ["test_cart.py"]\n',
        ),
        (
            "conftest.py",
            "import pytest\n",
            "import pytest\n\n\ndef pytest_collection_modifyitems(config, items):\n"
            "    items[:] = [i for i in items if 'cart' not in i.name]\n",
        ),
        (
            "jest.config.js",
            "module.exports = {};\n",
            "module.exports = {\n  testPathIgnorePatterns: ['cart'],\n};\n",
        ),
        (
            "vitest.config.ts",
            "export default {};\n",
            "export default { test: {\n  exclude: ['cart'] } };\n",
        ),
        (
            ".github/workflows/ci.yml",
            "run: go test ./...\n",
            "run: go test -skip TestTotal ./...\n",
        ),
        (
            "Makefile",
            "test:\n\tpytest\n",
            "test:\n\tpytest --deselect tests/test_cart.py::test_total\n",
        ),
    ],
)
def test_ac702_tests_left_out_through_runner_configuration(path: str, base: str, head: str) -> None:
    reported = found({path: base}, {path: head})
    assert memory.codes(reported) == ["AC702"], path
    assert f"added in {path}" in reported[0].message


@pytest.mark.parametrize(
    ("path", "base", "head"),
    [
        # Other tools' options, and other sections, leave no test out.
        (
            "pyproject.toml",
            PYPROJECT,
            PYPROJECT + '\n[tool.mypy]\nflags = "--ignore-missing-imports"\n',
        ),
        ("setup.cfg", "[flake8]\n", "[flake8]\nextend-ignore = E203\n"),
        (
            "vite.config.ts",
            "export default {};\n",
            "export default { optimizeDeps: { exclude: ['x'] } };\n",
        ),
        ("tests/conftest.py", "import pytest\n", "import pytest\n\n# collect_ignore = ['x']\n"),
        (".github/workflows/ci.yml", "run: go test ./...\n", "run: go test -race ./...\n"),
    ],
)
def test_ac702_other_configuration_is_not_reported(path: str, base: str, head: str) -> None:
    assert codes({path: base}, {path: head}) == []


def test_ac702_a_return_at_the_top_of_an_existing_test() -> None:
    base = 'def test_total():\n    """Totals."""\n    assert total([]) == 0\n'
    head = base.replace('"""Totals."""\n', '"""Totals."""\n    return\n')
    reported = found({"tests/test_t.py": base}, {"tests/test_t.py": head})
    assert ("AC702", 3) in [(f.code, f.line) for f in reported]
    new_test = base + "\n\ndef test_new():\n    return\n    assert 1\n"
    assert codes({"tests/test_t.py": base}, {"tests/test_t.py": new_test}) == []


def test_a_test_moved_and_renamed_to_another_file() -> None:
    base: Files = {
        "tests/store_test.py": "def test_gc_roll_forward(store):\n    assert store.gc() == 0\n\n\n"
        "def test_other(store):\n    assert store\n",
        "tests/gc_test.py": "def test_gc(store):\n    assert gc(store)\n",
    }
    head: Files = {
        "tests/store_test.py": "def test_other(store):\n    assert store\n",
        "tests/gc_test.py": str(base["tests/gc_test.py"])
        + "\n\ndef test_gc_pre_1_14_roll_forward(store):\n    assert not gc(store)\n",
    }
    assert codes(base, head) == []


def test_a_deleted_test_file_rewritten_under_another_name() -> None:
    old = (
        "from pre_commit.languages import system\n\n\ndef test_system_language(tmp_path):\n"
        "    expected = (0, b'hello hello world')\n"
        "    assert run_language(tmp_path, system, 'echo hello hello world') == expected\n"
    )
    new = old.replace("system", "unsupported")
    assert codes({"tests/system_test.py": old}, {"tests/unsupported_test.py": new}) == []
    other = "def test_cart():\n    assert total([]) == 0\n"
    assert codes({"tests/system_test.py": old}, {"tests/cart_test.py": other}) == ["AC701"]


def test_a_skip_condition_rewritten_with_the_same_reason() -> None:
    base = EXISTING.replace(
        "def test_old",
        '@pytest.mark.skipif(platform.system() == "Windows", reason="No sed")\ndef test_old',
    )
    head = base.replace('platform.system() == "Windows"', "WIN")
    assert codes({"tests/test_x.py": base}, {"tests/test_x.py": head}) == []
    widened = base.replace(
        'platform.system() == "Windows", reason="No sed"', 'True, reason="later"'
    )
    assert codes({"tests/test_x.py": base}, {"tests/test_x.py": widened}) == ["AC702"]


def test_a_multi_line_skip_on_a_new_parametrized_test() -> None:
    head = EXISTING + (
        "\n\n@pytest.mark.skipif(\n    WIN,\n    reason='the pager is a shell script',\n)\n"
        "@pytest.mark.parametrize(\n    'name',\n    [\n        'less',\n        'cat',\n"
        "        'more',\n    ],\n)\ndef test_pager(name):\n    assert name\n"
    )
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": head}) == []


def test_a_marker_kept_in_a_variable_disables_nothing_by_itself() -> None:
    head = EXISTING.replace(
        "\n\ndef test_old",
        "\nneeds_fd = pytest.mark.skipif(\n    WIN, reason='no fd'\n)\n\n\ndef test_old",
    )
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": head}) == []
    module = EXISTING.replace(
        "\n\ndef test_old", "\npytestmark = pytest.mark.skip('later')\n\n\ndef test_old"
    )
    assert codes({"tests/test_x.py": EXISTING}, {"tests/test_x.py": module}) == ["AC702"]
