"""Reading one sentence for claims: the file paths a change verb says were edited, with
negation, hedging and purpose clauses read as no claim. The word lists are data
(rules/claims.toml)."""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from checker.domain.claimreader.markdown import CONVENTIONAL, Statement
from checker.domain.claimreader.words import Words, words


class Mention(NamedTuple):
    text: str  # as written, e.g. "src/a.py:12"
    path: str  # normalised: "src/a.py"
    start: int  # offset in the statement
    quoted: bool  # written in backticks


_TOKEN = re.compile(
    r"""
    `(?P<code>[^`]+)`
  | (?P<path>(?:~|\.{1,2})?/?[\w@+$-][\w.@+$-]*(?:/[\w.@+$*-]*)+
           | [\w@+-]*[\w@+-]\.[\w.@+-]*[A-Za-z0-9]
           | \.[A-Za-z][\w.-]*)
  | (?P<word>[A-Za-z][A-Za-z'’-]*)
  | (?P<punct>[,;:()\[\]—–]|(?<=\s)-(?=\s))
    """,
    re.VERBOSE,
)
_LINE_SUFFIX = re.compile(r"(?::\d+(?:[-:]\d+)?|#L\d+(?:-L?\d+)?)$")
_PROSE_SLASH = re.compile(r"^[A-Za-z]{1,12}/[A-Za-z]{1,12}$")  # and/or, I/O, CI/CD


def normalise(text: str) -> str:
    path = text.strip().strip("'\"“”‘’*")
    while len(path) > 2 and path[0] == path[-1] == "_":
        path = path[1:-1]  # _emphasis_, never the underscore of `_compat.py`
    path = path.rstrip(".,;:!?)'\"")
    path = re.sub(r"['’]s$", "", path)
    path = _LINE_SUFFIX.sub("", path)
    path = path.removeprefix("./")
    return path


def path_shaped(path: str) -> bool:
    """A slash with a file-like last part, a known extension, or a known file name."""
    w = words()
    if not path or path.lower() in w.not_files:
        return False
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last in w.names:
        return True
    stem, dot, extension = last.rpartition(".")
    if dot and extension.lower() in w.extensions:
        return True
    if last.startswith("."):
        return False  # ".py files" names an extension; known dotfiles are in `names`
    if "/" in path.strip("/") and not _PROSE_SLASH.match(path):
        return bool(dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,8}", extension))
    return False


class Token(NamedTuple):
    kind: Literal["mention", "code", "word", "punct"]
    text: str  # lowercased for words
    start: int
    mention: Mention | None = None


def tokens(sentence: str) -> list[Token]:
    found: list[Token] = []
    for match in _TOKEN.finditer(sentence):
        if match.group("code") is not None:
            content = match.group("code").strip()
            path = normalise(content)
            if not path or re.search(r"\s", content) or "(" in content:
                found.append(Token("code", content, match.start()))  # `*` names no file
            else:
                mention = Mention(content, path, match.start(), True)
                found.append(Token("mention", path, match.start(), mention))
        elif match.group("path") is not None:
            raw = match.group("path")
            path = normalise(raw)
            if (path and path_shaped(path)) or "/" in path.strip("/"):
                mention = Mention(raw, path, match.start(), False)
                found.append(Token("mention", path, match.start(), mention))
            else:
                found.append(Token("word", raw.lower(), match.start()))
        elif match.group("word") is not None:
            word = match.group("word").lower().replace("’", "'")
            found.append(Token("word", word, match.start()))
        else:
            found.append(Token("punct", match.group("punct"), match.start()))
    return found


def negation(word: str, w: Words) -> bool:
    return word in w.negations


_REACH = 9  # words a change verb reaches past before its object must have appeared


class Claim(NamedTuple):
    mention: Mention
    created: bool  # governed by a verb that creates files ("added", "new")
    undone: bool = False  # governed by a verb that undoes ("removed", "reverted")


