"""Alembic environment for the hipwise store.

The store passes an open connection (inside a transaction) as ``config.attributes["connection"]``;
without one (plain ``alembic`` use) an engine is built from ``sqlalchemy.url``. SQLite runs in
batch mode so ALTERs work.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from hipwise.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Run the migrations Alembic asked for, online (offline SQL scripts are not supported)."""
    if context.is_offline_mode():
        raise RuntimeError("hipwise migrations run online only")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


# Alembic executes this file as a script; importing it as a module does nothing.
if __name__ != "hipwise.migrations.env":
    run_migrations()
