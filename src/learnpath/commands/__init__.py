"""Commands of the ``learnpath`` CLI that live outside ``cli.py``."""
