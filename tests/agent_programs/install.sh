#!/usr/bin/env bash
# The real agent programs the tests in this folder drive, at the versions they were written
# against, from the npm registry into the user's cache folder (never into the repository).
# Override the folder with AGENTCHECK_AGENTS_DIR.
set -euo pipefail
dir="${AGENTCHECK_AGENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentcheck-agents}"
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"private": true}\n' > package.json
npm install --no-audit --no-fund --loglevel=error \
    @anthropic-ai/claude-code@2.1.328 @openai/codex@0.169.0 @google/gemini-cli@0.61.0
