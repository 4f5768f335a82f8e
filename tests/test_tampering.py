"""AC701-AC703: test files deleted (not renamed), tests disabled or focused in every supported
framework, assertions removed (not moved); in process on changes built in memory, and through
the real command on real repositories for git's renames, a patch file and `explain`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.model.finding import Finding
from tests import memory
from tests.conftest import Repo, diff_findings
from tests.memory import Files


def findings(base: Files, head: Files, **change: Any) -> list[Finding]:
    found = memory.findings(base, head, select=("AC7",), **change)
    assert all(f.severity == "warning" for f in found)  # warnings by default
    return found


def diff_tampering(repo: Repo, *args: str) -> list[dict[str, Any]]:
    found = diff_findings(repo, "--select", "AC7", *args)
    assert all(f["severity"] == "warning" for f in found)
    return found


def located(found: list[Finding]) -> set[tuple[str, str | None, int | None]]:
    return set(memory.located(found))


# AC701: deleted test files, by each framework's naming convention.

TEST_FILES = {
    "tests/test_cart.py": "def test_total():\n    assert total([]) == 0\n",  # pytest
    "tests/testCheckout.py": "import unittest\n",  # unittest
    "shop/tests.py": "from django.test import TestCase\n",  # Django's unittest module
    "web/src/cart.test.ts": "it('adds', () => expect(1).toBe(1));\n",  # Jest / Vitest
    "web/src/cart.spec.jsx": "it('renders', () => {});\n",
    "web/src/__tests__/format.js": "test('formats', () => {});\n",
    "test/server.js": "describe('server', () => {});\n",  # Mocha's ./test folder
    "pkg/cart/cart_test.go": "package cart\n\nfunc TestTotal(t *testing.T) {}\n",
    "app/src/test/java/com/acme/CartTest.java": "class CartTest {}\n",  # JUnit
    "app/src/test/kotlin/com/acme/CartTests.kt": "class CartTests\n",
    "spec/models/cart_spec.rb": "describe Cart do\nend\n",  # RSpec
    "test/models/cart_test.rb": "class CartTest < Minitest::Test\nend\n",  # Minitest
    "tests/cart.rs": "#[test]\nfn total() {}\n",  # Rust integration tests
    "Shop.Tests/CartTests.cs": "public class CartTests {}\n",  # xUnit / NUnit / MSTest
    "tests/Unit/CartTest.php": "<?php\nclass CartTest {}\n",  # PHPUnit
    "Tests/ShopTests/CartTests.swift": "import XCTest\n",  # XCTest
}
NOT_TEST_FILES = {
    "src/cart.py": "x = 1\n",
    "tests/conftest.py": "import pytest\n",
    "tests/helpers.py": "def make_cart():\n    return []\n",
    "web/src/cart.ts": "export const cart = [];\n",
    "pkg/cart/cart.go": "package cart\n",
    "src/lib.rs": "pub fn total() {}\n",
    "docs/testing.md": "# Testing\n",
}


def test_ac701_deleted_test_file_in_every_framework() -> None:
    found = findings({**TEST_FILES, **NOT_TEST_FILES}, {})
    assert {f.path for f in found} == set(TEST_FILES)
    assert {f.code for f in found} == {"AC701"}
    by_path = {f.path: f.message for f in found}
    assert (
        "(pytest test file) was deleted: its 1 test no longer run" in by_path["tests/test_cart.py"]
    )
    assert "(go test file)" in by_path["pkg/cart/cart_test.go"]
    assert "(rust test file) was deleted: its 1 test no longer run" in by_path["tests/cart.rs"]
    assert all(f.line is None for f in found)


@pytest.mark.e2e
def test_ac701_a_rename_is_not_a_deletion(repo: Repo) -> None:
    body = "def test_total():\n" + "    assert total([1]) == 1\n" * 8
    repo.commit("base", {"tests/test_cart.py": body, "web/cart.test.ts": "it('a', () => {});\n"})
    (repo.root / "tests/unit").mkdir()
    repo.git("mv", "tests/test_cart.py", "tests/unit/test_cart.py")
    (repo.root / "web/cart.test.ts").rename(repo.root / "web/basket.test.ts")
    repo.git("add", "-A")
    assert diff_tampering(repo) == []
    repo.commit("move")
    assert diff_tampering(repo, "HEAD~1..HEAD") == []
    # A rename with edits (git still pairs the two sides) is not a deletion either.
    repo.git("mv", "tests/unit/test_cart.py", "tests/test_basket.py")
    repo.write("tests/test_basket.py", body + "    assert total([2]) == 2\n")
    repo.git("add", "-A")
    assert diff_tampering(repo, "--staged") == []


def test_ac701_deleted_and_added_under_the_same_name_is_a_move() -> None:
    base = {"tests/test_cart.py": "def test_a():\n    assert 1\n"}
    head = {"tests/unit/test_cart.py": "import cart\n\n\ndef test_b():\n    assert cart.b\n"}
    assert findings(base, head) == []


def test_ac702_renamed_out_of_the_test_convention() -> None:
    body = "def test_a():\n    assert 1 == 1\n" * 3
    found = findings(
        {"tests/test_cart.py": body},
        {"tests/cart_disabled.py": body},
        renames={"tests/cart_disabled.py": "tests/test_cart.py"},
    )
    assert [(f.code, f.path) for f in found] == [("AC702", "tests/cart_disabled.py")]
    assert "pytest no longer collects" in found[0].message


def test_ac701_tests_removed_from_a_test_file_that_remains() -> None:
    x = (
        "def test_a():\n    assert 1\n\n\n"
        "def test_b():\n    assert 2\n\n\n"
        "class TestC:\n    def test_c(self):\n        assert 3\n"
    )
    base = {"tests/test_x.py": x, "tests/test_y.py": "def test_y():\n    pass\n"}
    head = {**base, "tests/test_x.py": "def test_a():\n    assert 1\n"}
    found = findings(base, head)
    assert memory.located(found) == [("AC701", "tests/test_x.py", 2)]
    assert "test_b, TestC.test_c were removed from tests/test_x.py" in found[0].message
    # Moved to another file of the change (same names), or renamed in place: not removed.
    moved = {
        **head,
        "tests/test_y.py": "def test_y():\n    pass\n\n\ndef test_b():\n    assert 2\n\n\n"
        "class TestC:\n    def test_c(self):\n        assert 3\n",
    }
    assert findings(base, moved) == []
    renamed = {
        **base,
        "tests/test_x.py": "def test_a():\n    assert 1\n\n\ndef test_b_renamed():\n"
        "    assert 2\n\n\ndef test_c_renamed():\n    assert 3\n",
    }
    assert findings(base, renamed) == []


def test_ac701_tests_removed_by_count_in_other_languages() -> None:
    go = "package cart\n\nfunc TestA(t *testing.T) {}\n\nfunc TestB(t *testing.T) {}\n"
    base = {"cart_test.go": go, "web/a.test.ts": "it('a', () => {});\n"}
    head = {**base, "cart_test.go": "package cart\n\nfunc TestA(t *testing.T) {}\n"}
    found = findings(base, head)
    assert located(found) == {("AC701", "cart_test.go", 3)}  # the last line: TestB was below
    assert "1 test fewer" in found[0].message
    # Another file of the change gains as many tests of that language: moved.
    head["other_test.go"] = "package cart\n\nfunc TestB(t *testing.T) {}\n"
    assert findings(base, head) == []


# AC702: every marker that disables or focuses a test, in each language.

MARKERS: list[tuple[str, str, str, str]] = [
    # (path, base, head, the text of the marker line)
    (
        "tests/test_p1.py",
        "def test_a():\n    assert 1\n",
        "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_a():\n    assert 1\n",
        "@pytest.mark.skip(reason='later')",
    ),
    (
        "tests/test_p2.py",
        "import sys\n\n\ndef test_a():\n    assert 1\n",
        "import sys\n\n\n@pytest.mark.skipif(sys.platform == 'linux', reason='x')\n"
        "def test_a():\n    assert 1\n",
        "@pytest.mark.skipif(sys.platform == 'linux', reason='x')",
    ),
    (
        "tests/test_p3.py",
        "def test_a():\n    assert 1\n",
        "@pytest.mark.xfail\ndef test_a():\n    assert 1\n",
        "@pytest.mark.xfail",
    ),
    (
        "tests/test_p4.py",
        "def test_a():\n    assert 1\n",
        "def test_a():\n    pytest.skip('broken on CI')\n    assert 1\n",
        "    pytest.skip('broken on CI')",
    ),
    (
        "tests/test_p5.py",
        "import pytest\n",
        "import pytest\n\npytestmark = pytest.mark.skip\n",
        "pytestmark = pytest.mark.skip",
    ),
    (
        "tests/test_u1.py",
        "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n"
        "        self.assertTrue(1)\n",
        "import unittest\n\n\nclass T(unittest.TestCase):\n    @unittest.skip('x')\n"
        "    def test_a(self):\n        self.assertTrue(1)\n",
        "    @unittest.skip('x')",
    ),
    (
        "tests/test_u2.py",
        "class T(TestCase):\n    def test_a(self):\n        self.assertTrue(1)\n",
        "class T(TestCase):\n    def test_a(self):\n        self.skipTest('x')\n"
        "        self.assertTrue(1)\n",
        "        self.skipTest('x')",
    ),
    (
        "tests/conftest.py",
        "import pytest\n",
        "import pytest\n\n\ndef pytest_runtest_setup(item):\n    pytest.skip('all off')\n",
        "    pytest.skip('all off')",
    ),
    (
        "web/a.test.ts",
        "it('a', () => {});\n",
        "it.skip('a', () => {});\n",
        "it.skip('a', () => {});",
    ),
    (
        "web/b.test.ts",
        "describe('b', () => {});\n",
        "describe.skip('b', () => {});\n",
        "describe.skip('b', () => {});",
    ),
    (
        "web/c.spec.js",
        "test('c', () => {});\n",
        "test.skip('c', () => {});\n",
        "test.skip('c', () => {});",
    ),
    ("web/d.test.tsx", "it('d', () => {});\n", "xit('d', () => {});\n", "xit('d', () => {});"),
    (
        "web/e.test.js",
        "describe('e', () => {});\n",
        "xdescribe('e', () => {});\n",
        "xdescribe('e', () => {});",
    ),
    (
        "web/f.test.ts",
        "it('f', () => {});\n",
        "it.only('f', () => {});\n",
        "it.only('f', () => {});",
    ),
    (
        "web/g.test.ts",
        "describe('g', () => {});\n",
        "describe.only('g', () => {});\n",
        "describe.only('g', () => {});",
    ),
    ("web/h.spec.ts", "it('h', () => {});\n", "fit('h', () => {});\n", "fit('h', () => {});"),
    (
        "web/i.test.ts",
        "test('i', () => {});\n",
        "test.skipIf(process.env.CI)('i', () => {});\n",
        "test.skipIf(process.env.CI)('i', () => {});",
    ),
    (
        "app/src/test/java/com/acme/CartTest.java",
        "class CartTest {\n    @Test\n    void total() {}\n}\n",
        'class CartTest {\n    @Disabled("flaky")\n    @Test\n    void total() {}\n}\n',
        '    @Disabled("flaky")',
    ),
    (
        "app/src/test/java/com/acme/OldTest.java",
        "class OldTest {\n    @Test\n    public void total() {}\n}\n",
        "class OldTest {\n    @Ignore\n    @Test\n    public void total() {}\n}\n",
        "    @Ignore",
    ),
    (
        "cart_test.go",
        "package cart\n\nfunc TestA(t *testing.T) {\n}\n",
        'package cart\n\nfunc TestA(t *testing.T) {\n\tt.Skip("later")\n}\n',
        '\tt.Skip("later")',
    ),
    (
        "src/lib.rs",
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn total() {}\n}\n",
        "#[cfg(test)]\nmod tests {\n    #[test]\n    #[ignore]\n    fn total() {}\n}\n",
        "    #[ignore]",
    ),
    (
        "spec/cart_spec.rb",
        "describe Cart do\n  it 'adds' do\n  end\nend\n",
        "describe Cart do\n  xit 'adds' do\n  end\nend\n",
        "  xit 'adds' do",
    ),
    (
        "Shop.Tests/CartTests.cs",
        "public class CartTests {\n    [Fact]\n    public void Adds() {}\n}\n",
        'public class CartTests {\n    [Fact(Skip = "flaky")]\n    public void Adds() {}\n}\n',
        '    [Fact(Skip = "flaky")]',
    ),
    (
        "tests/CartTest.php",
        "<?php\nclass CartTest {\n    public function testAdds() {\n    }\n}\n",
        "<?php\nclass CartTest {\n    public function testAdds() {\n"
        "        $this->markTestSkipped('x');\n    }\n}\n",
        "        $this->markTestSkipped('x');",
    ),
    (
        "Tests/CartTests.swift",
        "func testAdds() throws {\n}\n",
        'func testAdds() throws {\n    throw XCTSkip("later")\n}\n',
        '    throw XCTSkip("later")',
    ),
]


def test_ac702_every_marker_in_every_language() -> None:
    base = {path: text for path, text, _, _ in MARKERS}
    head = {path: text for path, _, text, _ in MARKERS}
    found = [f for f in findings(base, head) if f.code == "AC702"]
    expected = {}
    for path, _, text, marker in MARKERS:
        expected[path] = text.split("\n").index(marker) + 1
    assert {f.path: f.line for f in found} == expected
    assert len(found) == len(MARKERS)
    focus = {f.path for f in found if "test focused" in f.message}
    assert focus == {"web/f.test.ts", "web/g.test.ts", "web/h.spec.ts"}
    java = next(f for f in found if (f.path or "").endswith("CartTest.java"))
    assert java.column == 5
    assert '`@Disabled("flaky")` added in' in java.message


def test_ac702_not_in_comments_strings_moves_or_plain_source() -> None:
    base = {
        "tests/test_a.py": "import pytest\n\n\n@pytest.mark.skip\ndef test_a():\n    pass\n\n"
        "\ndef test_b():\n    pass\n",
        "web/a.test.ts": "it('a', () => {});\n",
        "web/list.ts": "export const x = 1;\n",
    }
    head = {
        "tests/test_a.py": "import pytest\n\n\ndef test_b():\n    pass\n\n\n@pytest.mark.skip\n"
        "def test_a():\n    # pytest.skip('not this one')\n    assert 'xit(' != 'it.only('\n",
        "web/a.test.ts": "// it.only would focus this\nit('a', () => { const s = 'xit('; });\n",
        "web/list.ts": "export const x = items.only(1);\n",
    }
    assert [f for f in findings(base, head) if f.code == "AC702"] == []



def test_ac702_a_marker_rewrapped_or_moved_into_a_list_is_not_new() -> None:
    """From this project's own history (tests/test_precommit.py): a module-level skipif written
    over three lines became one item of a `pytestmark` list. The same call, condition and
    reason, is no new skip; a second, different skip beside it still is."""
    before = (
        "import pytest\n\npytestmark = pytest.mark.skipif(\n"
        '    TOOL is None, reason="the tool is absent"\n)\n\n\ndef test_a():\n    assert 1\n'
    )
    after = (
        "import pytest\n\npytestmark = [\n    pytest.mark.e2e,\n"
        '    pytest.mark.skipif(TOOL is None, reason="the tool is absent"),\n]\n\n\n'
        "def test_a():\n    assert 1\n"
    )
    assert findings({"tests/test_a.py": before}, {"tests/test_a.py": after}) == []
    added = after.replace(
        "    pytest.mark.e2e,\n", '    pytest.mark.skipif(SLOW, reason="slow"),\n'
    )
    found = findings({"tests/test_a.py": before}, {"tests/test_a.py": added})
    assert [(f.code, f.line) for f in found] == [("AC702", 4)]

# AC703: assertions removed without replacement.


def test_ac703_python_assertions_removed() -> None:
    base = (
        "import pytest\n\n\n"
        "def test_login():\n    assert login('a', 'b')\n    assert not login('a', 'x')\n"
        "    assert audit_log()\n\n\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        parse('')\n\n\n"
        "class TestUnit(unittest.TestCase):\n    def test_eq(self):\n"
        "        self.assertEqual(1, 1)\n        self.assertIn(1, [1])\n\n\n"
        "def test_mock(mocker):\n    m = mocker.Mock()\n    m()\n    m.assert_called_once_with()\n"
    )
    head = (
        "import pytest\n\n\n"
        "def test_login():\n    assert login('a', 'b')\n\n\n"
        "def test_raises():\n    parse('x')\n\n\n"
        "class TestUnit(unittest.TestCase):\n    def test_eq(self):\n"
        "        self.assertEqual(1, 1)\n        self.assertTrue(True)\n\n\n"
        "def test_mock(mocker):\n    return\n    m = mocker.Mock()\n    m()\n"
        "    m.assert_called_once_with()\n"
    )
    found = findings({"tests/test_auth.py": base}, {"tests/test_auth.py": head})
    assert located(found) == {
        ("AC703", "tests/test_auth.py", 4),
        ("AC703", "tests/test_auth.py", 8),
        ("AC703", "tests/test_auth.py", 13),
        ("AC702", "tests/test_auth.py", 19),  # a return at the top: disabled, said once
    }
    login = next(f for f in found if f.line == 4)
    assert login.message == (
        "test_login has 1 assertion after the change, 3 before: 2 removed without replacement"
    )
    assert any(f.message.startswith("TestUnit.test_eq has 1 assertion") for f in found)


def test_ac703_assertions_moved_into_a_helper_are_not_removed() -> None:
    base = (
        "def test_user():\n    u = make()\n    assert u.name == 'a'\n    assert u.email\n"
        "    assert u.active\n\n\n"
        "class TestOrder:\n    def test_order(self):\n        o = order()\n"
        "        assert o.total == 3\n        assert o.lines\n"
    )
    head = (
        "def check_user(u):\n    assert u.name == 'a'\n    assert u.email\n    assert u.active\n"
        "\n\ndef test_user():\n    check_user(make())\n\n\n"
        "class TestOrder:\n    def _check(self, o):\n        assert o.total == 3\n"
        "        assert o.lines\n\n    def test_order(self):\n        self._check(order())\n"
    )
    before = {
        "tests/test_models.py": base,
        "tests/test_api.py": "def test_a():\n"
        "    r = get()\n    assert r.status == 200\n    assert r.json()\n",
    }
    after = {
        "tests/test_models.py": head,
        # Into a helper module the test imports, changed by the same change:
        "tests/helpers.py": "def expect_ok(r):\n    assert r.status == 200\n    assert r.json()\n",
        "tests/test_api.py": "from tests.helpers import expect_ok\n\n\ndef test_a():\n"
        "    expect_ok(get())\n",
    }
    assert findings(before, after) == []
    # The same helper emptied: now the assertions are gone.
    after["tests/helpers.py"] = "def expect_ok(r):\n    return r\n"
    found = findings(before, after)
    assert located(found) == {("AC703", "tests/test_api.py", 4)}


def test_ac703_other_languages() -> None:
    files = {
        "cart_test.go": (
            "package cart\n\nfunc TestTotal(t *testing.T) {\n\tif Total() != 3 {\n"
            '\t\tt.Errorf("got %d", Total())\n\t}\n\tassert.Equal(t, 3, Total())\n}\n',
            "package cart\n\nfunc TestTotal(t *testing.T) {\n\tTotal()\n}\n",
            4,
        ),
        "web/cart.test.ts": (
            "it('adds', () => {\n  expect(add(1, 2)).toBe(3);\n  expect(add(0, 0)).toBe(0);\n});\n",
            "it('adds', () => {\n  expect(add(1, 2)).toBe(3);\n"
            "  // expect(add(0, 0)).toBe(0);\n});\n",
            3,
        ),
        "app/src/test/java/com/acme/CartTest.java": (
            "class CartTest {\n  @Test\n  void total() {\n    assertEquals(3, total());\n  }\n}\n",
            "class CartTest {\n  @Test\n  void total() {\n    total();\n  }\n}\n",
            4,
        ),
        "tests/cart.rs": (
            "#[test]\nfn total() {\n    assert_eq!(total(), 3);\n    assert!(ok());\n}\n",
            "#[test]\nfn total() {\n    assert!(ok());\n}\n",
            3,
        ),
        "spec/cart_spec.rb": (
            "it 'adds' do\n  expect(add(1, 2)).to eq 3\nend\n",
            "it 'adds' do\n  add(1, 2)\nend\n",
            2,
        ),
    }
    found = findings(
        {path: base for path, (base, _, _) in files.items()},
        {path: head for path, (_, head, _) in files.items()},
    )
    assert located(found) == {("AC703", path, line) for path, (_, _, line) in files.items()}


def test_ac703_assertions_moved_to_another_file_offset() -> None:
    base = {
        "web/a.test.ts": "it('a', () => {\n  expect(a()).toBe(1);\n  expect(b()).toBe(2);\n});\n",
        "web/testing/expectations.ts": "export {};\n",
    }
    head = {
        "web/a.test.ts": "it('a', () => {\n  expectAll();\n});\n",
        "web/testing/expectations.ts": "export function expectAll() {\n  expect(a()).toBe(1);\n"
        "  expect(b()).toBe(2);\n}\n",
    }
    assert findings(base, head) == []


@pytest.mark.e2e
def test_tampering_from_a_patch_file(repo: Repo, tmp_path: Path) -> None:
    """Without file contents (a patch), markers and counts come from the patch's own lines."""
    repo.commit(
        "base",
        {
            "tests/test_a.py": "def test_a():\n    assert 1\n    assert 2\n",
            "tests/test_gone.py": "def test_g():\n    assert 1\n",
        },
    )
    repo.write("tests/test_a.py", "@pytest.mark.skip\ndef test_a():\n    assert 1\n")
    repo.git("rm", "-q", "tests/test_gone.py")
    patch = tmp_path / "change.patch"
    patch.write_bytes(repo.git("diff", "HEAD").encode())
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = repo.run(
        "diff", "--patch", str(patch), "--format", "json", "--select", "AC7", cwd=outside
    )
    assert result.code == 0, result.err
    assert {(f["code"], f["path"], f["line"]) for f in result.json()["findings"]} == {
        ("AC701", "tests/test_gone.py", None),
        ("AC702", "tests/test_a.py", 1),
        ("AC703", "tests/test_a.py", 3),
    }


