"""Metadata read from the head and the 落款 of real reports."""
from __future__ import annotations

import pytest
from conftest import sample_text

from fazhi.extract.dates import find_dates, garbled_date
from fazhi.extract.metadata import infer_level
from fazhi.report import Span


@pytest.mark.parametrize("prefix,field,want", [
    ("000", "title", None),
    ("000", "issuer", "中共蓬溪县红江镇委员会"),
    ("000", "addressee", "县委、县政府"),
    ("000", "report_year", 2023),
    ("000", "sign_date", "2024-01-19"),
    ("001", "title", "中共洪江区工委洪江区管理委员会关于2021年度法治政府建设工作情况的报告"),
    ("001", "issuer", "中共洪江区工委 洪江区管理委员会"),  # joint issuers: one space (CONTRACT)
    ("001", "addressee", "中共怀化市委、怀化市人民政府"),
    ("001", "sign_date", None),
    ("001", "level", "区县"),
    ("002", "title", "大王古庄镇2024年法治政府建设情况报告"),
    ("002", "issuer", "大王古庄镇人民政府"),
    ("002", "report_year", 2024),
    ("003", "title", "关于2021年法治政府建设工作情况报告"),
    ("003", "issuer", "中共重庆市潼南区古溪镇委员会 重庆市潼南区古溪镇人民政府"),
    ("003", "addressee", "区委、区政府"),
    ("004", "report_year", 2019),
    ("004", "issuer", "东莞市司法局桥头分局"),
    ("004", "level", "乡镇街道"),
])
def test_seed_metadata(analyzed, prefix, field, want):
    assert getattr(analyzed(prefix).metadata, field) == want


def test_metadata_spans_point_into_the_text(analyzed):
    r = analyzed("001")
    s = r.metadata.spans["addressee"]
    assert r.text[s.start:s.end] == "中共怀化市委、怀化市人民政府"
    t = r.metadata.spans["title"]
    assert r.text[t.start:t.end].endswith("报 告")  # as written; the field has the stray space removed


def test_missing_title_and_date_are_findings(analyzed):
    rules = {f.rule for f in analyzed("004").findings}
    assert "title-missing" in rules and "date-missing" not in rules
    rules = {f.rule for f in analyzed("001").findings}
    assert "date-missing" in rules and "title-missing" not in rules


def test_garbled_sign_date_is_quoted(analyzed):
    r = analyzed("002")
    (f,) = [f for f in r.findings if f.rule == "date-garbled"]
    assert r.text[f.start:f.end] == "2025110"
    assert "2025110" in f.message and "2025年1月10日" in f.message
    assert r.metadata.sign_date is None
    assert not [f for f in r.findings if f.rule == "date-missing"]


def test_chinese_numeral_sign_date():
    import fazhi.pipeline as pipeline
    from fazhi.ingest.document import Document
    from fazhi.report import Source

    text = sample_text("000").replace("2024年1月19日", "二〇二四年一月十九日")
    doc = Document(Source("x.txt", "txt", "utf-8", ""), text, Span(0, len(text)))
    r = pipeline.analyze_document(doc)
    assert r.metadata.sign_date == "2024-01-19"
    s = r.metadata.spans["sign_date"]
    assert text[s.start:s.end] == "二〇二四年一月十九日"


def test_find_dates_forms_and_invalid_dates():
    text = "于2018年12月2日开始服务，2024-01-19印发，二〇二三年十二月三十一日止，2023年2月30日无效"
    found = [(d.iso, d.form) for d in find_dates(text)]
    assert found == [("2018-12-02", "arabic"), ("2024-01-19", "numeric"), ("2023-12-31", "chinese")]


def test_garbled_date_readings():
    assert garbled_date("2025110") == ("2025110", __import__("datetime").date(2025, 1, 10))
    assert garbled_date("2025111")[1] is None  # 1-11 or 11-1: ambiguous, no guess
    assert garbled_date("大王古庄镇") is None


def test_level_from_how_the_text_names_itself():
    dept = "2023年，我局深入推进依法行政。本局共办理行政复议案件3件。"
    assert infer_level(dept, Span(0, len(dept)), "蓬溪县司法局") == "部门"
    county = "2023年，全县上下……我县法治政府建设取得新成效。"
    assert infer_level(county, Span(0, len(county)), "蓬溪县人民政府") == "区县"
    none = "法治政府建设取得新成效。"
    assert infer_level(none, Span(0, len(none)), "成都市人民政府") == "地市"
    assert infer_level(none, Span(0, len(none)), "四川省人民政府") == "省"
