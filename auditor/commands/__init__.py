"""One module per command; each registers itself on `auditor.cliapp.app`."""
