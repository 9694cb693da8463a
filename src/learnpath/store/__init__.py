"""Persistence: SQLAlchemy 2 (async) tables, the database handle, repositories, migrations."""
