"""LLM access: one client (retries, limits, usage, structured-output repair) over providers."""
