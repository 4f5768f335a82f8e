"""The one error type agentcheck raises on purpose; the CLI turns it into exit status 2."""

from __future__ import annotations


class FatalError(Exception):
    """Bad input, configuration or git state: reported as one paragraph, exit status 2."""


def missing_dependency(exc: BaseException) -> str | None:
    """When EXC is a failed import of a module from outside agentcheck and the standard library
    (a dependency missing, too old or broken in this Python), the one-paragraph message that
    says which and how to reinstall; None for anything else, which is a bug."""
    import sys
    from pathlib import Path

    if not isinstance(exc, ImportError) or not exc.name:
        return None
    top = exc.name.partition(".")[0]
    if top == "checker" or top in sys.stdlib_module_names:
        return None
    python = sys.executable or "python3"
    clone = Path(__file__).resolve().parents[2]
    if (clone / "pyproject.toml").is_file() and (clone / "checker").is_dir():
        how = f"`{python} -m pip install --force-reinstall {clone}` (the clone it runs from)"
    else:
        how = (
            f"`{python} -m pip install --force-reinstall agent-change-check`, or from a clone "
            f"of agentcheck's repository, `{python} -m pip install --force-reinstall .`"
        )
    return (
        f"agentcheck cannot import the module {exc.name!r} it depends on ({type(exc).__name__}: "
        f"{exc}): a dependency is missing or broken in the Python that runs it ({python}). "
        f"Reinstall agentcheck with its dependencies: {how}."
    )
