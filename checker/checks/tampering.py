"""AC701-AC704: a suite made green by deleting, disabling or weakening its tests."""

from __future__ import annotations

import difflib
import functools
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from checker.config.policy import Policy
from checker.config.task import Task
from checker.domain import testcode
from checker.domain.hiddentext.escape import visible
from checker.domain.testcode import Language, PythonTest
from checker.model.change import ChangeSet, FileChange
from checker.model.finding import Finding
from checker.model.reader import FileReader, decode_text, looks_binary

CODES = ("AC701", "AC702", "AC703", "AC704")
_QUOTE = 80


def _text(data: bytes | None) -> str | None:
    if data is None or looks_binary(data):
        return None
    return decode_text(data)[0]


def _quote(text: str) -> str:
    text = visible(text.strip())
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _File:
    """A changed file that holds tests, with its whole text on both sides where known."""

    def __init__(
        self, change: FileChange, language: Language, base: str | None, head: str | None
    ) -> None:
        self.change = change
        self.language = language
        self.base = base
        self.head = head

    @functools.cached_property
    def code(self) -> tuple[testcode.SideCode, testcode.SideCode]:
        """The removed and added lines with comments and strings blanked (lexed once)."""
        return testcode.changed_code(self.change, self.language, self.base, self.head)


def _resolver(read: Callable[[str], bytes | None]) -> testcode.Resolver:
    def resolve(module: str, level: int, from_path: str) -> str | None:
        for candidate in testcode.module_candidates(module, level, from_path):
            text = _text(read(candidate))
            if text is not None:
                return text
        return None

    return resolve


def settings(policy: Policy) -> None:
    """This family has no policy settings."""


