"""The commands of the ``learnpath`` CLI by topic, assembled by :mod:`learnpath.cli`."""
