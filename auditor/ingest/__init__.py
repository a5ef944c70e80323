"""Ingest: run the collectors and write their records into the store."""
