"""The durable roadmap workflow: steps, content fan-out, recovery and cancellation."""