def claims(statement: Statement) -> list[Claim]:
    """The mentions STATEMENT says were changed."""
    if statement.section == "quiet" or statement.unchecked:
        return []
    text = statement.text
    if text.rstrip().endswith("?"):
        return []
    w = words()
    found: list[Claim] = []
    toks = tokens(text)
    conventional = CONVENTIONAL.match(text)
    if _general(toks, w):
        return []
    if statement.item and statement.section in ("claims", "plain"):
        found.extend(_leading(toks, w))
    verb: str | None = None
    negated = False
    comma_since_negation = False
    stopped = False
    distance = 0
    subject: list[Mention] = []  # mentions before the first verb: "`a.py` was updated"
    subject_open = True
    saved: list[tuple[bool, bool]] = []
    imperative = False
    undoing = False  # an undo verb came first: "reverted the commit that added `a.py`"
    if conventional is not None:
        verb = "fix"
        imperative = True
        toks = [t for t in toks if t.start >= conventional.end()]
    for index, token in enumerate(toks):
        nxt = toks[index + 1] if index + 1 < len(toks) else None
        if token.kind == "punct":
            if token.text in ";":
                verb, negated, stopped, subject, subject_open = None, False, False, [], True
                undoing = False
            elif token.text == "(":
                saved.append((negated, stopped))
            elif token.text == ")":
                if saved:
                    negated, stopped = saved.pop()
            elif token.text in ",—–-":
                comma_since_negation = True
            continue
        if token.kind == "code":
            distance += 1
            subject_open = False
            continue
        if token.kind == "mention":
            assert token.mention is not None
            if verb is not None and not negated and not stopped and distance <= _REACH:
                found.append(Claim(token.mention, verb in w.create_verbs, undoing))
                distance = 0
            elif verb is None and subject_open and not negated:
                subject.append(token.mention)
            continue
        word = token.text
        was_imperative, imperative = imperative, False
        if word in ("but", "however", "although", "though", "whereas", "except", "otherwise"):
            verb, negated, stopped, subject, subject_open = None, False, False, [], False
            undoing = False
            continue
        if negation(word, w):
            negated = True
            comma_since_negation = False
            continue
        if word in w.after_negations or (word == "as" and nxt is not None and nxt.text == "is"):
            found = [c for c in found if c.mention not in subject and not _recent(c, token, toks)]
            subject = []
            negated = True
            comma_since_negation = False
            continue
        if word in w.undo_verbs and not negated:
            undoing = True
        if word in w.verbs and _noun_use(word, toks, index, w):
            distance += 1  # "every hook of `a.yaml`", "the fix": a noun, not a change verb
            continue
        if word in w.verbs:
            if negated and comma_since_negation:
                negated = False
            if subject and subject_open and not negated:
                found.extend(Claim(m, word in w.create_verbs, undoing) for m in subject)
            subject, subject_open = [], False
            verb, stopped, distance = word, False, 0
            continue
        if word == "now" and verb is None and not negated:
            found.extend(Claim(m, False) for m in _now_subject(toks, index, w))
        if word == "new":
            target = _new_object(toks, index)
            if target is not None and not negated:
                found.append(Claim(target, True))
            distance += 1
            continue
        if subject_open and word not in w.be_words:
            subject_open = False
        if word in ("to", "into"):
            if nxt is not None and nxt.kind == "word" and _purpose(nxt.text, w):
                stopped = True
            continue
        if word == "from":
            if verb not in w.move_verbs:
                stopped = True
            continue
        if word == "as" and nxt is not None and nxt.text == "well":
            continue
        if word in w.stops and not was_imperative:
            stopped = True
            continue
        distance += 1
    unique: dict[str, Claim] = {}
    for claim in found:
        unique.setdefault(claim.mention.path, claim)
    return list(unique.values())


def _noun_use(word: str, toks: list[Token], index: int, w: Words) -> bool:
    """True when a determiner makes WORD a noun ("every hook", "the fix"); a past participle
    stays a verb ("the updated `a.py`")."""
    before = toks[index - 1] if index else None
    return (
        before is not None
        and before.kind == "word"
        and before.text in w.determiners
        and not word.endswith("ed")
    )


def _general(toks: list[Token], w: Words) -> bool:
    """A general statement about edits, not a report of one: a sentence whose subject is a
    gerund or "changes to" ("Adding a line to `setup.cfg` is enough", "Changes to
    `pyproject.toml` trigger a rebuild"), its predicate after the path."""
    words_only = [t for t in toks if t.kind != "punct"]
    if len(words_only) < 3 or words_only[0].kind != "word":
        return False
    first, second = words_only[0].text, words_only[1]
    gerund = first in w.verbs and first.endswith("ing")
    noun = first in ("changes", "edits", "updates", "modifications") and second.text in (
        "to",
        "in",
        "of",
    )
    if not (gerund or noun):
        return False
    seen_mention = False
    for token in words_only[1:]:
        if token.kind == "mention":
            seen_mention = True
        elif seen_mention and token.kind == "word" and token.text in w.general_predicates:
            return True
    return False


def _recent(claim: Claim, token: Token, toks: list[Token]) -> bool:
    """True when nothing separates CLAIM's mention from TOKEN ("`b.py` unchanged"): no comma,
    no "and", no verb or negation of its own."""
    start = claim.mention.start
    if start >= token.start:
        return False
    w = words()
    for other in toks:
        if not start < other.start < token.start:
            continue
        if other.kind == "punct" and other.text in ",;":
            return False
        if other.kind == "word" and (
            other.text in ("and", "or") or other.text in w.verbs or negation(other.text, w)
        ):
            return False
    return True


