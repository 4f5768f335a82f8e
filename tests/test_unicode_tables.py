"""rules/unicode.toml stays consistent: the classes DESIGN.md and the issue name, the Unicode
properties the table claims to cover, contexts free of hidden characters, and reports that
escape every character the table holds."""

from __future__ import annotations

import itertools

from checker.config import catalog
from checker.domain.hiddentext import table
from checker.domain.hiddentext.escape import visible

# Default_Ignorable_Code_Point, DerivedCoreProperties.txt of Unicode 17.0.0, written out here
# on its own so the table is checked against the source rather than against itself.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Bidi_Control, PropList.txt: twelve code points.
BIDI_CONTROL = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# The zero-width and invisible formatting characters the issue lists for AC503.
AC503 = {
    *range(0x200B, 0x200E),
    *range(0x2060, 0x2065),
    0xFEFF,
    0x180E,
    0x034F,
    0x115F,
    0x1160,
    0x3164,
    0xFFA0,
    0x17B4,
    0x17B5,
    *range(0xFFF9, 0xFFFC),
    *range(0x206A, 0x2070),
    0x00AD,
}


def points(code: str | None = None) -> set[int]:
    found: set[int] = set()
    for row in table.tables().hidden:
        if code is None or row.code == code:
            found.update(range(row.first, row.last + 1))
    return found


def test_rows_are_sorted_disjoint_and_name_known_rules_and_severities() -> None:
    rows = table.tables().hidden
    rules = catalog.all_rules()
    for before, after in itertools.pairwise(rows):
        assert before.last < after.first, (before, after)
    for row in rows:
        assert row.first <= row.last
        assert row.code in rules
        assert rules[row.code].family == "unicode"
        assert row.severity in ("error", "warning", "info")
        assert row.instruction_severity in ("error", "warning", "info")


def test_the_table_cites_its_unicode_version() -> None:
    assert table.tables().version == "17.0.0"


def test_every_default_ignorable_and_bidi_control_is_hidden() -> None:
    hidden = points()
    for first, last in DEFAULT_IGNORABLE:
        assert set(range(first, last + 1)) <= hidden, f"U+{first:04X}..U+{last:04X}"
    assert points("AC502") == BIDI_CONTROL


def test_each_rule_holds_the_classes_the_design_gives_it() -> None:
    assert points("AC501") == set(range(0xE0000, 0xE0080))
    assert points("AC503") == AC503
    assert points("AC504") == {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
    controls = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)} - {0x09, 0x0A, 0x0D, 0x0C}
    assert controls <= points("AC505")
    ignorable: set[int] = set()
    for first, last in DEFAULT_IGNORABLE:
        ignorable.update(range(first, last + 1))
    others = ignorable - points("AC501") - points("AC502") - points("AC503") - points("AC504")
    assert points("AC505") == controls | others


def test_rule_defaults_match_the_design() -> None:
    rules = catalog.all_rules()
    assert {code: rules[code].severity for code in table.tables().nouns} == {
        "AC501": "error",
        "AC502": "error",
        "AC503": "warning",
        "AC504": "error",
        "AC505": "warning",
    }
    for row in table.tables().hidden:
        if row.code in ("AC503", "AC505"):
            assert (row.severity, row.instruction_severity) == ("warning", "error")


def test_every_rule_explains_itself_with_an_example_and_a_way_to_allow_it() -> None:
    for code in table.tables().nouns:
        rule = catalog.rule(code)
        assert len(rule.explanation) > 200
        assert code in rule.example
        assert rule.allow


def test_contexts_hold_no_hidden_character() -> None:
    hidden = points()
    for name, ranges in table.tables().contexts.items():
        for first, last in ranges:
            assert not hidden & set(range(first, last + 1)), name


def test_reports_escape_every_character_the_table_holds() -> None:
    for point in sorted(points()):
        assert visible(chr(point)) == f"<U+{point:04X}>"
