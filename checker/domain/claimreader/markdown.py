"""A pull request description or a commit message reduced to sentences, each with the kind of
section it sits in: quoted text (`>` lines, <blockquote>), code blocks (fenced and indented),
HTML comments and commit trailers are left out; headings (ATX and setext), bold labels and
"Files changed:" lines set the section. The block structure comes from a CommonMark parser
(markdown-it-py); the lines it leaves are read one by one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

from markdown_it import MarkdownIt

from checker.domain.claimreader.words import words

Section = Literal["claims", "plain", "tests", "quiet"]


class Statement(NamedTuple):
    text: str  # one sentence, Markdown links and emphasis removed
    section: Section
    item: bool  # the first sentence of a list item or table row
    unchecked: bool = False  # a "- [ ]" task-list item: a plan, not a report


_FENCE = re.compile(r"^\s*(```+|~~~+)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_BOLD_HEADING = re.compile(r"^(?:\*\*|__)([^*_]{1,80})(?:\*\*|__)\s*:?\s*$")
_LABEL = re.compile(r"^([A-Za-z][\w /&()'-]{0,40}?)\s*:\s*(.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?:\[(?P<box>[ xX])\]\s*)?(?P<rest>.*)$")
_QUOTE_OPEN = re.compile(r"<(?:blockquote|pre)\b", re.IGNORECASE)
_QUOTE_CLOSE = re.compile(r"</(?:blockquote|pre)\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_EMPHASIS = re.compile(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_TRAILER = re.compile(
    r"^(?:[A-Za-z][A-Za-z-]*-by|Change-Id|Cc|Link|Refs?|Closes|Resolves|Bug|Issue)\s*:\s",
    re.IGNORECASE,
)
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx)\.", re.IGNORECASE)
CONVENTIONAL = re.compile(
    r"^(feat|fix|refactor|chore|docs|test|tests|perf|style|build|ci|revert)(\([^)]*\))?!?:",
    re.IGNORECASE,
)
_SQUASH_SUBJECT = re.compile(r"\(#\d+\)\s*$")
_SQUASH_BULLET = re.compile(r"^\* \S", re.MULTILINE)
_SQUASHED = re.compile(r"^Squashed commit of the following:\s*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`*\[(\"'])")


def _heading_kind(text: str) -> Section:
    lowered = text.lower()
    w = words()

    def has(keys: tuple[str, ...]) -> bool:
        return any(re.search(r"(?<![a-z])" + re.escape(k), lowered) for k in keys)

    tokens = set(re.findall(r"[a-z'-]+", lowered))
    if has(w.quiet_headings) or tokens & w.negations or tokens & w.after_negations:
        return "quiet"
    if has(w.test_headings):
        return "tests"
    if has(w.claim_headings) or tokens & w.verbs:
        return "claims"
    return "plain"


def _clean(text: str) -> str:
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&")
    return _EMPHASIS.sub("", text).strip()


def _sentences(text: str) -> list[str]:
    protected = _ABBREVIATIONS.sub(lambda m: m.group(1).replace(".", "\0") + "\0", text)
    parts = _SENTENCE_END.split(protected)
    return [p.replace("\0", ".").strip() for p in parts if p.strip()]


_PARSER = MarkdownIt("commonmark")


def _blocks(text: str) -> str:
    """TEXT with what CommonMark reads as indented code blanked and each setext heading
    ("Background" underlined with ---) written as an ATX one, line for line."""
    lines = text.split("\n")
    for token in _PARSER.parse(text):
        if token.map is None:
            continue
        start, end = token.map
        end = min(end, len(lines))
        if token.type == "code_block":
            for index in range(start, end):
                lines[index] = ""
        elif token.type == "heading_open" and token.markup in ("=", "-") and end - start >= 2:
            title = " ".join(line.strip() for line in lines[start : end - 1])
            lines[start] = "# " + title
            for index in range(start + 1, end):
                lines[index] = ""
    return "\n".join(lines)


def _without_squashed(message: str) -> str:
    """A squash merge's message without the commits it squashed: GitHub's "Title (#12)"
    followed by "* subject" bullets, or git's "Squashed commit of the following:". Those lines
    are the branch's history, which later commits may have undone, not claims about the net
    change; the subject stays."""
    subject, newline, body = message.partition("\n")
    squashed = _SQUASHED.search(body)
    if squashed is not None:
        return subject + newline + body[: squashed.start()]
    if _SQUASH_SUBJECT.search(subject) and _SQUASH_BULLET.search(body):
        return subject
    return message


def statements(text: str, *, commit: bool = False) -> Iterator[Statement]:
    """The sentences of a description or commit message that could report work done:
    quoted text (`>` lines), code blocks, HTML comments and commit trailers left out."""
    text = _COMMENT.sub("", text.replace("\r\n", "\n"))
    if commit:
        text = _without_squashed(text)
    text = _blocks(text)
    section: Section = "plain"
    fence: str | None = None
    quoted = 0  # depth of open <blockquote> and <pre> elements
    for raw in text.split("\n"):
        stripped = raw.strip()
        opening = _FENCE.match(raw)
        if opening is not None:
            marker = opening.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None or not stripped or stripped.startswith(">"):
            continue
        # HTML quotes and preformatted blocks (release notes in dependency updates) quote
        # someone else's text, like `>` lines.
        opened = len(_QUOTE_OPEN.findall(stripped))
        closed = len(_QUOTE_CLOSE.findall(stripped))
        if quoted or opened:
            quoted = max(0, quoted + opened - closed)
            continue
        if commit and _TRAILER.match(stripped):
            continue
        summary = _SUMMARY.search(stripped)
        if summary is not None:
            section = _heading_kind(_clean(summary.group(1)))
            continue
        if re.match(r"</details>", stripped, re.IGNORECASE):
            section = "plain"
            continue
        heading = _HEADING.match(stripped) or _BOLD_HEADING.match(stripped)
        if heading is not None:
            section = _heading_kind(_clean(heading.group(1)))
            continue
        local = section
        item = False
        unchecked = False
        body = stripped
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?|", c) for c in cells):
                continue
            body = " - ".join(c for c in cells if c)
            item = True
        else:
            listed = _ITEM.match(raw)
            if listed is not None:
                item = True
                unchecked = listed.group("box") == " "
                body = listed.group("rest")
        body = _clean(body)
        if not body:
            continue
        if not item and not CONVENTIONAL.match(body):
            label = _LABEL.match(body)
            verb_label = label is not None and label.group(1).strip().lower() in words().verbs
            if label is not None and "`" not in label.group(1) and not verb_label:
                kind = _heading_kind(label.group(1))
                if not label.group(2):
                    section = kind  # "Files changed:" introduces the list below it
                    continue
                if kind in ("claims", "quiet", "tests"):
                    local = kind
                    body = label.group(2)
                    item = kind == "claims"
        for index, sentence in enumerate(_sentences(body)):
            yield Statement(sentence, local, item and index == 0, unchecked)
