"""Tables across a real SQLite corpus of the five samples, their export and `fazhi corpus table`."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import sample_path

from fazhi.corpus.export import write_table
from fazhi.corpus.tables import KINDS, Table, area_columns, canonical_unit, corpus_table, select_ids, unit_family
from fazhi.errors import FazhiError

FAZHI = str(Path(sys.executable).with_name("fazhi"))


@pytest.fixture(scope="module")
def stored(samples_corpus) -> dict[int, dict]:
    return {r["id"]: {**r["analysis"], "text": r["text"], "path": r["path"]}
            for r in samples_corpus.rows(("id", "analysis", "text", "path"))}


def _id_of(stored, prefix: str) -> int:
    return next(i for i, a in stored.items() if Path(a["path"]).name.startswith(prefix))


def _row(table: Table, rid: int) -> dict:
    return next(dict(zip(table.columns, r)) for r in table.rows if r[0] == rid)


# ------------------------------------------------------------------ indicators
def test_indicator_value_appears_under_its_measure(samples_corpus, stored):
    t = corpus_table(samples_corpus, "indicators")
    rid = _id_of(stored, "000")
    firsts = sorted((i for i in stored[rid]["indicators"] if i.get("measure") == "矛盾纠纷调处数"),
                    key=lambda i: i["start"])
    assert firsts, "sample 000 reports disputes handled"
    first = firsts[0]
    assert first["value"] == 237 and "237" in stored[rid]["text"][first["start"]:first["end"]]
    assert _row(t, rid)["矛盾纠纷排查调处数（件）"] == 237
    # a report that does not give the measure has an empty cell, not 0
    without = [i for i, a in stored.items() if not any(x.get("measure") == "矛盾纠纷调处数"
                                                        for x in a["indicators"])]
    for i in without:
        assert _row(t, i)["矛盾纠纷排查调处数（件）"] is None


def test_indicator_counts_and_column_order(samples_corpus, stored):
    t = corpus_table(samples_corpus, "indicators")
    for rid, a in stored.items():
        row = _row(t, rid)
        assert row["指标总数"] == len(a["indicators"])
        assert row["已归口"] == sum(1 for i in a["indicators"] if i.get("measure"))
    measure_cols = [i for i, k in enumerate(t.keys) if "|" in k]
    have = [sum(r[i] is not None for r in t.rows) for i in measure_cols]
    assert have == sorted(have, reverse=True) and have[0] >= 2
    assert len(set(t.columns)) == len(t.columns)
    # every measure column belongs to a measure some report gave
    given = {i["measure"] for a in stored.values() for i in a["indicators"] if i.get("measure")}
    assert {t.keys[i].split("|")[0] for i in measure_cols} == given


def test_indicator_aggregation_rules(samples_corpus, stored):
    first = corpus_table(samples_corpus, "indicators")
    counts = corpus_table(samples_corpus, "indicators", agg="count")
    biggest = corpus_table(samples_corpus, "indicators", agg="max")
    rid = _id_of(stored, "001")  # two meetings counted under one measure: 党组会议12次, 常务会议16次
    meetings = [i for i in stored[rid]["indicators"] if i.get("measure") == "会议研究法治次数"]
    assert len(meetings) >= 2
    key = "会议研究法治次数|次"
    assert counts.column(key)[counts.column("id").index(rid)] == len(meetings)
    assert first.column(key)[first.column("id").index(rid)] == min(meetings, key=lambda i: i["start"])["value"]
    assert biggest.column(key)[biggest.column("id").index(rid)] == max(i["value"] for i in meetings)
    assert counts.columns[counts.keys.index(key)].endswith("（提及次数）")


def test_units_are_brought_to_one_scale():
    fam = unit_family()
    assert canonical_unit("元", fam)[0:2] == ("万元", "万元") and canonical_unit("元", fam)[2] == pytest.approx(1e-4)
    assert canonical_unit("亿元", fam)[2] == 1e4
    assert canonical_unit("万人次", fam) == ("人次", "人次", 1e4)
    assert canonical_unit("起", fam)[:2] == canonical_unit("宗", fam)[:2] == ("件", "件")
    assert canonical_unit("名", fam)[:2] == ("人", "人") != canonical_unit("人次", fam)[:2]
    assert canonical_unit("％", fam)[:2] == ("%", "%")
    assert canonical_unit("个百分点", fam)[0] != "%"


# ------------------------------------------------------------------ areas
def test_area_coverage_matches_the_stored_analysis(samples_corpus, stored):
    t = corpus_table(samples_corpus, "areas")
    for rid, a in stored.items():
        row = dict(zip(t.keys, next(r for r in t.rows if r[0] == rid)))
        areas = a["areas"]
        total = areas["totals"]["counted_chars"]
        for area, cov in areas["coverage"].items():
            assert row[f"area:{area}"] == round(100 * cov["chars"] / total, 1)
            assert (row[f"area:{area}"] == 0) == (area in areas["uncovered"])
        assert row["uncovered_count"] == len(areas["uncovered"])
        assert row["scheme"] == areas["scheme"]
        # areas of the other scheme stay empty
        for key in t.keys:
            if key.startswith("area:") and key[5:] not in areas["coverage"]:
                assert row[key] is None


def test_area_columns_follow_the_taxonomy(samples_corpus, stored):
    t = corpus_table(samples_corpus, "areas")
    ids = [k[5:] for k in t.keys if k.startswith("area:")]
    assert ids == [a for a, _ in area_columns({a["areas"]["scheme"] for a in stored.values()})]
    assert ids[:3] == ["overall", "functions", "rules"]  # 纲要 2021-2025 order first
    assert "capacity" in ids  # sample 004 (2019) uses the 2015-2020 scheme
    only_2021 = corpus_table(samples_corpus, "areas", select_ids(samples_corpus, year=2021))
    assert "area:capacity" not in only_2021.keys


# ------------------------------------------------------------------ scores and findings
def test_scores_equal_the_stored_scores(samples_corpus, stored):
    t = corpus_table(samples_corpus, "scores")
    for rid, a in stored.items():
        row = dict(zip(t.keys, next(r for r in t.rows if r[0] == rid)))
        assert row["total"] == a["score"]["total"]
        assert row["capped"] is bool(a["score"].get("capped"))
        for it in a["score"]["items"]:
            assert row[f"item:{it['id']}"] == it["points"]
        assert row["error"] == sum(f["severity"] == "error" for f in a["findings"])
    row = _row(t, _id_of(stored, "004"))  # the 2019 town report lacks the first-responsible part
    assert "第一责任人职责情况" in row["缺失法定内容"] and row["缺失法定内容数"] == 1
    assert row["成文日期"] == "2019-12-02"
    assert _row(t, _id_of(stored, "003"))["缺失法定内容"] is None


def test_findings_counts_and_long_form(samples_corpus, stored):
    t = corpus_table(samples_corpus, "findings")
    rule_cols = [i for i, k in enumerate(t.keys) if k.startswith("rule:")]
    for r in t.rows:
        fs = stored[r[0]]["findings"]
        assert r[t.keys.index("findings")] == len(fs) == sum(r[i] for i in rule_cols)
        assert sum(r[i] for i, k in enumerate(t.keys) if k.startswith("category:")) == len(fs)
    part = t.keys.index("rule:part-missing")
    assert "part-missing" in t.columns[part] and "法定内容缺失" in t.columns[part]
    long = corpus_table(samples_corpus, "findings-long")
    assert len(long.rows) == sum(len(a["findings"]) for a in stored.values())
    for rec in long.records():
        if rec["起"] is not None:
            assert rec["原文"] == stored[rec["编号"]]["text"][rec["起"]:rec["止"]][:200]


def test_selection_and_bad_kind(samples_corpus, stored):
    ids = select_ids(samples_corpus, year=2021)
    assert sorted(ids) == sorted(i for i, a in stored.items() if a["metadata"]["report_year"] == 2021)
    assert [r[0] for r in corpus_table(samples_corpus, "scores", ids).rows] == sorted(ids)
    assert corpus_table(samples_corpus, "scores", []).rows == []
    with pytest.raises(FazhiError, match="未知的表格类型"):
        corpus_table(samples_corpus, "nonsense")
    for kind in KINDS:
        t = corpus_table(samples_corpus, kind)
        assert t.columns[:8] == ["编号", "单位", "年度", "层级", "省", "市", "县", "文件"]
        assert len(t.keys) == len(t.columns)


# ------------------------------------------------------------------ export
def _text(v) -> str:
    return "" if v is None else ("是" if v else "否") if isinstance(v, bool) else str(v)


def test_csv_has_bom_and_reads_back(samples_corpus, tmp_path):
    t = corpus_table(samples_corpus, "scores")
    p = write_table(t, tmp_path / "评分.csv")
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(p, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == t.columns
    assert rows[1:] == [[_text(v) for v in r] for r in t.rows]


def test_xlsx_reads_back_with_bold_frozen_header(samples_corpus, tmp_path):
    from openpyxl import load_workbook

    t = corpus_table(samples_corpus, "indicators")
    wb = load_workbook(write_table(t, tmp_path / "指标.xlsx"))
    ws = wb["量化指标"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws.column_dimensions["B"].width > 10
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert list(got[0]) == t.columns
    assert got[1:] == [[("是" if v else "否") if isinstance(v, bool) else v for v in r] for r in t.rows]
    assert "说明" in wb.sheetnames


def test_parquet_keeps_types_and_nulls(samples_corpus, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = corpus_table(samples_corpus, "scores")
    pt = pq.read_table(write_table(t, tmp_path / "s.parquet"))
    assert pt.column_names == t.columns
    assert pt.schema.field("编号").type == pa.int64()
    assert pt.schema.field("总分").type == pa.float64()
    assert pt.schema.field("封顶").type == pa.bool_()
    assert pt.schema.field("单位").type == pa.string()
    for name in t.columns:
        assert pt.column(name).to_pylist() == t.column(name)
    assert json.loads(pt.schema.metadata[b"fazhi.keys"]) == t.keys


def test_json_round_trip(samples_corpus, tmp_path):
    t = corpus_table(samples_corpus, "areas")
    d = json.loads(write_table(t, tmp_path / "a.json").read_text(encoding="utf-8"))
    assert d["columns"] == t.columns and d["rows"] == t.rows and d["name"] == "纲要领域覆盖"


def test_failed_export_leaves_no_file(tmp_path):
    t = Table("坏表", ["编号", "值"], [[1, {"集合不能写入"}]], ["id", "v"])
    for suffix in (".json", ".xlsx"):
        with pytest.raises(FazhiError, match="无法写入"):
            write_table(t, tmp_path / f"out{suffix}")
        assert not (tmp_path / f"out{suffix}").exists()
    old = tmp_path / "keep.json"
    old.write_text("旧内容", encoding="utf-8")
    with pytest.raises(FazhiError):
        write_table(t, old)
    assert old.read_text(encoding="utf-8") == "旧内容"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]  # no temporary files left
    with pytest.raises(FazhiError, match="不支持的文件类型"):
        write_table(t, tmp_path / "out.txt")
    with pytest.raises(FazhiError, match="不存在"):
        write_table(t, tmp_path / "no" / "such" / "out.csv")


# ------------------------------------------------------------------ CLI
def _fazhi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([FAZHI, "corpus", *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})


def test_cli_prints_and_exports(samples_db, tmp_path, stored):
    r = _fazhi("table", "scores", "--db", str(samples_db), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "评分（5 份报告）" in r.stdout and "大王古庄镇人民政府" in r.stdout
    assert "列未显示" in r.stderr and "-o" in r.stderr  # 200 columns cannot hold all 26
    out = tmp_path / "指标.xlsx"
    r = _fazhi("table", "indicators", "--db", str(samples_db), "--year", "2021", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    years = [row[2] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert years == [2021] * sum(a["metadata"]["report_year"] == 2021 for a in stored.values())


def test_cli_bad_suffix_and_missing_db_fail_in_one_line(samples_db, tmp_path):
    r = _fazhi("table", "areas", "--db", str(samples_db), "-o", str(tmp_path / "x.txt"), cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and "不支持的文件类型" in r.stderr and "x.txt" in r.stderr
    assert not (tmp_path / "x.txt").exists()
    r = _fazhi("table", "areas", "--db", str(tmp_path / "none.db"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "语料库不存在" in r.stderr
    r = _fazhi("table", "areas", "--db", str(samples_db), "--year", "1990", cwd=tmp_path)
    assert r.returncode == 0 and "没有符合条件的报告" in r.stderr


def test_sample_path_helper_points_at_a_stored_file(stored):
    assert str(sample_path("002")) in {a["path"] for a in stored.values()}
