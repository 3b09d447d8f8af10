"""A smaller corpus (issue 15, migration 0007): the stored analysis and text are compressed, the
units' text is UTF-16, the score has a column of its own; an older corpus is converted in place
and read the same. SQLite (bytes checked in the file) and PostgreSQL."""
from __future__ import annotations

import json
import sqlite3
import zlib

import pytest
from conftest import PG_URL, reset_pg, sample_text

from fazhi.corpus.store import open_corpus, report_values, resolve_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield resolve_url(tmp_path / "corpus.db")
        return
    reset_pg(PG_URL)
    yield PG_URL
    reset_pg(PG_URL)


def test_a_stored_report_reads_back_the_same(db_url, analyzed):
    report = analyzed("002")
    with open_corpus(db_url) as c:
        rid, _ = c.add(report)
        row = c.get(rid)
    want = json.loads(json.dumps(report_values(report)["analysis"]))
    assert row["text"] == report.text and row["analysis"] == want
    assert row["score_total"] == want["score"]["total"] > 0


def test_the_sqlite_file_holds_packed_bytes(tmp_path, analyzed):
    report = analyzed("001")
    db = tmp_path / "c.db"
    with open_corpus(db) as c:
        rid, _ = c.add(report)
    with sqlite3.connect(db) as conn:
        kind, raw, text_raw, score = conn.execute(
            "SELECT typeof(analysis), analysis, text, score_total FROM reports WHERE id = ?", (rid,)).fetchone()
        contents = conn.execute("SELECT start, \"end\", content FROM paragraphs WHERE report_id = ? ORDER BY seq",
                                (rid,)).fetchall()
    assert kind == "blob" and raw[:1] == b"z"
    plain = zlib.decompress(raw[1:]).decode("utf-8")
    assert "法治政府" in plain and "\\u" not in plain  # Chinese as UTF-8, not ASCII escapes
    assert len(raw) * 3 < len(plain.encode("utf-8"))  # the JSON text it replaces
    assert zlib.decompress(text_raw[1:]).decode("utf-8") == report.text
    assert score == json.loads(plain)["score"]["total"]
    assert contents and all(isinstance(b, bytes) for _s, _e, b in contents)
    for start, end, b in contents:  # a unit's content is the report's view of [start, end): same length
        assert len(b.decode("utf-16-le")) == end - start


def _old_corpus(url: str, body: str, analysis: str) -> None:
    """A corpus at revision 0006 (before packing) with one report and one paragraph, as it stored them."""
    from alembic import command
    from sqlalchemy import text as sql

    from fazhi.corpus.store import alembic_config, make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # as fazhi.corpus.database.upgrade runs them (table rebuilds)
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        command.upgrade(alembic_config(conn), "0006")
        conn.execute(sql("INSERT INTO reports (sha256, path, unit_key, body_chars, engine_version, added_at, "
                         "analyzed_at, text, analysis) VALUES ('ab', 'a.txt', 'u', 1, '0', '2024-01-01', "
                         "'2024-01-01', :t, :a)"), {"t": body, "a": analysis})
        rid = conn.execute(sql("SELECT id FROM reports")).scalar_one()
        conn.execute(sql("INSERT INTO paragraphs (report_id, seq, level, start, \"end\", nchars, text_hash, content) "
                         "VALUES (:r, 0, 0, 0, 12, 10, 7, :c)"), {"r": rid, "c": body[:12]})
        conn.commit()
    engine.dispose()


def test_an_older_corpus_is_packed_when_opened(db_url):
    body = sample_text("003")
    analysis = {"body": {"start": 0, "end": len(body)}, "score": {"total": 71.5, "items": []},
                "findings": [{"rule": "part-missing", "message": "缺少法定内容“存在的不足和原因”"}]}
    _old_corpus(db_url, body, json.dumps(analysis))
    with open_corpus(db_url) as c:
        [row] = c.rows(("id", "text", "analysis", "score_total"))
        with c.engine.connect() as conn:
            from sqlalchemy import text as sql

            content = conn.execute(sql("SELECT content FROM paragraphs")).scalar_one()
    assert row["text"] == body and row["analysis"] == analysis and row["score_total"] == 71.5
    assert bytes(content).decode("utf-16-le") == body[:12]


def test_upgrading_a_sqlite_corpus_gives_the_space_back(tmp_path):
    """0007 rewrites the largest columns; the file is vacuumed after, so it does not keep the old pages."""
    import os

    url = resolve_url(tmp_path / "old.db")
    body = sample_text("000") * 3
    # an analysis as large as real ones (findings with long Chinese messages)
    analysis = {"findings": [{"rule": f"r{i}", "message": body[i * 50:i * 50 + 200]} for i in range(150)],
                "score": {"total": 80}}
    _old_corpus(url, body, json.dumps(analysis))
    path = tmp_path / "old.db"
    before = os.path.getsize(path)
    open_corpus(url).close()
    assert os.path.getsize(path) < before
