"""纲要 areas: paragraphs of real reports tagged by keywords and heading context."""
from __future__ import annotations

import re
import time

import pytest
from conftest import sample_text

from fazhi.extract.areas import (annotate_areas, classify_paragraph, scheme_areas, scheme_for_year,
                                 signal_scores, to_scheme)
from fazhi.report import Heading, Indicator, Metadata, Report, Source, Span

_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


def head(text: str, line_start: str, level: int, title_end: str | None = None) -> Heading:
    """A hand-made heading: the line of `text` starting with `line_start` (its marker included).
    `title_end`: where an inline heading's title stops (e.g. "。"), else the end of the line."""
    start = text.index(line_start)
    if start and text[start - 1] != "\n":
        start = text.index("\n" + line_start) + 1
    end = text.index("\n", start) if "\n" in text[start:] else len(text)
    if title_end:
        end = text.index(title_end, start) + len(title_end)
    marker = _MARKER.match(text[start:end])
    t0 = start + (marker.end() if marker else 0)
    return Heading(level=level, marker=marker.group() if marker else "", number=0, title=text[t0:end],
                   start=start, end=end, title_start=t0, title_end=end)


def make_report(prefix: str, year: int | None, headings: list[Heading], parts: dict | None = None) -> Report:
    text = sample_text(prefix)
    r = Report(source=Source(f"{prefix}.txt", "txt", "utf-8", ""), text=text, body=Span(0, len(text)), view=text)
    r.metadata = Metadata(report_year=year)
    r.outline = sorted(headings, key=lambda h: h.start)
    r.parts.update(parts or {})
    return r


def areas_of(report: Report, words: str) -> list[str]:
    """Areas of the paragraph that contains `words`."""
    at = report.text.index(words)
    (p,) = [p for p in report.areas["paragraphs"] if p["start"] <= at < p["end"]]
    return p["areas"]


def report_001() -> Report:
    t = sample_text("001")
    return make_report("001", 2021, [
        head(t, "一、开展的工作", 1),
        head(t, "(二)坚持以助推经济社会高质量发展为目标", 2),
        head(t, "(四)坚持严格规范公正文明标准", 2),
        head(t, "(六)坚持以法治为民为宗旨", 2),
        head(t, "二、存在的不足", 1),
        head(t, "三、下一步工作", 1),
    ], parts={"measures": 0, "shortcomings": 4, "next_year": 5})


def test_real_paragraphs_get_their_areas():
    r = report_001()
    annotate_areas(r)
    assert areas_of(r, "一是切实加强行政复议工作")[0] == "disputes"  # 行政复议 / 行政应诉
    assert areas_of(r, "一是继续深化“放管服”改革")[0] == "functions"  # 放管服 / 权责清单
    assert areas_of(r, "落实《洪江区全面推行行政执法公示制度执法全过程记录制度")[0] == "enforcement"
    r0 = make_report("000", 2023, [head(sample_text("000"), "三、2023年度党政主要负责人", 1)])
    annotate_areas(r0)
    assert areas_of(r0, "二是加强落实党政主要负责人“述法”工作")[0] == "leadership"  # 述法 / 第一责任人


def test_heading_context_decides_a_vague_paragraph():
    t = sample_text("003")
    vague = "充分发挥了党委统揽全局、协调各方的作用"
    at = t.index(vague)
    own = to_scheme(signal_scores(t, at, t.index("\n", at)), "2021-2025")
    assert classify_paragraph(own, {}, []) == []  # its own words name no area
    inline = head(t, "（二）充分发挥党委推进法治政府建设中的领导核心作用", 2, title_end="。")
    r = make_report("003", 2021, [head(t, "二、坚持依法依规，履行第一责任", 1), inline])
    annotate_areas(r)
    assert areas_of(r, vague) == ["leadership"]
    # the inline heading's own words are not part of the paragraph
    (p,) = [p for p in r.areas["paragraphs"] if p["start"] <= t.index(vague) < p["end"]]
    assert p["start"] == inline.end


def test_enforcement_heading_outweighs_a_passing_word():
    t = sample_text("003")
    words = "一是坚持开展经常性行政执法监督"
    r = make_report("003", 2021, [head(t, "（三）规范行政执法行为，落实行政执法责任制", 2)])
    annotate_areas(r)
    assert areas_of(r, words)[0] == "enforcement"
    assert "（三）规范行政执法行为" not in [r.text[p["start"]:p["end"]] for p in r.areas["paragraphs"]]


def test_scheme_by_year():
    assert scheme_for_year(2023) == scheme_for_year(2021) == scheme_for_year(None) == "2021-2025"
    assert scheme_for_year(2020) == scheme_for_year(2016) == "2015-2020"
    ids_2021 = [a["id"] for a in scheme_areas("2021-2025")]
    assert ids_2021 == ["overall", "functions", "rules", "decisions", "enforcement", "emergency",
                        "disputes", "oversight", "digital", "leadership"]
    assert [a["id"] for a in scheme_areas("2015-2020")] == ["functions", "rules", "decisions", "enforcement",
                                                          "oversight", "disputes", "capacity"]


