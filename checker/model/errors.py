"""The one error type agentcheck raises on purpose; the CLI turns it into exit status 2."""

from __future__ import annotations


class FatalError(Exception):
    """Bad input, configuration or git state: reported as one paragraph, exit status 2."""
