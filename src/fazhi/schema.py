"""Every table of a fazhi database on one metadata: the corpus tables (fazhi.corpus.models) and
the office's cycle tables (fazhi.cycle.models, fazhi.cycle.models_office). The one module that
knows both, so neither package imports the other's models: the cycle's tables build on the
corpus' `Base`, and whoever needs the whole schema (Alembic, `memory_corpus`) asks here."""
from __future__ import annotations


def metadata():
    """The `MetaData` holding every table (imports the model modules once)."""
    import fazhi.cycle.models  # noqa: F401  (registers units, users, ... and the office tables)
    from fazhi.corpus.models import Base

    return Base.metadata
