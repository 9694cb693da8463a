"""Pydantic models of the public contract (SPEC §2–§5)."""
