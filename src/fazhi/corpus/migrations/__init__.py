"""Alembic migrations of the corpus database, run programmatically by `fazhi.corpus.store.open_corpus`."""
