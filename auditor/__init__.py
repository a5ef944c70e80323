"""Supply-chain code-provenance auditor: who changes each component, and from where."""

__version__ = "0.1.0"
