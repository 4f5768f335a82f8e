"""Import boundaries: the edges a change adds (importer -> imported, per language) and the
contracts they may break (layers, forbidden, independence), declared in the agentcheck policy or
read from import-linter and tach configuration files."""
