"""Thin Dagster wrappers: call the pure code, log, return metadata. No business logic here."""