def _purpose(word: str, w: Words) -> bool:
    """True when "to" before WORD starts a purpose clause ("to use `b.py`"), which names no
    edited file."""
    return word in w.verbs or word in w.stops or word in w.purpose_verbs


def _now_subject(toks: list[Token], index: int, w: Words) -> list[Mention]:
    """The paths of "The `routes.py` handler now answers 400": a report of an edit, though no
    change verb says so. Not "`config.yaml` is now loaded" (the file is loaded, not edited)."""
    before = toks[index - 1] if index else None
    after = toks[index + 1] if index + 1 < len(toks) else None
    if before is None or after is None or after.kind != "word":
        return []
    if (before.kind == "word" and before.text in w.be_words) or after.text in w.be_words:
        return []
    if negation(after.text, w):
        return []
    window = toks[max(0, index - 4) : index]
    if any(t.kind == "punct" for t in window):
        return []
    return [t.mention for t in window if t.mention is not None]


def _new_object(toks: list[Token], index: int) -> Mention | None:
    """The path after "new": "new `x.py`", "new file `x.py`", "new test module `x.py`"."""
    for token in toks[index + 1 : index + 4]:
        if token.kind == "mention":
            return token.mention
        if token.kind != "word" or token.text not in words().object_nouns:
            return None
    return None


def _leading(toks: list[Token], w: Words) -> list[Claim]:
    """A list item that starts with paths: "- `src/a.py`: add retry", "- a.py, b.py (new)"."""
    lead: list[Mention] = []
    index = 0
    while index < len(toks):
        token = toks[index]
        if token.kind == "mention":
            assert token.mention is not None
            lead.append(token.mention)
        elif token.kind == "word" and lead:
            if token.text not in ("and", "new", "file", "files"):
                break
        elif token.kind == "word":
            if token.text not in w.verbs and token.text not in ("new", "file"):
                break  # "- Modified `a.py`" is read by the verb rule as well
        elif token.kind != "punct" or token.text != ",":
            break
        index += 1
    if not lead:
        return []
    rest = toks[index:]
    if rest:
        first = rest[0]
        if first.kind == "word" and first.text not in w.verbs and first.text not in w.be_words:
            return []  # "- `config.yaml` is now loaded ..." describes, it does not list
        if first.kind == "word" and first.text in w.be_words:
            following = next((t for t in rest[1:] if t.text not in w.be_words), None)
            if following is None or following.text not in w.verbs:
                return []
    for token in rest:
        if token.kind == "word" and (negation(token.text, w) or token.text in w.after_negations):
            return []
    return [Claim(m, False) for m in lead]


# Denials ("I did not touch `a.py`", "no changes to the tests") and exclusive claims ("only
# `a.py` changed"): read only where the subject is the writer or the change itself, and only in
# the past or present (a plan, "will not touch", is no report).

