"""Seed events as NDJSON, one file per source article; ``tidings seed`` loads them."""
