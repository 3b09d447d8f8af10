"""The minimal inputs that once hung, exhausted or silently truncated the reader, rebuilt here
(nothing is read from outside the project). Each runs in a forked worker with the fuzz harness's
limits (2 GiB address space, 10 s CPU): a regression shows up as a timeout or memory outcome
instead of a hung test. Each must be read correctly or refused with a clear Chinese reason.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_cases as fc  # noqa: E402
from fuzz_cases import Case  # noqa: E402
from fuzz_harness import run_one  # noqa: E402


def _lines(report) -> list[str]:
    return report.text.split("\n")


def _docx(fmt: str, start: str = "1", override: str | None = None, paragraphs: int = 1) -> bytes:
    over = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{override}"/></w:lvlOverride>'
            if override is not None else "")
    numbering = fc.numbering_xml([(fmt, "%1、")] * 3, start=start, override=over)
    body = fc.paragraph_xml("某某县司法局2023年度法治政府建设情况报告")
    body += "".join(fc.paragraph_xml(f"第{i}项，开展法治宣传活动。", 0) for i in range(paragraphs))
    return fc.zip_parts(fc.docx_parts(fc.document_xml(body), numbering))


@pytest.mark.parametrize(("fmt", "start", "override", "first"), [
    ("upperRoman", "2147483647", None, "32767、"),
    ("lowerRoman", "1", "999999999999", "32767、"),
    ("upperLetter", "2147483647", None, "32767、"),
    ("upperRoman", "3999", None, "MMMCMXCIX、"),
    ("lowerLetter", "27", None, "aa、"),
])
def test_huge_word_numbering_is_clamped_not_looped(fmt, start, override, first):
    case = Case("crasher", f"{fmt}:{start}:{override}", ".docx", _docx(fmt, start, override))
    out = run_one(case, probe=_lines)
    assert out.status == "ok", out.detail
    assert out.probe[1] == first + "第0项，开展法治宣传活动。"


def test_hundred_paragraphs_lettered_from_a_million_stay_short():
    case = Case("crasher", "letter_start_1000000_x100", ".docx", _docx("upperLetter", "1000000", paragraphs=100))
    out = run_one(case, probe=_lines)
    assert out.status == "ok", out.detail
    assert len(out.probe) == 101 and max(len(ln) for ln in out.probe) < 40


def test_twenty_thousand_lists_in_numbering_are_read():
    lv = '<w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
    extra = "".join(f'<w:abstractNum w:abstractNumId="{i + 10}">{lv}</w:abstractNum>'
                    f'<w:num w:numId="{i + 10}"><w:abstractNumId w:val="{i + 10}"/></w:num>' for i in range(20000))
    body = fc.paragraph_xml("某某县司法局2023年度法治政府建设情况报告")
    body += '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="19999"/></w:numPr></w:pPr>' \
            '<w:r><w:t>最后一个列表的第一项</w:t></w:r></w:p>'
    data = fc.zip_parts(fc.docx_parts(fc.document_xml(body), fc.numbering_xml(extra=extra)))
    out = run_one(Case("crasher", "abstractNum20000", ".docx", data), probe=_lines)
    assert out.status == "ok", out.detail
    assert out.probe[1] == "V.最后一个列表的第一项"


@pytest.mark.parametrize(("n", "shape"), [(300, "<p><font>"), (300, "<font>"), (3000, "<font>"), (2500, "<div>")])
def test_deeply_nested_page_keeps_every_paragraph(n, shape):
    body = [f"{shape}第{i}段，开展法治宣传活动。" for i in range(n)]
    html = fc.page_html("某某县2023年度法治政府建设情况报告\n正文", "utf-8", body)
    out = run_one(Case("crasher", f"unclosed{shape}{n}", ".html", html.encode()),
                  probe=lambda r: [int(x) for x in re.findall(r"第(\d+)段", r.text)])
    assert out.status == "ok", out.detail
    assert sorted(set(out.probe)) == list(range(n))


def test_page_of_a_hundred_and_fifty_thousand_paragraphs_is_refused_with_a_reason():
    html = fc.page_html("某某县2023年度法治政府建设情况报告\n正文", "utf-8", ["<p>段</p>"] * 150_000)
    out = run_one(Case("crasher", "p150000", ".html", html.encode()))
    assert out.status == "refused", out.detail
    assert "网页结构过大" in out.detail and "上限 100000 个" in out.detail


def _indicator_values(report) -> list:
    return [[i.raw, i.value] for i in report.indicators]


@pytest.mark.parametrize("digit", ["九", "9"])
def test_numerals_of_hundreds_of_digits_neither_raise_nor_become_infinity(digit):
    text = fc.sample_texts()[3] + f"\n办理案件{digit * 400}件，调解纠纷12件。"
    out = run_one(Case("crasher", f"{digit}x400", ".txt", text.encode("utf-8")), probe=_indicator_values)
    assert out.status == "ok", out.detail
    assert ["12", 12] in out.probe
    assert all(len(raw) < 100 for raw, _ in out.probe)


def test_report_json_is_strict_even_with_a_non_finite_value():
    from fazhi.ingest import load_bytes
    from fazhi.pipeline import analyze_document

    report = analyze_document(load_bytes(fc.sample_texts()[3].encode("utf-8"), "a.txt"))
    report.indicators[0].value = float("inf")
    report.score = {"total": float("nan"), "items": [(1, float("-inf"))]}
    d = report.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["indicators"][0]["value"] is None and d["score"]["total"] is None


def test_utf16le_without_bom_is_read_as_text():
    text = fc.sample_texts()[3]
    out = run_one(Case("crasher", "utf16le_nobom", ".txt", text.encode("utf-16-le")), probe=lambda r: r.text)
    assert out.status == "ok", out.detail
    assert out.probe == text


def test_nine_thousand_headings_are_analysed():
    text = "\n".join(f"{fc_cn(i % 99 + 1)}、标题{i}\n开展法治宣传活动{i}次。" for i in range(9000))
    out = run_one(Case("crasher", "headings9000", ".txt", text.encode("utf-8")),
                  probe=lambda r: [len(r.outline), len(r.areas["paragraphs"])])
    assert out.status == "ok", out.detail
    assert out.probe[0] >= 9000 and out.probe[1] >= 9000


def fc_cn(n: int) -> str:
    from fazhi.ingest.numbering import chinese_numeral

    return chinese_numeral(n)


def test_report_json_is_what_asdict_and_finite_made():
    """Report.to_dict converts in one pass (report.plain): the same JSON as the generic
    dataclasses.asdict followed by `finite`, on every sample, with non-finite floats, a findings'
    extra, tuples and a named tuple put in."""
    from collections import namedtuple
    from dataclasses import asdict

    from fazhi.ingest import load_bytes
    from fazhi.pipeline import analyze_document
    from fazhi.report import finite

    def reference(r) -> dict:
        meta = asdict(r.metadata)
        meta["spans"] = {k: [s.start, s.end] for k, s in r.metadata.spans.items()}
        findings = []
        for f in r.findings:
            d = {k: v for k, v in asdict(f).items() if k != "extra"}
            d.update(f.extra)
            findings.append(d)
        return finite({"source": asdict(r.source), "text": r.text, "body": {"start": r.body.start, "end": r.body.end},
                       "page": r.page_meta, "metadata": meta, "outline": [asdict(h) for h in r.outline],
                       "parts": dict(r.parts), "indicators": [asdict(i) for i in r.indicators],
                       "citations": [asdict(c) for c in r.citations], "areas": r.areas, "findings": findings,
                       "copies": r.copies, "score": r.score})

    Pair = namedtuple("Pair", "a b")
    for i, text in enumerate(fc.sample_texts()):
        report = analyze_document(load_bytes(text.encode("utf-8"), f"{i}.txt"))
        assert report.indicators and report.findings
        if i == 0:
            report.indicators[0].value = float("nan")
            report.findings[0].extra["where"] = (1, 2.5, float("inf"))
            report.score = {**report.score, "pair": Pair(1, float("-inf")), "nested": [{"x": float("nan")}]}
        got = report.to_dict()
        assert json.dumps(got, ensure_ascii=False, allow_nan=False) == \
            json.dumps(reference(report), ensure_ascii=False, allow_nan=False)
