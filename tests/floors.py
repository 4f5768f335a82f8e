"""The lowest version each runtime dependency declares, as pip constraints (`name==floor`), for
this Python: what `.ci/run` installs to prove the floors true. Run as a script, it prints them."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement

PROJECT = Path(__file__).resolve().parents[1]


def _dependencies() -> list[str]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    with (PROJECT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def floors() -> dict[str, str]:
    """{distribution: its declared floor} for the dependencies this Python installs; a
    dependency without a `>=` floor is an error, since nothing would say what it needs."""
    found = {}
    for text in _dependencies():
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        lows = [s.version for s in requirement.specifier if s.operator in (">=", "==", "~=")]
        if len(lows) != 1:
            raise ValueError(f"{text!r} declares no single lower bound (>=)")
        found[requirement.name] = lows[0]
    return found


if __name__ == "__main__":
    print("\n".join(f"{name}=={version}" for name, version in floors().items()))
