"""The rule catalog and its data tables, as TOML (read by checker.catalog)."""
