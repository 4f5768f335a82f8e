"""The claim reader's word lists (rules/claims.toml): change verbs, negations, headings that
mark a section as claims, background or tests, and the shapes of file names."""

from __future__ import annotations

import functools
from typing import NamedTuple

from checker.config import catalog


class Words(NamedTuple):
    verbs: frozenset[str]
    move_verbs: frozenset[str]
    create_verbs: frozenset[str]
    undo_verbs: frozenset[str]
    negations: frozenset[str]
    after_negations: frozenset[str]
    stops: frozenset[str]
    claim_headings: tuple[str, ...]
    quiet_headings: tuple[str, ...]
    test_headings: tuple[str, ...]
    purpose_verbs: frozenset[str]
    be_words: frozenset[str]
    object_nouns: frozenset[str]
    determiners: frozenset[str]
    general_predicates: frozenset[str]
    extensions: frozenset[str]
    names: frozenset[str]
    not_files: frozenset[str]


@functools.cache
def words() -> Words:
    data = catalog.table("claims")
    w, p = data["words"], data["paths"]
    return Words(
        frozenset(w["change-verbs"]),
        frozenset(w["move-verbs"]),
        frozenset(w["create-verbs"]),
        frozenset(w["undo-verbs"]),
        frozenset(w["negations"]),
        frozenset(w["after-negations"]),
        frozenset(w["stop-words"]),
        tuple(w["claim-headings"]),
        tuple(w["quiet-headings"]),
        tuple(w["test-headings"]),
        frozenset(w["purpose-verbs"]),
        frozenset(w["be-words"]),
        frozenset(w["object-nouns"]),
        frozenset(w["determiners"]),
        frozenset(w["general-predicates"]),
        frozenset(e.lower() for e in p["extensions"]),
        frozenset(p["names"]),
        frozenset(n.lower() for n in p["not-files"]),
    )
