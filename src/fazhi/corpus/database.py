"""The corpus database underneath `fazhi.corpus.store`: URLs, engines, schema migration and what a
database failure means in one Chinese line.

Migrations are safe when several processes open a new database at once (three `fazhi corpus add`
started together): the database is migrated under a lock — SQLite: one `BEGIN IMMEDIATE`
transaction around the whole upgrade (foreign keys off, checked before commit); PostgreSQL: a
transaction-level advisory lock — and whoever comes second finds the schema at head and does
nothing. An up-to-date database is never written to on open, so a read-only store can be read.
"""
from __future__ import annotations

import json
import os
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

from fazhi.errors import FazhiError

DEFAULT_URL = "sqlite:///fazhi.db"
ENV_URL = "FAZHI_DB"
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+]*://", re.I)
MIGRATION_LOCK = 0x66617A6869  # "fazhi": the PostgreSQL advisory lock key of schema migration
MATCH_LOCK = 0x66617A6863  # serialises the last step of storing copy matches (fazhi.corpus.matchstore)
LOCK_WAIT_S = 600.0  # how long a second process waits for another one's migration


class StoreError(FazhiError):
    """The database cannot go on (disk full, read-only, unreachable, not a database): stop the run."""


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """A SQLAlchemy URL from a URL, a file path (SQLite) or None ($FAZHI_DB, else ./fazhi.db)."""
    db = str(db) if db is not None else os.environ.get(ENV_URL) or DEFAULT_URL
    if _URL_SCHEME.match(db) or db.startswith("sqlite:"):
        if db.startswith("postgresql://") or db.startswith("postgres://"):
            return "postgresql+psycopg://" + db.split("://", 1)[1]  # psycopg 3, not psycopg2
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///:memory:",):
        return None
    raw = url[len("sqlite:///"):]
    if raw.startswith("file:"):
        raw = raw[len("file:"):].split("?", 1)[0]
    return Path(raw)


def read_only_url(url: str) -> str | None:
    """For an existing SQLite file in a folder this process cannot write: a read-only URL that
    needs no write anywhere (WAL files included). None when the file can be opened normally."""
    path = sqlite_path(url)
    if path is None or not path.is_file() or os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
        return None
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:  # committed pages still in the log: SQLite must read it
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    return f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"


def make_engine(url: str):
    """An Engine; for SQLite: WAL journal, foreign keys on, a busy timeout; ':memory:' kept on one connection."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import StaticPool

    dumps = lambda o: json.dumps(o, ensure_ascii=False)  # noqa: E731
    if not url.startswith("sqlite"):
        return create_engine(url, json_serializer=dumps, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    read_only = "mode=ro" in url
    kw: dict[str, Any] = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}} if memory else {}
    engine = create_engine(url, json_serializer=dumps, **kw)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        if not memory and not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA cache_size=-262144")  # 256 MB page cache: band index inserts stay in memory
            cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    return engine


def alembic_config(connection=None):
    """Alembic Config pointing at the migrations shipped in this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine) -> str | None:
    """The database's schema revision (None: no schema yet). Reads only."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine) -> None:
    """Bring the schema to the newest migration (creates it in an empty database), under a lock."""
    before = current_revision(engine)
    if before == head_revision():
        return
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine)
        if before is not None and before < "0007":
            _vacuum(engine)
    elif engine.dialect.name == "postgresql":
        _upgrade_postgresql(engine)
    else:
        from alembic import command

        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")


def _upgrade_sqlite(engine) -> None:
    """The whole upgrade in one BEGIN IMMEDIATE transaction with foreign keys off (table rebuilds
    must not cascade), foreign keys checked before the commit. A second process waits for the lock."""
    from alembic import command

    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no transaction is open yet: the pragma applies
        try:
            _begin_immediate(conn)
            try:
                command.upgrade(alembic_config(conn), "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(f"数据库迁移后发现 {len(broken)} 处外键不一致（表 {broken[0][0]}），已撤销迁移")
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _vacuum(engine) -> None:
    """Give back the pages an upgrade freed (0007 packs the largest columns: the file shrinks by
    about 40 %). Needs free disk as large as the file; without it the file just stays as large."""
    from sqlalchemy.exc import OperationalError

    with engine.connect() as conn:
        try:
            conn.exec_driver_sql("VACUUM")
        except OperationalError:
            pass


def _begin_immediate(conn) -> None:
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            conn.rollback()
            time.sleep(0.2)


def _upgrade_postgresql(engine) -> None:
    from alembic import command

    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        command.upgrade(alembic_config(conn), "head")


def lock_matches(conn) -> None:
    """Serialise storing copy matches between writers (PostgreSQL; a SQLite writer holds the
    database's write lock already)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MATCH_LOCK})")


# ---------------------------------------------------------------- failures
_FAILURES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("database or disk is full", "no space left", "could not extend file", "disk full", "53100"),
     "磁盘已满，数据库无法写入"),
    (("readonly database", "read-only file system", "read only", "25006", "readonly"),
     "数据库只读，无法写入"),
    (("file is not a database", "not a database", "database disk image is malformed"),
     "不是数据库文件或数据库已损坏"),
    (("unable to open database file",), "无法打开数据库文件（路径不存在或无权访问）"),
    (("password authentication failed", "28p01", "28000", "3d000", "fatal:  database", "fatal:  role"),
     "数据库拒绝连接（账号或数据库名有误）"),
    (("could not connect", "connection refused", "connection to server", "server closed the connection",
      "name or service not known", "could not translate host name", "timeout expired", "08001", "08006"),
     "无法连接数据库服务器"),
    (("database is locked",), "数据库被其他程序长时间占用"),
)


def store_error(exc: BaseException) -> str | None:
    """What a database failure means, in Chinese, when it stops every further write (disk full,
    read-only, unreachable, not a database ...); None for any other error."""
    if isinstance(exc, StoreError):
        return str(exc)
    orig = getattr(exc, "orig", None) or exc
    text = f"{orig} {getattr(orig, 'sqlstate', '') or ''}".lower()
    if isinstance(orig, OSError) and getattr(orig, "errno", None) == 28:
        return _FAILURES[0][1]
    for needles, reason in _FAILURES:
        if any(n in text for n in needles):
            return reason
    return None


def failure_line(exc: BaseException) -> str:
    """One Chinese line for any error met while opening or using a store (never a class name alone)."""
    if isinstance(exc, FazhiError) and not isinstance(exc, StoreError):
        return str(exc)
    return store_error(exc) or "数据库出错，无法继续"
