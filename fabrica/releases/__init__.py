"""Releases (docs/desenvolvimento.md, "The release"): what a build produced, the PO's decision on
it,
the zip of its artefacts, real effort against the budget, and what a ``feature_ref`` names."""
