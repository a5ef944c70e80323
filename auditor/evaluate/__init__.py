"""Evaluate: the rules' read-only context and the analysis run."""
