"""The corpus database on SQLite and (when FAZHI_TEST_PG_URL is set) PostgreSQL."""
from __future__ import annotations


import pytest
from conftest import PG_URL, reset_pg, sample_path

from fazhi.corpus.store import open_corpus, resolve_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'corpus.db'}"
        return
    reset_pg(PG_URL)
    yield PG_URL
    reset_pg(PG_URL)


@pytest.fixture
def corpus(db_url):
    c = open_corpus(db_url)
    yield c
    c.close()


def _counts(corpus) -> tuple[int, int, int]:
    from sqlalchemy import text

    with corpus.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                     for t in ("reports", "paragraphs", "band_keys"))


def _indexed_bands(corpus, report) -> int:
    """Band rows a report gets: one per band of each unit the index plan keeps (fazhi.corpus.candidates)."""
    from fazhi.corpus.candidates import index_plan
    from fazhi.corpus.fingerprint import report_units

    plan = index_plan(report_units(report, corpus.params))
    assert sum(1 for keys in plan if keys) > 0.9 * len(plan)  # a normal report: nearly every unit indexed
    return sum(len(keys) for keys in plan)


def test_add_is_idempotent_by_content(corpus, analyzed):
    rid, added = corpus.add(analyzed("000"))
    assert added and corpus.size() == 1
    before = _counts(corpus)
    assert before[1] > 20 and before[2] == _indexed_bands(corpus, analyzed("000"))
    again, added_again = corpus.add(analyzed("000"))
    assert (again, added_again) == (rid, False)
    assert _counts(corpus) == before


def test_stored_report_round_trips_metadata_and_text(corpus, analyzed):
    report = analyzed("003")
    rid, _ = corpus.add(report)
    row = corpus.get(rid)
    assert row["issuer"] == report.metadata.issuer and row["report_year"] == 2021
    assert row["text"] == report.text
    d = corpus.report_dict(rid)
    assert d["text"] == report.text and d["metadata"]["place"]["town"] == "古溪镇"
    assert d["outline"] == report.to_dict()["outline"]


def test_remove_deletes_paragraphs_and_bands(corpus, analyzed):
    a, _ = corpus.add(analyzed("000"))
    b, _ = corpus.add(analyzed("002"))
    kept = corpus.paragraph_count(b)
    assert corpus.remove(a) and not corpus.remove(a)
    r, p, bands = _counts(corpus)
    assert (r, p, bands) == (1, kept, _indexed_bands(corpus, analyzed("002")))


def test_reanalyze_updates_stale_reports_only(corpus, analyzed):
    from sqlalchemy import update

    from fazhi.corpus.models import ReportRow

    a, _ = corpus.add(analyzed("000"))
    b, _ = corpus.add(analyzed("004"))
    assert corpus.stale() == []
    with corpus.engine.begin() as conn:
        conn.execute(update(ReportRow).where(ReportRow.id == a).values(engine_version="0.0.1", issuer=None))
    assert [r["id"] for r in corpus.stale()] == [a]
    units = corpus.paragraph_count(a)
    corpus.reanalyze(a)
    assert corpus.stale() == []
    assert corpus.get(a)["issuer"] == "中共蓬溪县红江镇委员会"
    assert corpus.paragraph_count(a) == units
    assert _counts(corpus)[0] == 2


def test_reanalyze_from_stored_text_when_file_is_gone(corpus, tmp_path):
    import fazhi

    copy = tmp_path / "gone.txt"
    copy.write_bytes(sample_path("002").read_bytes())
    rid, _ = corpus.add(fazhi.analyze(copy))
    copy.unlink()
    report = corpus.reanalyze(rid)
    assert report.metadata.report_year == 2024
    assert corpus.get(rid)["sha256"] == report.source.sha256


def test_migrations_match_models(db_url):
    """The Alembic head schema is what the models declare (no autogenerate diff)."""
    from alembic.migration import MigrationContext
    from alembic.autogenerate import compare_metadata

    from fazhi.schema import metadata

    c = open_corpus(db_url)
    with c.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    c.close()
    from alembic.script import ScriptDirectory

    from fazhi.corpus.store import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert diff == [] and version == head and head >= "0002"
    open_corpus(db_url).close()  # re-opening an up-to-date database is a no-op


def test_resolve_url_accepts_paths_and_urls(tmp_path):
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("sqlite:///fazhi.db") == "sqlite:///fazhi.db"


