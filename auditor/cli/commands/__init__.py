"""One module per command; each registers itself on `auditor.cli.common.app`."""
