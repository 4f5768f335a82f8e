"""Globs agree with pathspec's own gitignore matching, whatever fast paths they take."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec

from checker.config.globs import BadGlob, Globs, check_pattern
from tests import examples

SEGMENTS = st.sampled_from(
    [
        "a",
        "b",
        "ab",
        "aab",
        "src",
        "x.py",
        "x.pyc",
        "yarn.lock",
        ".lock",
        "CODEOWNERS",
        ".github",
        "d-1",
    ]
)
PATHS = st.lists(SEGMENTS, min_size=1, max_size=5).map("/".join)
PATTERN_PARTS = st.sampled_from(
    [
        "a",
        "b",
        "src",
        "*",
        "**",
        "*.py",
        "x.py",
        "yarn.lock",
        "CODEOWNERS",
        ".github",
        "d-?",
        "[ab]",
        "*.lock",
        "a*",
        "a*b",
        "*a*",
        "a*a",
        "x.*",
        ".",
        "***",
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(PATTERN_PARTS, min_size=1, max_size=4))
    pattern = "/".join(parts)
    if draw(st.booleans()):
        pattern = "/" + pattern
    if draw(st.booleans()):
        pattern += "/"
    return pattern


@examples.fast(ci=1500)
@given(
    st.lists(patterns(), min_size=1, max_size=6),
    st.lists(PATHS, min_size=1, max_size=8),
    st.booleans(),
)
def test_globs_match_as_gitignore_does(found: list[str], paths: list[str], negate: bool) -> None:
    listed = [p for p in found if check_pattern(p) is None]
    if not listed:
        return
    if negate and len(listed) > 1:
        listed[-1] = "!" + listed[-1]
    reference = GitIgnoreSpec.from_lines(listed)
    for ours in (Globs(listed), Globs(listed, checked=True)):
        for path in paths:
            assert ours.match(path) == reference.match_file(path), (listed, path)


def test_first_match_names_the_deciding_pattern() -> None:
    globs = Globs(["*.lock", "**/yarn.lock", "deploy/**"])
    assert globs.first_match("web/yarn.lock") == "**/yarn.lock"
    assert globs.first_match("deploy/a/b.yaml") == "deploy/**"
    assert globs.first_match("src/a.py") is None


def test_bad_patterns_are_named() -> None:
    assert check_pattern("") is not None
    assert check_pattern("[") is not None
    assert check_pattern("# comment") is not None
    assert check_pattern("src/**") is None


def _preset_lists(value: object) -> list[list[str]]:
    """Every list of path patterns in a rules/ table (lists whose items look like paths)."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in _preset_lists(item)]
    if not isinstance(value, list):
        return []
    strings = [v for v in value if isinstance(v, str)]
    if strings and len(strings) == len(value):
        return [strings] if all(" " not in v and "\\" not in v for v in strings) else []
    return [found for item in value for found in _preset_lists(item)]


PRESET_PATHS = [
    "src/app/main.py",
    "tests/test_app.py",
    "pkg/module_test.go",
    "web/src/__tests__/view.test.tsx",
    "web/node_modules/left-pad/index.js",
    "vendor/github.com/x/y.go",
    "db/migrations/0001_init.py",
    "app/alembic/versions/abc.py",
    ".github/workflows/ci.yml",
    ".github/CODEOWNERS",
    "docs/CODEOWNERS/readme",
    "Jenkinsfile",
    "Jenkinsfile.release",
    "package-lock.json",
    "sub/yarn.lock",
    "proto/api_pb2.py",
    "ui/app.min.js",
    "AGENTS.md",
    "x/AGENTS.md",
    ".cursor/rules/style.mdc",
    "skills/deploy/SKILL.md",
    "src/test/java/a/FooTest.java",
    "spec/models/user_spec.rb",
    "tests/integration/main.rs",
    "crates/core/tests/it.rs",
    "lib/zz_generated.deepcopy.go",
    "a.generated.ts",
    "README.md",
    ".ci/run",
]


def test_shipped_presets_match_as_gitignore_does() -> None:
    """The fast paths on the patterns agentcheck ships: every list in rules/*.toml that looks
    like paths, against paths of the kinds they are written for."""
    from checker.config import catalog

    checked = 0
    for name in ("paths", "size", "instructions", "testfiles", "unicode", "scope"):
        for listed in _preset_lists(catalog.table(name)):
            assert [p for p in listed if check_pattern(p) is not None] == [], (name, listed)
            ours, reference = Globs(listed, checked=True), GitIgnoreSpec.from_lines(listed)
            for path in PRESET_PATHS:
                assert ours.match(path) == reference.match_file(path), (listed, path)
                checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    ("patterns", "path"),
    [
        (["secrets.txt "], "secrets.txt"),  # trailing whitespace is trimmed, as git does
        (["*.pem\t"], "k/a.pem"),
        (["[]x[]y"], "]y"),  # one bracket holding "]", "x" and "["
        (["src/[]x[]y.py"], "src/]y.py"),
        (["a/[!]b]c.py"], "a/xc.py"),
        (["a/[!]b]c.py"], "a/]c.py"),
    ],
)
def test_patterns_that_only_pathspec_reads(patterns: list[str], path: str) -> None:
    expected = GitIgnoreSpec.from_lines(patterns).match_file(path)
    assert Globs(patterns).match(path) == expected
    assert Globs(patterns, checked=True).match(path) == expected


def test_a_pattern_pathspec_cannot_compile_is_bad_at_once() -> None:
    assert check_pattern("[]-[-]") is not None
    with pytest.raises(BadGlob):
        Globs(["src/**", "[]-[-]"])
