"""`agentcheck diff --show-change`: the change as agentcheck read it, as JSON, for people
debugging a policy and for tests that check the reading of every git shape."""

from __future__ import annotations

import json
from typing import Any

from checker.model.change import ChangeSet, Line


def _lines(lines: tuple[Line, ...]) -> list[list[Any]]:
    return [[line.number, line.text] for line in lines]


def render_change(change: ChangeSet) -> str:
    document = {
        "kind": change.kind,
        "source": change.source,
        "base": change.base,
        "head": change.head,
        "files": [
            {
                "path": f.path,
                "old_path": f.old_path,
                "status": f.status,
                "binary": f.binary,
                "old_mode": f.old_mode,
                "new_mode": f.new_mode,
                "similarity": f.similarity,
                "undecodable": f.undecodable,
                "too_large": f.too_large,
                "added": _lines(f.added),
                "removed": _lines(f.removed),
            }
            for f in change.files
        ],
        "commits": [c._asdict() for c in change.commits],
        "pull_request": change.pull_request._asdict() if change.pull_request else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
