"""Shared vocabulary and settings for every layer (corpus → ingest → index → assistant)."""
