"""The Textual front end: `make_app` in `tui.app` builds the application.

Only this package imports `textual`; it reads the store through `auditor.views`.
"""
