"""pandas and Dask tables of a real corpus (fazhi.corpus.frames), Parquet datasets, and the README's
researcher example run against a corpus built as the README builds it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from conftest import PG_URL, SAMPLES, reset_pg
from test_readme import missing_lines

import fazhi
from fazhi.corpus import frames
from fazhi.corpus.store import open_corpus
from fazhi.corpus.tables import corpus_table
from fazhi.errors import FazhiError

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## 研究者：用 pandas 读报告库"
PER_REPORT = ("indicators", "areas", "scores", "findings", "reports")
ALL = (*PER_REPORT, "findings-long")
N_SYNTH = 24


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """A SQLite corpus of synthetic reports (four years, many units) and the five samples."""
    from fazhi.corpus.synth import generate

    tmp = tmp_path_factory.mktemp("frames")
    generate(N_SYNTH, tmp / "reports", seed=7)
    with open_corpus(tmp / "c.db") as c:
        for p in [*sorted((tmp / "reports").glob("*.txt")), *sorted(SAMPLES.glob("*.txt"))]:
            c.add(fazhi.analyze(p))
        yield c


def plain(df: pd.DataFrame) -> list[list]:
    """A frame's cells as Python values, <NA> as None (to compare with a fazhi.corpus.tables.Table)."""
    return df.astype(object).where(df.notna(), None).values.tolist()


# ------------------------------------------------------------------ whole tables
def test_open_corpus_is_fazhi_open_corpus_and_import_stays_light():
    from fazhi.corpus import open_corpus as from_corpus

    assert fazhi.open_corpus is from_corpus
    code = "import sys, fazhi; print(sorted(m for m in ('pandas', 'dask', 'sqlalchemy', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("kind", PER_REPORT)
def test_one_row_per_report_with_the_corpus_identity(synth, kind):
    df = synth.table(kind)
    rows = synth.rows(("id", "issuer", "report_year", "level", "path"))
    assert len(df) == synth.size() == N_SYNTH + 5
    assert plain(df[["id", "issuer", "report_year", "level", "path"]]) == [list(r.values()) for r in rows]
    assert list(df.index) == list(range(len(df)))


@pytest.mark.parametrize("kind", ["indicators", "areas", "scores", "findings", "findings-long"])
@pytest.mark.parametrize("agg", ["first", "count"])
def test_cells_and_headers_are_those_of_corpus_table(synth, kind, agg):
    t = corpus_table(synth, kind, agg=agg)
    assert plain(synth.table(kind, agg=agg)) == t.rows
    assert list(synth.table(kind, agg=agg)) == t.keys
    assert list(synth.table(kind, agg=agg, headers="zh")) == t.columns


def test_a_known_indicator_of_a_known_sample(synth):
    ind = synth.table("indicators", headers="zh")
    hongjiang = ind[ind["文件"].str.contains("000_") & (ind["年度"] == 2023)]
    assert hongjiang["矛盾纠纷排查调处数（件）"].tolist() == [237]
    assert ind["指标总数"].dtype == "Int64" and ind["矛盾纠纷排查调处数（件）"].dtype == "Float64"


def test_dtypes_are_fixed_and_nullable(synth):
    s = synth.table("scores")
    assert (s["id"].dtype, s["total"].dtype, s["capped"].dtype, s["issuer"].dtype) == \
        ("Int64", "Float64", "boolean", pd.StringDtype())
    assert s["capped_by"].isna().any() and not s["capped_by"].dropna().empty  # empty cells are <NA>
    r = synth.table("reports")
    assert "text" not in r and "analysis" not in r
    assert str(r["added_at"].dtype).startswith("datetime64") and r["body_chars"].dtype == "Int64"
    assert list(synth.table("reports", headers="zh"))[:4] == ["编号", "单位", "年度", "层级"]


def test_year_and_level_select_reports(synth):
    df = synth.table("scores", year=2022)
    assert len(df) > 0 and set(df["report_year"]) == {2022}
    assert df["id"].tolist() == [r["id"] for r in synth.rows(("id",), report_year=2022)]
    assert synth.table("findings", level="没有这一层级").empty


