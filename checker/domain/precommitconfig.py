"""Whether an edit of .pre-commit-config.yaml only sets agentcheck up: its head is its base
plus agentcheck's own hook entries (and the `repos:` and `default_install_hook_types` keys
such an entry needs where the base had none). Read from the block YAML pre-commit's own
documentation writes; any other shape (flow style, anchors) is not recognised, and the edit
stays a protected-path change."""

from __future__ import annotations

import re

# The ids of .pre-commit-hooks.yaml: a hook that runs agentcheck and nothing else.
HOOK_IDS = frozenset({"agentcheck", "agentcheck-push", "agentcheck-msg", "agentcheck-unicode"})
# Keys of a hook entry that only choose when and on what agentcheck runs. `entry`, `language`
# and `additional_dependencies` would run other code, so a remote entry with them is not
# agentcheck's; a local entry must run the installed `agentcheck` command.
_LOCAL_LANGUAGES = frozenset({"system", "unsupported"})
_ITEM = re.compile(r"^(?P<indent> *)- +(?P<key>[A-Za-z_]+):(?P<value>.*)$")
_KEY = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[A-Za-z_]+):(?P<value>.*)$")
_SETUP_KEYS = ("repos", "default_install_hook_types")


def _content(text: str) -> list[str]:
    """The lines that carry YAML, right-trimmed: no blank lines, no comment lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _scalar(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    return value.strip("'\"")


def _block(lines: list[str], start: int) -> int:
    """The end (exclusive) of the item or key starting at START: the lines indented deeper."""
    depth = _indent(lines[start])
    end = start + 1
    while end < len(lines) and _indent(lines[end]) > depth:
        end += 1
    return end


def _is_agentcheck_repo(block: list[str]) -> bool:
    """A `- repo:` item whose every hook is agentcheck's: the repository named agentcheck with
    hooks chosen by id, or `local` hooks whose entry is the agentcheck command."""
    url = _scalar(_ITEM.match(block[0])["value"])  # type: ignore[index]
    local = url == "local"
    name = url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    if not local and name != "agentcheck":
        return False
    hooks = 0
    for line in block[1:]:
        found = _KEY.match(line)
        if found is None:
            continue
        key, value = found["key"], _scalar(found["value"])
        hooks += key == "id"
        if not _runs_agentcheck(key, value, local):
            return False
    return hooks > 0


def _runs_agentcheck(key: str, value: str, local: bool) -> bool:
    """Whether a hook entry's KEY: VALUE keeps it running agentcheck and nothing else."""
    if key == "id":
        return local or value in HOOK_IDS
    if key == "entry":
        return local and value.split()[:1] == ["agentcheck"]
    if key == "language":
        return local and value in _LOCAL_LANGUAGES
    return key not in ("additional_dependencies", "repo")


def _without_agentcheck(lines: list[str]) -> list[str]:
    kept: list[str] = []
    at = 0
    while at < len(lines):
        item = _ITEM.match(lines[at])
        if item is not None and item["key"] == "repo":
            end = _block(lines, at)
            if not _is_agentcheck_repo(lines[at:end]):
                kept.extend(lines[at:end])
            at = end
            continue
        kept.append(lines[at])
        at += 1
    return kept


def _top_level(lines: list[str]) -> set[str]:
    return {m["key"] for m in map(_KEY.match, lines) if m is not None and not m["indent"]}


def _drop_keys(lines: list[str], keys: set[str]) -> list[str]:
    kept: list[str] = []
    at = 0
    while at < len(lines):
        found = _KEY.match(lines[at])
        if found is not None and not found["indent"] and found["key"] in keys:
            # `repos:` keeps its items (judged above); the other key goes with its value.
            at = at + 1 if found["key"] == "repos" else _block(lines, at)
            continue
        kept.append(lines[at])
        at += 1
    return kept


def only_adds_agentcheck(base: str | None, head: str) -> bool:
    """True when HEAD is BASE (None: no file) with agentcheck's hook entries added, where BASE
    had none: setting agentcheck up. Changing a hook agentcheck already has is not."""
    before = _content(base or "")
    after = _content(head)
    if _without_agentcheck(before) != before:
        return False  # agentcheck was set up already: this edit changes its hooks
    stripped = _without_agentcheck(after)
    if stripped == after:
        return False  # no agentcheck hook added
    new_keys = {k for k in _SETUP_KEYS if k not in _top_level(before)}
    return _drop_keys(stripped, new_keys) == before
