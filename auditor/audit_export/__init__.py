"""The quarterly audit export: assembly (`build`), canonical JSON and integrity
(`canonical`), checking (`verify`) and the Markdown summary (`summary`).

The document layout is a contract (DESIGN.md, docs/export.md) with a JSON
Schema shipped in `auditor/schemas/`.
"""
