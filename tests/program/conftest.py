"""Programme fixtures: the store's two-backend ``db_url`` fixture is shared."""

from tests.store.conftest import db_url

__all__ = ["db_url"]