def check(
    change: ChangeSet, settings: None, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    relevant = [f for f in change.files if not f.binary and not f.is_submodule and not f.is_symlink]
    yield from _deleted_files(relevant, reader)
    files = []
    for file in relevant:
        language = testcode.language_of(file.path)
        if language is None or file.status == "deleted":
            continue
        test_like = (
            testcode.is_test_file(file.path)
            or testcode.is_test_support(file.path)
            or language.inline_tests
        )
        if not test_like:
            continue
        files.append(
            _File(file, language, _text(reader.base(file.old_path)), _text(reader.head(file.path)))
        )
    for entry in files:
        yield from _disabled(entry)
    yield from _renamed_away(relevant)
    yield from _configured(relevant, reader)
    for entry in files:
        yield from _returning(entry)
    yield from _weakened(files, change, reader)
    for entry in files:
        yield from _loosened(entry)


_SAYS = {
    "member": "membership",
    "truthy": "any true value",
    "not-none": "any value but None",
    "raises": "the exception with any message",
    "close": "a wider tolerance",
}


def _loosened(entry: _File) -> Iterator[Finding]:
    """AC704: an assertion replaced by one that accepts more about the same expression
    (equality by membership or truthiness, a `match=` dropped, a tolerance widened)."""
    file = entry.change
    if file.status not in ("modified", "renamed") or not testcode.is_test_file(file.path):
        return
    language = entry.language
    if language.assertions is None or not _any_match(
        language.assertions, [line.text for line in file.removed]
    ):
        return
    removed = [
        (line, shape)
        for line in file.removed
        if (shape := testcode.assertion_shape(language, line.text)) is not None
    ]
    added = [
        (line, shape)
        for line in file.added
        if (shape := testcode.assertion_shape(language, line.text)) is not None
    ]
    if not removed or not added:
        return
    reported: set[int] = set()
    for old, before in removed:
        if any(
            shape.subjects & before.subjects and not testcode.weakened(before, shape)
            for _, shape in added
        ):
            continue  # an assertion as strict on the same expression remains
        for new, after in added:
            if new.number in reported or not testcode.weakened(before, after):
                continue
            reported.add(new.number)
            yield Finding(
                "AC704",
                f"assertion weakened in {file.path}: `{_quote(old.text)}` became "
                f"`{_quote(new.text)}`, which accepts {_SAYS.get(after.kind, 'more')}",
                file.path,
                new.number,
                len(new.text) - len(new.text.lstrip()) + 1,
            )
            break


def _deleted_files(files: list[FileChange], reader: FileReader) -> Iterator[Finding]:
    added_names = {
        posixpath.basename(f.path)
        for f in files
        if f.status in ("added", "renamed", "copied") and testcode.is_test_file(f.path)
    }
    for file in files:
        if file.status != "deleted":
            continue
        framework = testcode.framework_of(file.path)
        if framework is None or posixpath.basename(file.path) in added_names:
            continue
        language = testcode.language_of(file.path)
        tests = ""
        if language is not None and language.tests is not None:
            base = _text(reader.base(file.path))
            removed, _ = testcode.changed_code(file, language, base, None)
            found = testcode.count(language.tests, removed.lines)
            if found:
                kept = _tests_kept(file, language, removed, files)
                if kept >= found or _rewritten_as(file, base, files, reader):
                    continue  # split, moved, or rewritten under another name
                tests = (
                    f": {_plural(found - kept, 'test')} of it no longer run"
                    if kept
                    else (f": its {_plural(found, 'test')} no longer run")
                )
        yield Finding(
            "AC701",
            f"{file.path} ({framework} test file) was deleted{tests or ' by the change'}",
            file.path,
        )


def _tests_kept(
    deleted: FileChange, language: Language, removed: testcode.SideCode, files: list[FileChange]
) -> int:
    """How many of a deleted file's test definitions reappear, line for line, among the lines
    other files of the change add (a file split in several, tests moved to another file)."""
    elsewhere = Counter(
        line.text.strip()
        for other in files
        if other is not deleted and other.status != "deleted"
        for line in other.added
    )
    kept = 0
    texts = {line.number: line.text for line in deleted.removed}
    for number, code in zip(removed.numbers, removed.lines, strict=True):
        if language.tests is None or not language.tests.search(code):
            continue
        text = texts.get(number, "").strip()
        if elsewhere[text] > 0:
            elsewhere[text] -= 1
            kept += 1
    return kept


def _rewritten_as(
    deleted: FileChange, base: str | None, files: list[FileChange], reader: FileReader
) -> bool:
    """True when a test file the change adds is a near copy of the deleted one (a rename git
    did not pair: tests/languages/system_test.py rewritten as unsupported_test.py)."""
    if base is None or len(base) > 200_000:
        return False
    for other in files:
        if other.status != "added" or not testcode.is_test_file(other.path):
            continue
        head = _text(reader.head(other.path))
        if head is None:
            continue
        matcher = difflib.SequenceMatcher(None, base, head, autojunk=False)
        if min(matcher.real_quick_ratio(), matcher.quick_ratio()) >= 0.75 and (
            matcher.ratio() >= 0.75
        ):
            return True
    return False


def _renamed_away(files: list[FileChange]) -> Iterator[Finding]:
    """A test file renamed so its framework no longer collects it."""
    for file in files:
        if file.status != "renamed":
            continue
        framework = testcode.framework_of(file.old_path)
        if framework is not None and not testcode.is_test_file(file.path):
            yield Finding(
                "AC702",
                f"test file {file.old_path} was renamed to {file.path}, which {framework} no "
                "longer collects: its tests stop running",
                file.path,
                file.first_line,
                1 if file.first_line else None,
            )


def _configured(files: list[FileChange], reader: FileReader) -> Iterator[Finding]:
    """AC702 for tests left out through the runner's configuration: pytest's addopts
    (`--deselect`, `-k`, `--ignore`, `-p no:`), `collect_ignore` and deselecting hooks in
    conftest.py, Jest and Vitest ignore patterns, a CI or Makefile test command that skips or
    selects tests."""
    configs = testcode.runner_configs()
    for file in files:
        if file.status == "deleted" or not file.added:
            continue
        matching = [c for c in configs if c.files.match(file.path)]
        if not matching:
            continue
        head = _text(reader.head(file.path))
        if head is None:
            continue
        lines = head.replace("\r\n", "\n").split("\n")
        language = testcode.language_of(file.path)
        code = testcode.code_lines(head, language) if language is not None else lines
        before = Counter(text.strip() for _, text in file.removed)
        for line in file.added:
            if before[line.text.strip()] > 0:
                before[line.text.strip()] -= 1
                continue  # there before: moved or re-indented
            text = code[line.number - 1] if line.number <= len(code) else line.text
            for config in matching:
                match = config.options.search(text)
                if match is None or not _in_section(lines, line.number, config.sections):
                    continue
                yield Finding(
                    "AC702",
                    f"tests left out through {config.what}: `{_quote(line.text)}` added in "
                    f"{file.path}: the tests it leaves out no longer run",
                    file.path,
                    line.number,
                    match.start() + 1,
                )
                break


def _in_section(lines: list[str], number: int, sections: re.Pattern[str] | None) -> bool:
    """True when line NUMBER sits under a header SECTIONS matches (any line, without them)."""
    if sections is None:
        return True
    for index in range(min(number, len(lines)) - 1, -1, -1):
        header = lines[index].strip()
        if header.startswith("["):
            return sections.search(header) is not None
    return False


def _returning(entry: _File) -> Iterator[Finding]:
    """AC702 for a Python test whose body now starts with `return`: it passes without running."""
    file = entry.change
    if entry.language.name != "python" or entry.head is None or file.status == "added":
        return
    if not testcode.is_test_file(file.path) or not any(
        line.text.strip().startswith("return") for line in file.added
    ):
        return
    head = testcode.returning_first(entry.head)
    if not head or entry.base is None:
        return
    base = testcode.returning_first(entry.base)
    existing = testcode.python_tests(entry.base, file.old_path, None)
    if base is None or existing is None:
        return
    for name, number in sorted(head.items(), key=lambda item: item[1]):
        if name in base or name not in existing:
            continue  # returned early before, or a test the change adds
        yield Finding(
            "AC702",
            f"test disabled: {name} in {file.path} now returns before anything in it runs",
            file.path,
            number,
            1,
        )


def _disabled(entry: _File) -> Iterator[Finding]:
    language = entry.language
    if language.disable is None and language.focus is None:
        return
    file = entry.change
    raw = [line.text for line in file.added]
    if not _any_match(language.disable, raw) and not _any_match(language.focus, raw):
        return  # the cheap test first: lexing is only needed to rule out comments and strings
    removed, added = entry.code
    # A marker line that was removed and added again (moved, re-indented, its reason reworded:
    # strings are blanked in the code compared) is not new; nor one whose condition is
    # rewritten with the same reason (`platform.system() == "Windows"` as `WIN`).
    before = Counter(_bare(code) for code in removed.lines)
    raw_removed = {line.number: line.text for line in file.removed}
    reasons = Counter(
        (_marker_kind(code, language), _strings(raw_removed.get(number, "")))
        for number, code in zip(removed.numbers, removed.lines, strict=True)
        if _marker_kind(code, language) and _strings(raw_removed.get(number, ""))
    )
    texts = {line.number: line.text for line in file.added}
    added_numbers = set(texts)
    kept = _kept_calls(entry, added_numbers)
    for number, code in zip(added.numbers, added.lines, strict=True):
        found = None
        for pattern, what in ((language.focus, "focused"), (language.disable, "disabled")):
            match = pattern.search(code) if pattern is not None else None
            if match is not None:
                found = (match, what)
                break
        if found is None:
            continue
        original = texts.get(number, code)
        call = kept.calls.get(number)
        if call is not None and kept.budget[call] > 0:
            kept.budget[call] -= 1
            continue
        if before[_bare(code)] > 0:
            before[_bare(code)] -= 1
            continue
        reason = (_marker_kind(code, language), _strings(original))
        if reason[1] and reasons[reason] > 0:
            reasons[reason] -= 1
            continue
        match, what = found
        if what == "disabled" and file.status in ("added", "copied"):
            continue  # a skip in a new file disables no test that ran before; focus still does
        if what == "disabled" and _new_test(entry, number, added_numbers):
            continue  # the test it skips is added by the change: it never ran
        if what == "focused":
            effect = "runs the focused tests alone and silences every other test in the run"
        else:
            effect = "the test no longer runs"
        yield Finding(
            "AC702",
            f"test {what}: `{_quote(original)}` added in {file.path}: {effect}",
            file.path,
            number,
            match.start() + 1,
        )


class _Kept(NamedTuple):
    calls: dict[int, str]  # an added line -> the marker call that starts on it
    budget: Counter[str]  # a call -> how many of it the base has that the head does not keep


def _kept_calls(entry: _File, added: set[int]) -> _Kept:
    """The disabling markers of the base that the head still has, compared as whole calls
    (condition and reason, wrapped over lines or not), so that a marker moved into a list or
    rewrapped is not new. Only where both whole texts are known."""
    language = entry.language
    if language.disable is None or entry.base is None or entry.head is None:
        return _Kept({}, Counter())
    base = Counter(call for _, call in _calls(entry.base, language.disable, language))
    calls: dict[int, str] = {}
    for number, call in _calls(entry.head, language.disable, language):
        if number in added:
            calls[number] = call
        else:
            base[call] -= 1  # an unchanged marker keeps its own base counterpart
    return _Kept(calls, base)


def _calls(text: str, pattern: re.Pattern[str], language: Language) -> Iterator[tuple[int, str]]:
    """Each marker in TEXT with its whole call: the code from the marker to the parenthesis
    that closes it (at most 20 lines), without whitespace, its strings kept."""
    code = testcode.code_lines(text, language)
    raw = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(code):
        match = pattern.search(line)
        if match is None:
            continue
        depth, parts, row, start = 0, [], index, match.start()
        while row < len(code) and row < index + 20:
            segment, source = code[row][start:], raw[row][start:] if row < len(raw) else ""
            end = len(segment)
            for at, char in enumerate(segment):
                depth += (char == "(") - (char == ")")
                if depth == 0 and char == ")":
                    end = at + 1
                    break
            parts.append(source[:end])
            if depth <= 0:
                break
            row, start = row + 1, 0
        yield index + 1, _bare("".join(parts))


def _marker_kind(code: str, language: Language) -> str:
    """The disabling marker a line of code holds ("pytest.mark.skipif"), or ""."""
    match = language.disable.search(code) if language.disable is not None else None
    return _bare(match.group(0)) if match is not None else ""


def _strings(line: str) -> str:
    """The last string literal of a line, as written: a marker's reason."""
    found = re.findall(r"\"[^\"]*\"|'[^']*'", line)
    return found[-1] if found else ""


def _bare(code: str) -> str:
    """A line of code without its whitespace (strings and comments already blanked)."""
    return re.sub(r"\s+", "", code)


def _new_test(entry: _File, number: int, added: set[int]) -> bool:
    """True when the marker on head line NUMBER disables a test the change adds: the test
    definition just below it (the marker a decorator) or the nearest above it (a skip in the
    body) is an added line that the base does not have. A marker on the definition line itself
    (`it.skip(...)`) is judged a disabled test: its name cannot be told from its marker."""
    if entry.head is None or entry.language.tests is None:
        return False
    if entry.language.name == "python":
        target = testcode.marker_target(entry.head, number)
        if target is not None:
            name, is_test = target
            if not is_test:
                return True  # a marker kept in a variable: where it is used is what counts
            existing = (
                testcode.python_tests(entry.base, entry.change.old_path, None)
                if entry.base is not None
                else {}
            )
            return existing is not None and name not in existing
    lines = entry.head.replace("\r\n", "\n").split("\n")
    code = testcode.code_lines(entry.head, entry.language)
    pattern = entry.language.tests

    def defines(line: int) -> bool:
        return 0 < line <= len(code) and bool(pattern.search(code[line - 1]))

    if defines(number):
        return False
    found = None
    marker = code[number - 1].strip() if number <= len(code) else ""
    if marker.startswith(("@", "#[", "[")):  # a decorator or attribute: the definition below
        below = number + 1
        while below in added and below - number <= 5:
            if defines(below):
                found = below
                break
            below += 1
    else:  # a skip inside the body: the definition above
        found = next((above for above in range(number - 1, 0, -1) if defines(above)), None)
    if found is None or found not in added:
        return False
    text = lines[found - 1].strip()
    base_lines = {line.strip() for line in (entry.base or "").replace("\r\n", "\n").split("\n")}
    return bool(text) and text not in base_lines


def _weakened(files: list[_File], change: ChangeSet, reader: FileReader) -> Iterator[Finding]:
    """AC701 for tests removed from files that remain, AC703 for assertions removed."""
    python: list[_File] = []
    other: list[_File] = []
    for entry in files:
        if entry.change.status not in ("modified", "renamed", "added", "copied"):
            continue
        is_python = entry.language.name == "python"
        base_known = entry.base is not None or entry.change.status == "added"
        if is_python and base_known and entry.head is not None:
            python.append(entry)
        else:
            other.append(entry)
    if python:
        yield from _python_weakened(python, change, reader)
    yield from _counted_weakened(other, change, reader)


def _python_weakened(
    files: list[_File], change: ChangeSet, reader: FileReader
) -> Iterator[Finding]:
    resolve_base, resolve_head = _resolver(reader.base), _resolver(reader.head)
    parsed: list[tuple[_File, dict[str, PythonTest], dict[str, PythonTest]]] = []
    for entry in files:
        assert entry.head is not None
        file = entry.change
        base = (
            testcode.python_tests(entry.base, file.old_path, resolve_base)
            if entry.base is not None and file.status != "copied"
            else {}  # a copy's tests are all new: its source keeps the ones it had
        )
        head = testcode.python_tests(entry.head, file.path, resolve_head)
        if base is None or head is None:
            continue
        parsed.append((entry, base, head))
    gained: dict[str, set[str]] = {}  # new test name -> the files that gained it
    for entry, base, head in parsed:
        for name in head.keys() - base.keys():
            gained.setdefault(name.rsplit(".", 1)[-1], set()).add(entry.change.path)
    for entry, base, head in parsed:
        file = entry.change
        if not testcode.is_test_file(file.path) or file.status in ("added", "copied"):
            continue
        new_here = head.keys() - base.keys()
        vanished = [
            name
            for name in sorted(base.keys() - head.keys(), key=lambda n: base[n].line)
            if not gained.get(name.rsplit(".", 1)[-1], set()) - {file.path}
            and not _renamed_elsewhere(name, file.path, gained)
        ]
        # Cases count, so two tests merged into one parametrized test of two cases lose none.
        new_cases = sum(head[name].cases for name in new_here)
        lost_cases = sum(base[name].cases for name in vanished)
        if lost_cases > new_cases:
            first = base[vanished[0]]
            line = testcode.head_line(file, first.line, _line_count(entry.head))
            if new_here:
                what = (
                    f"{file.path} has {_plural(lost_cases - new_cases, 'test')} fewer "
                    f"after the change (removed: {', '.join(vanished)}; added: "
                    f"{', '.join(sorted(new_here))})"
                )
            else:
                names = ", ".join(vanished)
                verb = "was" if len(vanished) == 1 else "were"
                what = (
                    f"{names} {verb} removed from {file.path} and no test of that name appears "
                    "elsewhere in the change"
                )
            yield Finding("AC701", what, file.path, line, 1)
        split = sum(head[name].assertions for name in new_here)
        returning = testcode.returning_first(entry.head or "") or {}  # AC702 reports those
        losses = [
            (name, base[name].assertions, head[name].assertions)
            for name in sorted(base.keys() & head.keys(), key=lambda n: head[n].line)
            if head[name].assertions < base[name].assertions and name not in returning
        ]
        if sum(b - h for _, b, h in losses) <= split:
            continue  # the assertions went to tests split off in the same file
        for name, before, after in losses:
            yield Finding(
                "AC703",
                f"{name} has {_plural(after, 'assertion')} after the change, {before} before: "
                f"{before - after} removed without replacement",
                file.path,
                head[name].line,
                1,
            )


def _words(name: str) -> frozenset[str]:
    """The words of a test name, without "test": test_gc_roll_forward -> {gc, roll, forward}."""
    last = name.rsplit(".", 1)[-1]
    parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", last)
    return frozenset(p.lower() for p in parts) - {"test"}


def _renamed_elsewhere(name: str, path: str, gained: dict[str, set[str]]) -> bool:
    """True when another file of the change gains a test whose name holds every word of NAME
    (test_gc_roll_forward moved as test_gc_pre_1_14_roll_forward)."""
    wanted = _words(name)
    if len(wanted) < 2:
        return False  # "test_a" says too little to be recognised elsewhere
    return any(wanted <= _words(other) for other, paths in gained.items() if paths - {path})


def _counted_weakened(
    files: list[_File], change: ChangeSet, reader: FileReader
) -> Iterator[Finding]:
    """Other languages (and Python without whole-file text): test definitions and assertion
    calls counted on the changed lines, with what other files of the change add offsetting."""
    measured = []
    for entry in files:
        language, file = entry.language, entry.change
        raw = [line.text for line in file.removed]
        if _any_match(language.tests, raw) or _any_match(language.assertions, raw):
            removed, added = entry.code
        else:  # nothing to lose: the added lines only offset, and need no lexing
            removed = testcode.SideCode([], [])
            added = testcode.SideCode(
                [line.number for line in file.added], [line.text for line in file.added]
            )
        measured.append((entry, removed, added))
    net_tests: Counter[str] = Counter()
    net_asserts: Counter[str] = Counter()
    for entry, removed, added in measured:
        language = entry.language
        net_tests[language.name] += testcode.count(language.tests, added.lines) - testcode.count(
            language.tests, removed.lines
        )
        net_asserts[language.name] += testcode.count(
            language.assertions, added.lines
        ) - testcode.count(language.assertions, removed.lines)
    measured_names = {e.language.name for e in files}
    for file in change.files:  # helpers outside the test folders offset too
        helper_language = testcode.language_of(file.path)
        if helper_language is None or helper_language.name not in measured_names:
            continue
        if file.status == "deleted" or any(e.change is file for e in files):
            continue
        language = helper_language
        net_asserts[language.name] += testcode.count(
            language.assertions, [line.text for line in file.added]
        ) - testcode.count(language.assertions, [line.text for line in file.removed])
    for entry, removed, added in measured:
        file, language = entry.change, entry.language
        if not testcode.is_test_file(file.path) and not (
            language.inline_tests and testcode.count(language.tests, removed.lines)
        ):
            continue
        tests_lost = testcode.count(language.tests, removed.lines) - testcode.count(
            language.tests, added.lines
        )
        if tests_lost > 0 and net_tests[language.name] < 0:
            line = _first_line_matching(file, removed, language.tests, entry.head)
            yield Finding(
                "AC701",
                f"{file.path} has {_plural(tests_lost, 'test')} fewer after the change and no "
                "other file of the change adds as many",
                file.path,
                line,
                1,
            )
        before = testcode.count(language.assertions, removed.lines)
        after = testcode.count(language.assertions, added.lines)
        if before > after and net_asserts[language.name] < 0:
            line = _first_line_matching(file, removed, language.assertions, entry.head)
            yield Finding(
                "AC703",
                f"{file.path} lost {_plural(before - after, 'assertion')}: the change removes "
                f"{before} and adds {after}, and no other file of the change makes up for it",
                file.path,
                line,
                1,
            )


def _any_match(pattern: re.Pattern[str] | None, lines: list[str]) -> bool:
    return pattern is not None and any(pattern.search(line) for line in lines)


def _line_count(text: str | None) -> int | None:
    if text is None:
        return None
    return len(text.replace("\r\n", "\n").rstrip("\n").split("\n"))


def _first_line_matching(
    file: FileChange,
    removed: testcode.SideCode,
    pattern: re.Pattern[str] | None,
    head: str | None,
) -> int | None:
    if pattern is None:
        return None
    for number, code in zip(removed.numbers, removed.lines, strict=True):
        if pattern.search(code):
            return testcode.head_line(file, number, _line_count(head))
    return None