@pytest.mark.e2e
@pytest.mark.parametrize("code", ["AC701", "AC702", "AC703"])
def test_explain_tampering_rules(repo: Repo, code: str) -> None:
    result = repo.run("explain", code)
    assert result.code == 0, result.err
    assert code in result.out
    assert "agentcheck:allow-" + code in result.out


def test_skips_in_a_new_file_disable_nothing_but_focus_still_counts() -> None:
    base = {"tests/test_old.py": "def test_old():\n    assert 1\n"}
    head = {
        **base,
        "tests/test_new.py": "import pytest\n\n\n@pytest.mark.skipif(True, reason='needs x')\n"
        "def test_new():\n    assert 1\n",
        "web/a.test.js": "it.only('runs alone', () => { expect(1).toBe(1); });\n",
    }
    assert [(f.code, f.path) for f in findings(base, head)] == [("AC702", "web/a.test.js")]


@pytest.mark.e2e
def test_ac704_and_configured_skips_through_the_command(repo: Repo) -> None:
    test = "def test_total():\n    assert total([2, 3]) == 5\n"
    pyproject = '[tool.pytest.ini_options]\naddopts = "-q"\n'
    repo.commit("base", {"tests/test_total.py": test, "pyproject.toml": pyproject})
    repo.write("tests/test_total.py", test.replace(" == 5", ""))
    repo.write("pyproject.toml", pyproject.replace('"-q"', "\"-q -k 'not total'\""))
    found = diff_tampering(repo)
    assert {(f["code"], f["path"], f["line"]) for f in found} == {
        ("AC704", "tests/test_total.py", 2),
        ("AC702", "pyproject.toml", 2),
    }
