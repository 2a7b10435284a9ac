"""Opinion groups inferred from the votes, beside the declared working groups (docs/report.md)."""
