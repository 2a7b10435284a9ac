"""Per-vote exports of a paper version or a consultation in the Pol.is export shape (docs/exports.md)."""
