"""Alembic migrations of the hipwise store, packaged with hipwise (script location
``hipwise:migrations``). Run them with ``hipwise db upgrade`` or let :class:`hipwise.store.Store`
run them on open. ``env.py`` is Alembic's script and only runs under Alembic.
"""
