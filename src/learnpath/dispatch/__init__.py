"""How work reaches a worker: in-process asyncio now, Celery in distributed mode."""
