"""A condition the engine signals to itself, never to a front end (those are in
:mod:`learnpath.errors`)."""

from __future__ import annotations


class Superseded(Exception):
    """The task moved on (cancelled, or another worker advanced it): drop this result."""
