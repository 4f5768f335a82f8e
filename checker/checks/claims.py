"""AC601-AC605: what the pull request and the commit messages say the change did (and did not
do), against what the diff shows."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from checker.config import catalog
from checker.config.policy import Policy
from checker.config.task import Task
from checker.domain import testcode
from checker.domain.hiddentext.escape import visible
from checker.model.change import PENDING_COMMIT, ChangeSet
from checker.model.finding import Finding
from checker.model.reader import FileReader

if TYPE_CHECKING:
    from checker.domain.claimreader.grammar import Claim
    from checker.domain.claimreader.markdown import Statement

CODES = ("AC601", "AC602", "AC603", "AC604", "AC605")
_QUOTE = 100
_LISTED = 4
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{7,40})")
_CODE_SPAN = re.compile(r"`[^`]*`")


class Source(NamedTuple):
    label: str  # for messages: "the pull request description", "commit 1a2b3c4d"
    text: str
    commit: bool


class Read(NamedTuple):
    """One sentence of a source, with the files it says were changed."""

    source: Source
    statement: Statement
    claims: list[Claim]


def sources(change: ChangeSet) -> list[Source]:
    found = []
    pr = change.pull_request
    if pr is not None:
        if pr.title.strip():
            found.append(Source("the pull request title", pr.title, False))
        if pr.body.strip():
            found.append(Source("the pull request description", pr.body, False))
    if change.final_message and change.final_message.strip():
        found.append(Source("the agent's final message", change.final_message, False))
    reverted = {m.group(1) for c in change.commits for m in _REVERTS.finditer(c.message)}
    for commit in change.commits:
        if commit.message.startswith("Merge ") or _REVERTS.search(commit.message):
            continue
        if any(commit.sha.startswith(sha) for sha in reverted):
            continue  # undone later in the range: its claims no longer describe the change
        label = "the commit message" if commit.sha == PENDING_COMMIT else f"commit {commit.sha[:8]}"
        found.append(Source(label, commit.message, True))
    return found


def _quote(sentence: str, around: int = 0) -> str:
    text = " ".join(sentence.split())
    if len(text) > _QUOTE:
        start = max(0, min(around - _QUOTE // 3, len(text) - _QUOTE))
        text = ("…" if start else "") + text[start : start + _QUOTE].strip() + "…"
    return visible(text.replace('"', "'"))


def _listing(paths: list[str]) -> str:
    shown = ", ".join(visible(p) for p in paths[:_LISTED])
    more = len(paths) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class Repository:
    """What the claims are compared with: the paths the change touches, and (read only when a
    claim needs them) every file before or after the change, indexed by name and folder."""

    def __init__(self, changed: list[str], reader: FileReader) -> None:
        self.changed = frozenset(changed)  # both sides of a rename
        self.changed_list = changed  # in the change's order, for messages
        self._reader = reader

    @functools.cached_property
    def known(self) -> frozenset[str]:
        """Every file before or after the change (empty for a patch file)."""
        return self._reader.base_paths() | self._reader.head_paths()

    @functools.cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path in self.known:
            index.setdefault(posixpath.basename(path), []).append(path)
        return index

    @functools.cached_property
    def _folders(self) -> frozenset[str]:
        """Every folder, and every trailing part of one: "src/shop/handlers", "shop/handlers",
        "handlers"."""
        found: set[str] = set()
        for start in {posixpath.dirname(p) for p in self.known}:
            folder = start
            while folder and folder not in found:
                parts = folder.split("/")
                found.update("/".join(parts[i:]) for i in range(len(parts)))
                folder = posixpath.dirname(folder)
        return frozenset(found)

    def files_named(self, mention: str) -> list[str]:
        """Files whose path is MENTION or ends with "/MENTION"."""
        candidates = self._by_name.get(posixpath.basename(mention), [])
        return sorted(p for p in candidates if _suffix(p, mention))

    def is_folder(self, mention: str) -> bool:
        return mention in self._folders


def _under(path: str, folder: str) -> bool:
    return ("/" + path).find("/" + folder + "/") != -1


def _suffix(path: str, mention: str) -> bool:
    return path == mention or path.endswith("/" + mention)


class Verdict(NamedTuple):
    target: str  # what the message names: the mention, or the one file it means
    detail: str  # why the mention is a file, for the message


def judge(claim: Claim, repo: Repository) -> Verdict | None:
    """None when the change touches the claimed file, or the mention is no file claim."""
    path = claim.mention.path
    if not path or re.search(r"[*?<>{}$~\\\s]", path) or path.startswith(("http", "-")):
        return None
    absolute = path.startswith("/")
    path = path.strip("/")
    if not path:
        return None
    if any(_suffix(c, path) or _under(c, path) for c in repo.changed):
        return None
    if path not in repo.known and not repo.files_named(path):
        # No file has the name as written: match the way a case-insensitive file system would
        # ("contributing.md" for CONTRIBUTING.md).
        folded = path.casefold()
        if any(_suffix(c.casefold(), folded) or _under(c.casefold(), folded) for c in repo.changed):
            return None
    from checker.domain.claimreader import grammar  # loaded by check(), which alone calls this

    shaped = grammar.path_shaped(path)
    if not shaped and (claim.mention.path.endswith("/") or repo.is_folder(path)):
        if not repo.is_folder(path):
            return None  # a folder nobody has: not a path we can check
        return Verdict(path + "/", "no file below it changed")
    matches = repo.files_named(path)
    if len(matches) == 1:
        return Verdict(matches[0], "")
    if matches:
        return Verdict(path, f"none of the {len(matches)} files of that name changed")
    if absolute or not shaped:
        return None
    if repo.known:
        if claim.undone:
            return None  # made and unmade within the change: the diff cannot say
        return Verdict(path, "no such file exists before or after the change")
    return Verdict(path, "")


def _similar(target: str, repo: Repository) -> str | None:
    """A changed file the claim may have meant: same name, or same name without extension."""
    name = posixpath.basename(target.rstrip("/"))
    stem = name.split(".", 1)[0].lower()
    for path in repo.changed_list:
        other = posixpath.basename(path)
        if other == name or (stem and other.split(".", 1)[0].lower() == stem):
            return path
    return None


def settings(policy: Policy) -> None:
    """This family has no policy settings."""


def check(
    change: ChangeSet, settings: None, task: Task | None, reader: FileReader
) -> Iterator[Finding]:
    found = sources(change)
    if not found:
        return
    # The sentence reader loads here, for a run with text to read: most runs (a pre-commit
    # hook's staged check) have no description or commit message.
    from checker.domain.claimreader import grammar, markdown

    changed_list = list(dict.fromkeys(p for file in change.files for p in file.paths))
    repo = Repository(changed_list, reader)
    read = [
        Read(source, statement, grammar.claims(statement))
        for source in found
        for statement in markdown.statements(source.text, commit=source.commit)
    ]
    yield from _file_claims(read, repo)
    yield from _test_claims(read, change, changed_list)
    yield from _denials(read, change, repo)
    yield from _exclusive(read, repo)


def _touched(mention: str, repo: Repository) -> list[str]:
    """The changed files a mention names (by path, suffix or folder; any case)."""
    path = mention.strip("/").casefold()
    if not path:
        return []
    return [
        c for c in repo.changed_list if _suffix(c.casefold(), path) or _under(c.casefold(), path)
    ]


def _denials(read: list[Read], change: ChangeSet, repo: Repository) -> Iterator[Finding]:
    """AC604: "I did not touch `a.py`" or "no changes to the tests" while the diff does."""
    from checker.domain.claimreader import grammar

    reported: set[str] = set()
    test_files = [
        p for p in repo.changed_list if testcode.is_test_file(p) or testcode.is_test_support(p)
    ]
    for source, statement, _ in read:
        for denial in grammar.denials(statement):
            touched: list[str] = []
            for mention in denial.paths:
                touched += _touched(mention.path, repo)
            if denial.tests:
                touched += test_files
            touched = [p for p in dict.fromkeys(touched) if p not in reported]
            if not touched:
                continue
            reported.update(touched)
            yield Finding(
                "AC604",
                f'{source.label} says "{_quote(statement.text)}" but the change touches '
                f"{_listing(touched)}",
            )


def _exclusive(read: list[Read], repo: Repository) -> Iterator[Finding]:
    """AC605: "only `a.py` changed" while the diff changes other files too."""
    from checker.domain.claimreader import grammar

    for source, statement, _ in read:
        named = grammar.exclusive(statement)
        if not named:
            continue
        covered: set[str] = set()
        for mention in named:
            covered.update(_touched(mention.path, repo))
        others = [p for p in repo.changed_list if p not in covered]
        if others:
            yield Finding(
                "AC605",
                f'{source.label} says "{_quote(statement.text)}" but the change also touches '
                f"{_listing(others)}",
            )
            return  # one is enough: the others would list the same files


def _file_claims(read: list[Read], repo: Repository) -> Iterator[Finding]:
    reported: dict[str, list[str]] = {}  # target -> the first message, then other sources
    order: list[str] = []
    for source, statement, claims in read:
        for claim in claims:
            verdict = judge(claim, repo)
            if verdict is None:
                continue
            if verdict.target in reported:
                if source.label not in reported[verdict.target]:
                    reported[verdict.target].append(source.label)
                continue
            quote = _quote(statement.text, claim.mention.start)
            reported[verdict.target] = [
                _file_message(source.label, quote, verdict, repo),
                source.label,
            ]
            order.append(verdict.target)
    for target in order:
        message, *labels = reported[target]
        others = labels[1:]
        if others:
            message += f" (also in {', '.join(others)})"
        yield Finding("AC601", message)


def _file_message(label: str, quote: str, verdict: Verdict, repo: Repository) -> str:
    target = visible(verdict.target)
    message = f'{label} says "{quote}" but the change does not touch {target}'
    if verdict.detail:
        message += f" ({verdict.detail})"
    if not repo.changed_list:
        return message + "; the change is empty"
    similar = _similar(verdict.target, repo)
    if similar is not None:
        message += f"; did you mean {visible(similar)}?"
        rest = [p for p in repo.changed_list if p != similar]
        if rest:
            message += f" It also changes {_listing(rest)}"
        return message
    return message + f"; it changes {_listing(repo.changed_list)}"


class _Patterns(NamedTuple):
    written: re.Pattern[str]
    ran: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    data = catalog.table("claims")["tests"]
    return _Patterns(
        re.compile("|".join(f"(?:{p})" for p in data["written"]), re.IGNORECASE),
        re.compile("|".join(f"(?:{p})" for p in data["ran"]), re.IGNORECASE),
    )


def _claim_in(statement: Statement, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """A test claim in STATEMENT, unless a negation or plan comes before it."""
    if statement.section == "quiet" or statement.unchecked:
        return None
    text = _CODE_SPAN.sub(" code ", statement.text)
    if text.rstrip().endswith("?"):
        return None
    match = pattern.search(text)
    if match is None:
        return None
    from checker.domain.claimreader import grammar  # loaded by check(), which alone reaches this
    from checker.domain.claimreader.words import words

    w = words()
    before = re.findall(r"[a-z'’]+", text[: match.end()].lower())
    if any(grammar.negation(word, w) for word in before):
        return None
    return match


def tests_changed(change: ChangeSet) -> bool:
    """Any test file, test folder, or a test definition added inside a source file."""
    for file in change.files:
        if any(testcode.is_test_file(p) or testcode.is_test_support(p) for p in file.paths):
            return True
        language = testcode.language_of(file.path)
        added = [line.text for line in file.added]
        if language is not None and added and testcode.count(language.tests, added):
            return True
    return False


def _test_claims(read: list[Read], change: ChangeSet, changed: list[str]) -> Iterator[Finding]:
    patterns = _patterns()
    written = None
    ran = None
    for source, statement, claims in read:
        if written is None and (
            _claim_in(statement, patterns.written) is not None
            or any(testcode.is_test_file(c.mention.path) for c in claims)
        ):
            written = (source, statement)
        if ran is None:
            match = _claim_in(statement, patterns.ran)
            ticked = statement.section == "tests" and statement.text.startswith(("✅", "✔"))
            if match is not None or ticked:
                ran = (source, statement)
    if written is not None and not tests_changed(change):
        source, statement = written
        shows = f"the change touches {_listing(changed)}" if changed else "the change is empty"
        yield Finding(
            "AC602",
            f'{source.label} says "{_quote(statement.text)}" but no test file changed; {shows}',
        )
    if ran is not None:
        source, statement = ran
        yield Finding(
            "AC603",
            f'{source.label} says "{_quote(statement.text)}" but a diff cannot show a test '
            "run; check the CI results",
        )