def test_opening_a_missing_database_without_create_fails_clearly(tmp_path):
    from fazhi.errors import FazhiError

    with pytest.raises(FazhiError, match="语料库不存在"):
        open_corpus(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


# ---------------------------------------------------------------- one report, many formats


@pytest.fixture(scope="module")
def one_report_four_formats(tmp_path_factory):
    """Sample 004 as .txt, .docx, .html and the .pdf LibreOffice makes of the .docx."""
    from make_files import make_paged_docx, seed_paragraphs, to_pdf, write_scorer_html

    from conftest import sample_text

    d = tmp_path_factory.mktemp("formats")
    txt = d / "report.txt"
    txt.write_text(sample_text("004"), encoding="utf-8")
    docx = make_paged_docx(d / "report.docx", seed_paragraphs("004"))
    html = write_scorer_html(d / "report.html", sample_text("004"))
    pdf = to_pdf(docx, d, d / "profile")
    return [txt, docx, html, pdf]


@pytest.mark.needs("soffice")
def test_same_report_in_four_formats_is_stored_once(db_url, one_report_four_formats, capsys):
    from fazhi.corpus.cli import main as corpus_main
    from fazhi.corpus.copies import match_report
    from fazhi.pipeline import analyze

    db = db_url
    assert corpus_main(["add", *map(str, one_report_four_formats), "--db", db]) == 0
    assert "新入库 1 份，已存在跳过 3 份，失败 0 份" in capsys.readouterr().err
    with open_corpus(db) as c:
        assert c.size() == 1
        [row] = c.rows(("id", "format", "text_key"))
        assert row["format"] == "txt" and len(row["text_key"]) == 64
        for f in one_report_four_formats[1:]:
            report = analyze(f)
            assert c.add(report) == (row["id"], False)
            assert match_report(c, report) == []  # the stored version is the report itself, not a copy


def test_one_batch_stores_each_report_once_in_file_order(corpus, tmp_path):
    """A batch of a build (fazhi.corpus.batch.add_prepared, the reports inserted in one statement):
    the same file twice and the same text in another encoding are stored once, as the first of
    them; new reports get ascending ids in the order of the files, and each file's result names
    the report it is."""
    from fazhi.corpus.batch import PrepareOptions, add_prepared, prepare_file

    from conftest import sample_text

    a, b, a_gbk = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "a-gbk.txt"
    a.write_text(sample_text("001"), encoding="utf-8")
    b.write_text(sample_text("003"), encoding="utf-8")
    a_gbk.write_text(sample_text("001"), encoding="gb18030")
    opts = PrepareOptions(None, corpus.params.to_dict(), 50 << 20, False, prematch=False, deferred=True)
    got = add_prepared(corpus, [prepare_file(str(f), opts) for f in (a, a, b, a_gbk)], match=False)
    (ia, new_a), (ia2, again), (ib, new_b), (ia3, gbk) = got
    assert (new_a, again, new_b, gbk) == (True, False, True, False)
    assert ia == ia2 == ia3 and ib > ia and corpus.size() == 2
    rows = {r["id"]: r for r in corpus.rows(("id", "path", "sha256"))}
    assert rows[ia]["path"].endswith("a.txt") and rows[ib]["path"].endswith("b.txt")
    assert add_prepared(corpus, [prepare_file(str(f), opts) for f in (b, a_gbk)], match=False) == [
        (ib, False), (ia, False)]  # a later batch finds them stored


def test_text_key_ignores_layout_and_script_but_not_content():
    from fazhi.corpus.store import text_key
    from conftest import sample_text

    text = sample_text("003")
    key = text_key(text)
    assert text_key(text.replace("\n", "\r\n").replace("，", ", ")) == key
    import opencc

    assert text_key(opencc.OpenCC("s2t").convert(text)) == key  # traditional script, same report
    assert text_key(text.replace("2021", "2022", 1)) != key
    assert text_key("一、总体情况") is None  # too little text to call two files one report


def test_migration_fills_text_key_of_stored_reports(tmp_path):
    from alembic import command
    from sqlalchemy import text as sql

    from conftest import sample_text
    from fazhi.corpus.store import alembic_config, make_engine, resolve_url, text_key

    url = resolve_url(tmp_path / "old.db")
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
        body = sample_text("000")
        conn.execute(sql("INSERT INTO reports (sha256, path, unit_key, body_chars, engine_version, added_at, "
                         "analyzed_at, text, analysis) VALUES ('ab', 'a.txt', 'u', 1, '0', '2024-01-01', "
                         "'2024-01-01', :t, :a)"), {"t": body, "a": '{"body": {"start": 0, "end": %d}}' % len(body)})
    engine.dispose()
    with open_corpus(url) as c:
        [row] = c.rows(("id", "text_key"))
    assert row["text_key"] == text_key(body)
