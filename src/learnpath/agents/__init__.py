"""Agents: a Jinja2 prompt, an input model, an output schema and pure post-processing each."""
