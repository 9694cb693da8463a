"""Pydantic models of the public contract (contract §2–§5)."""
