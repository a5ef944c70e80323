"""Resolve: people from identities, their work jurisdictions with evidence, components from
paths and tracker mappings.
"""
