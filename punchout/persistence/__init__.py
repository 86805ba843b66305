"""SQLAlchemy 2 models and database plumbing (SQLite by default, PostgreSQL in production)."""
