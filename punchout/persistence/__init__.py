"""SQLAlchemy 2 models and database plumbing (SQLite by default, PostgreSQL in production)."""

# One metadata for every table: importing any persistence module registers them all (the order
# tables live in their own module, which imports the models; not the other way round).
from punchout.persistence import models as _models  # noqa: F401
from punchout.persistence import orders as _orders  # noqa: F401
