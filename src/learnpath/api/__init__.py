"""The HTTP API (contract §4, §5, §9): FastAPI routes over the service layer."""