def test_publicity_maps_into_each_scheme():
    words = "一是线上线下相结合,实现法治宣传全覆盖"
    old = make_report("004", 2019, [])
    annotate_areas(old)
    assert old.areas["scheme"] == "2015-2020"
    assert areas_of(old, words)[0] == "capacity"
    assert set(old.areas["coverage"]) == {a["id"] for a in scheme_areas("2015-2020")}
    new = make_report("004", None, [])
    annotate_areas(new)
    assert new.areas["scheme"] == "2021-2025"
    assert areas_of(new, words)[0] == "leadership"
    (p,) = [p for p in new.areas["paragraphs"] if p["start"] <= new.text.index(words) < p["end"]]
    assert "publicity" in p["tags"]


def test_signature_and_date_lines_get_no_area():
    t = sample_text("000")
    r = make_report("000", 2023, [head(t, "四、2024年度推进法治政府建设主要安排", 1),
                                  head(t, "(四)持续提升执法人员的业务能力", 2, title_end="。")])
    annotate_areas(r)
    assert areas_of(r, "加强执法人员培训、教育、考核工作")[0] == "enforcement"
    assert areas_of(r, "中共蓬溪县红江镇委员会\n2024年1月19日") == []
    assert areas_of(r, "2024年1月19日") == []


def test_coverage_adds_up_and_leaves_out_shortcomings_and_plans():
    t = sample_text("001")
    r = report_001()
    at = t.index("收到行政复议申请7件")  # reported work
    later = t.index("五是进一步加大社会矛盾纠纷排查化解力度")  # a plan for next year
    r.indicators = [Indicator("行政复议申请", 7, "件", None, at, at + 10),
                    Indicator("矛盾纠纷", 5, None, None, later, later + 4)]
    annotate_areas(r)
    a = r.areas
    assert a["scheme"] == "2021-2025"
    assert list(a["coverage"]) == [x["id"] for x in scheme_areas("2021-2025")]
    paras = a["paragraphs"]
    counted = [p for p in paras if p["counted"]]
    assert len(counted) < len(paras)  # the 不足 and 下一步 paragraphs are tagged but not counted
    assert any(p["areas"] for p in paras if not p["counted"])
    why = {p["excluded"] for words in ("根据《中共中央办公厅", "今年以来,我区扎实推进依法行政", "五是进一步加大社会矛盾纠纷")
           for p in paras if p["start"] <= t.index(words) < p["end"]}
    assert why == {"preamble", "shortcomings", "next_year"}
    for area, c in a["coverage"].items():
        tagged = [p for p in counted if area in p["areas"]]
        assert c["paragraphs"] == len(tagged)
        assert c["chars"] == sum(p["end"] - p["start"] for p in tagged)
    main_chars = sum(c["main_chars"] for c in a["coverage"].values())
    assert main_chars == sum(p["end"] - p["start"] for p in counted if p["areas"])
    assert a["uncovered"] == [k for k, c in a["coverage"].items() if c["paragraphs"] == 0]
    assert "functions" not in a["uncovered"] and "digital" in a["uncovered"]
    # both indicators get their paragraph's area; only the one in reported work is counted
    assert [i.area for i in r.indicators] == ["disputes", "disputes"]
    assert sum(c["indicators"] for c in a["coverage"].values()) == 1


def test_indicator_on_a_heading_line_takes_the_heading_area():
    t = sample_text("003")
    line = "（五）强化社会矛盾防范和化解工作，2021年办结市级交办信访件19件"
    r = make_report("003", 2021, [head(t, "一、依法行政工作情况", 1), head(t, line, 2)])  # the whole line
    at = t.index("办结市级交办信访件19件")
    r.indicators = [Indicator("信访件", 19, "件", None, at, at + 12)]
    annotate_areas(r)
    assert not [p for p in r.areas["paragraphs"] if p["start"] <= at < p["end"]]  # not in any paragraph
    assert r.indicators[0].area == "disputes"
    assert r.areas["coverage"]["disputes"]["indicators"] == 1


def test_every_paragraph_is_a_body_line_and_not_a_heading():
    t = sample_text("001")
    r = report_001()
    r.body = Span(t.index("根据《中共中央办公厅"), len(t))
    annotate_areas(r)
    for p in r.areas["paragraphs"]:
        assert p["start"] >= r.body.start
        assert "\n" not in t[p["start"]:p["end"]]
        assert all(not (h.start <= p["start"] < h.end) for h in r.outline)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_fast(prefix):
    r = make_report(prefix, 2021, [])
    annotate_areas(r)  # warm the keyword table
    t0 = time.perf_counter()
    annotate_areas(r)
    assert time.perf_counter() - t0 < 0.05
