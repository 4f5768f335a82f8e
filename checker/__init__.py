"""agentcheck: checks changes written by coding agents against the team's declared process."""

__version__ = "0.1.0"