_SUBJECTS = re.compile(
    r"^(?:i|we|this\s+(?:pr|pull\s+request|change|commit|patch|branch)|the\s+(?:pr|change|"
    r"commit|patch))?$",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[;!?]|\.(?:\s|$)|,\s*(?:but|and|so)\b|\s(?:but|because|since|as|so)\s")
_EDIT = r"(?:touch|touched|modif(?:y|ied)|chang(?:e|ed)|edit(?:ed)?|alter(?:ed)?|updat(?:e|ed))"
_DENIALS = (
    re.compile(
        r"(?P<subject>^|[^,;:]{0,40}?)\b(?:did\s*n[o']?t|didn['’]?t|have\s+not|haven['’]?t|has\s+not|"
        r"hasn['’]?t|does\s+not|doesn['’]?t|never)\s+" + _EDIT + r"\s+(?P<object>.*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<subject>^)\s*no\s+(?:changes?|edits?|modifications?)\s+(?:were\s+made\s+)?"
        r"(?:to|in)\s+(?P<object>.*)",
        re.IGNORECASE,
    ),
)
_TESTS_DENIED = re.compile(
    r"^\s*(?:no\s+(?:test|tests|test\s+files?|spec|specs)\s+(?:were\s+|was\s+)?"
    r"(?:changes?|changed|modified|touched|edited|edits)\b)",
    re.IGNORECASE,
)
_TESTS_OBJECT = re.compile(
    r"^\s*(?:(?:the|any|existing|of\s+the)\s+)*(?:tests?|test\s+files?|test\s+suite|specs?)\b",
    re.IGNORECASE,
)
_ONLY = (
    re.compile(
        r"(?P<subject>^|[^,;:]{0,40}?)\bonly\s+" + _EDIT + r"\s+(?P<object>.*)", re.IGNORECASE
    ),
    re.compile(
        r"(?P<subject>^|[^,;:]{0,40}?)\b(?:changed|changes|modified|modifies|touched|touches|"
        r"edited|edits)\s+only\s+(?P<object>.*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<subject>^)\s*only\s+(?P<object>.*?)\s+(?:(?:was|were|is|are|has\s+been|have\s+been)"
        r"\s+)?(?:changed|modified|touched|edited|updated)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<subject>^)\s*(?:the\s+)?only\s+(?:files?|changes?)\s+(?:changed\s+|modified\s+|"
        r"touched\s+)?(?:is|are|was|were)\s+(?P<object>.*)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<subject>^)\s*(?:the\s+)?(?:changes?|edits?)\s+(?:are|is|were|was)\s+(?:limited|"
        r"restricted|confined)\s+to\s+(?P<object>.*)",
        re.IGNORECASE,
    ),
)


class Denial(NamedTuple):
    paths: list[Mention]  # the files said to be untouched
    tests: bool  # the tests said to be untouched


def _clause(text: str) -> str:
    found = _CLAUSE_END.search(text)
    return text[: found.start()] if found is not None else text


def _object_mentions(text: str, offset: int) -> list[Mention]:
    return [
        t.mention._replace(start=t.mention.start + offset)
        for t in tokens(text)
        if t.mention is not None
        and (t.mention.quoted or "/" in t.mention.path or path_shaped(t.mention.path))
    ]


# No denial or "only" claim runs this long; past it the sentence is not read for one (and the
# patterns stay linear on a hostile description).
_LONGEST_CLAIM = 2_000


def _reportable(statement: Statement) -> bool:
    text = statement.text
    return (
        len(text) <= _LONGEST_CLAIM
        and statement.section != "quiet"
        and not statement.unchecked
        and not text.rstrip().endswith("?")
        and re.search(r"\b(?:if|unless|whether)\b", text, re.IGNORECASE) is None
    )


def denials(statement: Statement) -> list[Denial]:
    """What STATEMENT says the change left untouched: "I did not touch `a.py`", "No changes to
    the tests", "no test files changed"."""
    if not _reportable(statement):
        return []
    text = statement.text
    found: list[Denial] = []
    if _TESTS_DENIED.match(text):
        found.append(Denial([], True))
    for pattern in _DENIALS:
        for match in pattern.finditer(text):
            subject = match.group("subject").strip()
            if not _SUBJECTS.match(subject) or re.search(r"\bnot\s+only\b", match.group(0), re.I):
                continue
            obj = _clause(match.group("object"))
            paths = _object_mentions(obj, match.start("object"))
            tests = not paths and _TESTS_OBJECT.match(obj) is not None
            if paths or tests:
                found.append(Denial(paths, tests))
    return found


def exclusive(statement: Statement) -> list[Mention]:
    """The files STATEMENT says are the only ones changed ("Only `a.py` changed", "I only
    modified `a.py` and `b.py`"); empty when it says no such thing."""
    if not _reportable(statement):
        return []
    text = statement.text
    for pattern in _ONLY:
        match = pattern.search(text)
        if match is None or not _SUBJECTS.match(match.group("subject").strip()):
            continue
        obj = match.group("object")
        if pattern is not _ONLY[2]:
            obj = _clause(obj)
        paths = _listed(obj, match.start("object"))
        if paths:
            return paths
    return []


_LIST_WORDS = frozenset({"and", "the", "file", "files", "module", "modules", "both", "its"})


def _listed(text: str, offset: int) -> list[Mention]:
    """The paths of a list that is all paths ("`a.py`, `b.py` and the file `c.py`"), up to
    what follows it ("... to fix the bug"); empty when an item is no path ("`a.py` and the
    docs"), since the whole set is then unknown."""
    found: list[Mention] = []
    continues = True  # at the start, or after "and" or a comma: an item must follow
    for token in tokens(text):
        if token.mention is not None and (
            token.mention.quoted or "/" in token.mention.path or path_shaped(token.mention.path)
        ):
            found.append(token.mention._replace(start=token.mention.start + offset))
            continues = False
        elif token.kind == "punct" and token.text == ",":
            continues = True
        elif token.kind == "word" and token.text in _LIST_WORDS:
            continues = continues or token.text == "and"
        elif token.kind == "word" and token.text == "nothing":
            break  # "`a.py`, nothing else"
        elif continues:
            return []
        else:
            break
    return found
