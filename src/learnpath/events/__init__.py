"""Task events: the persisted log and live fan-out."""
