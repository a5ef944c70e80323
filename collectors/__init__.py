"""Collectors: each reads one kind of source and yields plain records (see interface.py)."""