# ------------------------------------------------------------------ chunks
@pytest.mark.parametrize("kind", ALL)
@pytest.mark.parametrize("headers", ["keys", "zh"])
def test_chunks_put_together_are_the_whole_table(synth, kind, headers):
    whole = synth.table(kind, headers=headers)
    chunks = list(synth.table(kind, chunksize=5, headers=headers))
    assert len(chunks) == -(-synth.size() // 5)
    assert all(list(c) == list(whole) and list(c.dtypes) == list(whole.dtypes) for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)


def test_chunk_columns_cover_what_the_chunk_itself_lacks(synth):
    """A rule only some reports have is a column of every chunk: 0 where a chunk has none of it."""
    whole = synth.table("findings")
    rare = min((c for c in whole if c.startswith("rule:")), key=lambda c: (whole[c] > 0).sum())
    chunks = list(synth.table("findings", chunksize=3))
    assert any((c[rare] == 0).all() for c in chunks) and all(rare in c for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    for agg in ("first", "max", "sum", "count"):
        pd.testing.assert_frame_equal(pd.concat(synth.table("indicators", agg=agg, chunksize=4)),
                                      synth.table("indicators", agg=agg))


def test_bad_arguments_are_one_chinese_line(synth):
    for kwargs, words in [({"kind": "tables"}, "未知的表格类型"), ({"kind": "scores", "agg": "mean"}, "未知的汇总方式"),
                          ({"kind": "scores", "headers": "en"}, "未知的列名方式"),
                          ({"kind": "scores", "chunksize": 0}, "正整数")]:
        with pytest.raises(FazhiError, match=words):
            synth.table(**kwargs)
    with pytest.raises(FazhiError, match="无法按“nope”分区"):
        synth.to_parquet(Path("/nonexistent/never-written"), partition_by="nope")


# ------------------------------------------------------------------ Parquet
def test_to_parquet_round_trips_per_year(synth, tmp_path):
    paths = synth.to_parquet(tmp_path / "out", chunksize=7)
    assert sorted(paths) == sorted(frames.KINDS_ALL)
    years = sorted(synth.table("reports")["report_year"].unique())
    for kind, path in paths.items():
        assert path == tmp_path / "out" / kind
        assert sorted(p.name for p in path.iterdir()) == sorted(f"year={y}" for y in years)
        whole = synth.table(kind)
        data = ds.dataset(path, partitioning="hive")
        for y in years:
            got = data.to_table(filter=ds.field("year") == y).drop_columns(["year"]).to_pandas()
            sort = ["id", "seq"] if kind == "findings-long" else ["id"]
            want = whole[whole["report_year"] == y].sort_values(sort).reset_index(drop=True)
            pd.testing.assert_frame_equal(got.sort_values(sort).reset_index(drop=True), want)
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []


def test_reports_without_a_year_and_a_rewrite_in_place(tmp_path, analyzed):
    from sqlalchemy import update

    from fazhi.corpus.models import ReportRow

    with open_corpus(tmp_path / "c.db") as c:
        for p in ("000", "002", "004"):
            c.add(analyzed(p))
        with c.engine.begin() as conn:
            conn.execute(update(ReportRow).where(ReportRow.id == 2).values(report_year=None))
        first = c.to_parquet(tmp_path / "out", ["scores"], partition_by=None)["scores"]
        assert [p.name for p in first.iterdir()] == ["part-0.parquet"]
        path = c.to_parquet(tmp_path / "out", ["scores", "findings-long"])["scores"]
        assert path == first and sorted(p.name for p in path.iterdir()) == \
            ["year=2019", "year=2023", f"year={frames.NULL_PARTITION}"]
        back = ds.dataset(path, partitioning="hive").to_table().to_pandas()
        assert back.loc[back["id"] == 2, "year"].isna().all() and back.loc[back["id"] == 2, "report_year"].isna().all()
        by_level = c.to_parquet(tmp_path / "lv", ["reports"], partition_by="level", headers="zh")["reports"]
        assert sorted(p.name for p in by_level.iterdir()) == ["level=乡镇街道"]
        assert "编号" in ds.dataset(by_level, partitioning="hive").schema.names
        with c.engine.begin() as conn:  # a value a folder name cannot hold as it is
            conn.execute(update(ReportRow).where(ReportRow.id == 1).values(issuer="某县/某镇=试点%"))
        by_issuer = c.to_parquet(tmp_path / "is", ["scores"], partition_by="issuer")["scores"]
        assert "issuer=某县%2F某镇%3D试点%25" in [p.name for p in by_issuer.iterdir()]
        back = ds.dataset(by_issuer, partitioning="hive").to_table().to_pandas().sort_values("id")
        assert back["issuer"].tolist() == c.table("scores")["issuer"].tolist()
        assert back["issuer"].tolist()[0] == "某县/某镇=试点%"


def test_an_interrupted_export_leaves_the_dataset_that_was_there(tmp_path, analyzed, monkeypatch):
    with open_corpus(tmp_path / "c.db") as c:
        c.add(analyzed("000"))
        c.add(analyzed("001"))
        old = c.to_parquet(tmp_path / "out", ["findings"])["findings"]
        before = sorted(str(p.relative_to(old)) for p in old.rglob("*"))
        real = frames.iter_frames

        def stops_after_one(*args, **kwargs):
            yield next(real(*args, **kwargs))
            raise KeyboardInterrupt  # Ctrl-C in the middle of the export

        monkeypatch.setattr(frames, "iter_frames", stops_after_one)
        with pytest.raises(KeyboardInterrupt):
            c.to_parquet(tmp_path / "out", ["findings"], chunksize=1)
    assert sorted(str(p.relative_to(old)) for p in old.rglob("*")) == before
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["findings"]
    assert len(ds.dataset(old, partitioning="hive").to_table()) == 2


# ------------------------------------------------------------------ Dask
@pytest.mark.parametrize("kind", ALL)
def test_dask_table_computes_to_the_same_frame(synth, kind):
    import dask

    with dask.config.set(scheduler="synchronous"):
        ddf = synth.dask_table(kind, chunksize=6)
        assert ddf.npartitions == -(-synth.size() // 6)
        got = ddf.compute()
    whole = synth.table(kind)
    if kind == "findings-long":  # partitions each index from 0
        got, whole = got.reset_index(drop=True), whole.reset_index(drop=True)
    else:
        assert ddf.known_divisions
    pd.testing.assert_frame_equal(got, whole)


def test_dask_table_of_a_year_with_chinese_headers(synth):
    import dask

    with dask.config.set(scheduler="synchronous"):
        got = synth.dask_table("scores", year=2023, headers="zh").compute()
    pd.testing.assert_frame_equal(got, synth.table("scores", year=2023, headers="zh"))


def test_without_dask_one_line_names_the_extra(synth, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(FazhiError) as e:
        synth.dask_table("scores")
    assert "pip install 'fazhi[dask]'" in str(e.value) and "\n" not in str(e.value)


# ------------------------------------------------------------------ PostgreSQL
@pytest.mark.needs("postgresql")
def test_postgresql_gives_the_same_tables(tmp_path, analyzed):
    import dask

    reset_pg(PG_URL)
    try:
        with open_corpus(PG_URL) as pg, open_corpus(tmp_path / "c.db") as lite:
            for p in ("000", "001", "002", "004"):
                pg.add(analyzed(p))
                lite.add(analyzed(p))
            for kind in ALL:
                want = lite.table(kind)
                if kind == "reports":
                    want = want.drop(columns=["added_at", "analyzed_at", "copies_at"])
                got = pg.table(kind)[list(want)]
                pd.testing.assert_frame_equal(got, want)
                pd.testing.assert_frame_equal(pd.concat(pg.table(kind, chunksize=3)), pg.table(kind))
            with dask.config.set(scheduler="synchronous"):
                pd.testing.assert_frame_equal(pg.dask_table("indicators", chunksize=2).compute(), pg.table("indicators"))
            path = pg.to_parquet(tmp_path / "pq", ["scores"])["scores"]
            back = ds.dataset(path, partitioning="hive").to_table().drop_columns(["year"]).to_pandas()
            pd.testing.assert_frame_equal(back.sort_values("id").reset_index(drop=True), pg.table("scores"))
    finally:
        reset_pg(PG_URL)


# ------------------------------------------------------------------ the README's example
def example_blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """(python code, lines it is shown to print) of each ```python block of the section, the shown lines
    being the plain ``` block right after it (none when there is none)."""
    start = markdown.find(SECTION)
    if start < 0:
        return []
    end = markdown.find("\n## ", start + len(SECTION))
    section = markdown[start:end if end > 0 else None]
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", section, flags=re.S | re.M)
    out = []
    for i, (lang, body) in enumerate(blocks):
        if lang == "python":
            shown = blocks[i + 1][1].splitlines() if i + 1 < len(blocks) and not blocks[i + 1][0] else []
            out.append((body, [s for s in shown if s.strip()]))
    return out


@pytest.fixture
def readme_db(tmp_path, analyzed):
    """./fazhi.db as the README's steps leave it: the five samples, then 样例/'s synthetic next year."""
    from fazhi.samples import SYNTHETIC_NAME, synthetic_text

    synthetic = tmp_path / "样例" / SYNTHETIC_NAME
    synthetic.parent.mkdir()
    synthetic.write_text(synthetic_text(), encoding="utf-8")
    with open_corpus(tmp_path / "fazhi.db") as c:
        for p in ("000", "001", "002", "003", "004"):
            c.add(analyzed(p))
        c.add(fazhi.analyze(synthetic))
    return tmp_path


def test_readme_pandas_example_prints_what_it_shows(readme_db):
    docs = [ROOT / "docs" / "readme-pandas.md", ROOT / "README.md"]
    blocks = [(doc, b) for doc in docs if doc.exists() for b in example_blocks(doc.read_text(encoding="utf-8"))]
    assert any(doc.name == "readme-pandas.md" for doc, _ in blocks)
    for doc, (code, shown) in blocks:
        r = subprocess.run([sys.executable, "-c", code], cwd=readme_db, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"{doc.name}: {r.stderr[-2000:]}"
        assert shown and missing_lines(shown, r.stdout) == [], f"{doc.name} printed:\n{r.stdout}"
        assert (readme_db / "语料表" / "scores" / "year=2024" / "part-0.parquet").is_file()
