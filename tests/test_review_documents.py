"""`fazhi review`: the review opinion as .docx/.html/.md and the annotated Word file.

Real files throughout: the seeds, Word files written by python-docx, PDFs made by
LibreOffice and read back by pdftotext, the annotated .docx parsed as XML.
"""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from make_files import SEEDS, make_numbered_docx, seed_text, to_pdf

from fazhi.pipeline import analyze
from fazhi.render.annotate import annotate_docx, paragraph_map
from fazhi.render.opinion import build_opinion, indicator_value, quote
from fazhi.review.cli import main as review_main

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SCRIPT = "<script>alert(1)</script>"


def seed_path(prefix: str) -> Path:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def review(*argv: str) -> int:
    return review_main(["review", *argv])


def docx_from_seed(prefix: str, path: Path, chunk: int = 7) -> Path:
    """One paragraph per seed line; each line cut into runs of `chunk` characters, as Word
    often stores text, so comments must split runs to land on the quoted words."""
    import docx

    d = docx.Document()
    for line in seed_text(prefix).split("\n"):
        p = d.add_paragraph()
        for k in range(0, len(line), chunk):
            p.add_run(line[k:k + chunk])
    d.save(path)
    return path


def comment_ranges(docx_bytes: bytes) -> dict[str, str]:
    """comment id -> the text between its commentRangeStart and commentRangeEnd."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml"))
    open_ranges: dict[str, list[str]] = {}
    done: dict[str, str] = {}
    for el in root.iter():
        if el.tag == W + "commentRangeStart":
            open_ranges[el.get(W + "id")] = []
        elif el.tag == W + "commentRangeEnd":
            done[el.get(W + "id")] = "".join(open_ranges.pop(el.get(W + "id")))
        elif el.tag == W + "t":
            for parts in open_ranges.values():
                parts.append(el.text or "")
    return done


# ---------------------------------------------------------------- Word opinion -> PDF


@pytest.mark.needs("soffice", "pdftotext")
def test_review_docx_has_official_look_and_pdf_shows_every_finding(tmp_path, capsys):
    import docx
    from docx.shared import Pt

    src = seed_path("002")
    out = tmp_path / "审查意见.docx"
    assert review(str(src), "-o", str(out)) == 0
    report = analyze(src)
    assert report.findings, "seed 002 has findings (e.g. 二十二中、三中全会)"

    d = docx.Document(out)
    sec = d.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(x.cm, 1) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == \
        [3.7, 3.5, 2.8, 2.6]
    title = d.paragraphs[0]
    assert title.text.startswith("关于《") and title.text.endswith("》的审查意见")
    rfonts = title.runs[0]._r.rPr.rFonts
    assert rfonts.get(W + "eastAsia") == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)
    normal = d.styles["Normal"]
    assert normal.element.rPr.rFonts.get(W + "eastAsia") == "仿宋_GB2312" and normal.font.size == Pt(16)
    h1 = d.styles["Heading 1"].element.rPr.rFonts
    assert h1.get(W + "eastAsia") == "黑体" and h1.get(W + "asciiTheme") is None
    font_table = zipfile.ZipFile(out).read("word/fontTable.xml").decode("utf-8")
    assert re.search(r'w:name="方正小标宋简体".*?<w:altName w:val="宋体"/>', font_table, re.DOTALL)
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "一、基本情况" and "（一）" in "".join(headings)

    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    pdf = to_pdf(out, tmp_path, profile)  # raises if LibreOffice is missing: never skipped
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is required"
    text = squash(subprocess.run([exe, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True,
                                 text=True).stdout)
    for f in report.findings:
        assert squash(f.message) in text, f.message
        q = quote(report.text, f.start, f.end)
        if q:
            assert squash(q) in text, q
        if f.suggestion:
            assert squash(f.suggestion) in text, f.suggestion
    assert squash("二十二中、三中全会") in text
    for ind in report.indicators:
        assert squash(indicator_value(ind.value, ind.unit, ind.qualifier)) in text


# ---------------------------------------------------------------- annotated Word file


def test_annotate_puts_one_comment_per_finding_on_its_words(tmp_path):
    import docx

    src = docx_from_seed("001", tmp_path / "报告.docx")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "报告-批注.docx"
    assert review(str(src), "--annotate", "-o", str(out)) == 0
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # the input is untouched

    report = analyze(src)
    spanned = [f for f in report.findings if f.start is not None and f.end is not None and f.end > f.start]
    assert len(spanned) >= 5 and len(spanned) < len(report.findings)  # both kinds are present
    d = docx.Document(out)
    comments = list(d.comments)
    assert len(comments) == len(report.findings)
    ranges = comment_ranges(out.read_bytes())
    first_para = next(p.text for p in d.paragraphs if p.text.strip())
    for f, c in zip(report.findings, comments):
        assert c.author == "fazhi" and c.initials
        assert f.message in c.text
        if f.suggestion:
            assert f"建议：{f.suggestion}" in c.text
        anchored = ranges[str(c.comment_id)]
        if f in spanned:
            want = report.text[f.start:f.end].split("\n")[0]
            assert anchored == want, (f.rule, anchored, want)
        else:
            assert anchored == first_para
    # a quoted stray space lands on exactly those characters, not on the whole paragraph
    assert "报 告" in [ranges[str(c.comment_id)] for c in comments]
    # the comments do not leak into the text when the annotated file is read again
    assert analyze(out).text == report.text


def test_annotate_skips_word_numbering_markers(tmp_path):
    """A paragraph whose 1. is Word automatic numbering: the offsets still land on its words."""
    import docx

    path = make_numbered_docx(tmp_path / "numbered.docx")
    d = docx.Document(path)
    target = next(p for p in d.paragraphs if p.text == "完善权责清单")
    target.add_run("，落实2023 年度")
    target.add_run("报告制度")
    d.save(path)
    report = analyze(path)
    text, _lines = paragraph_map(docx.Document(path))
    assert text == report.text  # the offset map rebuilds exactly what ingestion read
    stray = [f for f in report.findings if f.rule == "stray-space"]
    assert [report.text[f.start:f.end] for f in stray] == ["2023 年"]
    data, placements = annotate_docx(path.read_bytes(), report)
    ranges = comment_ranges(data)
    anchored = [ranges[str(i)] for i, p in enumerate(placements) if p.finding.rule == "stray-space"]
    assert anchored == ["2023 年"]


def test_annotate_refuses_non_docx_and_keeps_output_absent(tmp_path, capsys):
    out = tmp_path / "x.docx"
    assert review(str(seed_path("000")), "--annotate", "-o", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--annotate" in err and "docx" in err and "Traceback" not in err
    assert not out.exists()


# ---------------------------------------------------------------- HTML and Markdown


def _script_report(tmp_path: Path) -> Path:
    lines = seed_text("003").split("\n")
    i = next(k for k, ln in enumerate(lines) if re.search(r"\d+\s*[件次起个]", ln))
    lines.insert(i, f"开展{SCRIPT}专题培训6次，参训人员120人次。")
    path = tmp_path / "script.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_html_opinion_is_escaped_and_complete(tmp_path):
    src = _script_report(tmp_path)
    report = analyze(src)
    assert any(SCRIPT in report.text[i.start - 30:i.end] or SCRIPT in i.subject for i in report.indicators)
    out = tmp_path / "op.html"
    assert review(str(src), "-o", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert SCRIPT not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html and "<link" not in html
    from html import escape

    for f in report.findings:
        assert escape(f.message) in html
    assert "<h2>一、基本情况</h2>" in html


def test_markdown_opinion_same_content(tmp_path):
    src = _script_report(tmp_path)
    out = tmp_path / "op.md"
    assert review(str(src), "-o", str(out)) == 0
    md = out.read_text(encoding="utf-8")
    report = analyze(src)
    assert md.startswith("# 关于《") and "## 一、基本情况" in md and "## 四、发现的问题和修改建议" in md
    assert SCRIPT not in md and r"\<script\>alert(1)\</script\>" in md
    table_rows = [ln for ln in md.splitlines() if re.match(r"^\| \d+ \|", ln)]
    assert len(table_rows) == len(report.indicators)
    from fazhi.render.opinion_text import md_escape

    for f in report.findings:
        assert md_escape(f.message) in md


def test_parts_status_says_missing_only_when_missing():
    missing = build_opinion(analyze(seed_path("001")))  # no 第一责任人 part
    complete = build_opinion(analyze(seed_path("000")))  # all four parts
    def status(op):
        sec = next(s for s in op.sections if s.title == "法定内容情况")
        return {b.label.rstrip("："): b.text for b in sec.blocks}
    s1, s0 = status(missing), status(complete)
    assert s1["党政主要负责人履行推进法治建设第一责任人职责情况"].startswith("未见")
    assert s1["存在的不足和原因"].startswith("已包含") and "存在的不足" in s1["存在的不足和原因"]
    assert all(v.startswith("已包含") for v in s0.values())
    assert missing.sections[1].blocks[1].label == "封顶说明："  # the 59-point cap is explained
    assert not any(getattr(b, "label", None) == "封顶说明：" for b in complete.sections[1].blocks)


def test_long_quotes_are_shortened_and_qualifiers_placed():
    text = seed_text("004")
    assert quote(text, 0, 200).endswith("…") and len(quote(text, 0, 200)) == 61
    assert quote(text, 190, 194) == text[190:194]
    assert quote(text, 5, 5) is None and quote(text, None, None) is None
    report = analyze(seed_path("000"))
    shown = {indicator_value(i.value, i.unit, i.qualifier): report.text[i.start:i.end] for i in report.indicators
             if i.qualifier}
    assert shown and all(squash(k.replace("\\", "")) in squash(v.replace("\\", "")) for k, v in shown.items())


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("name,content,reason", [
    ("missing.txt", None, "文件不存在"),
    ("empty.txt", b"", "文件为空"),
    ("broken.docx", b"not a zip at all", "Word 文档已损坏"),
])
def test_bad_input_is_one_chinese_line(tmp_path, capsys, name, content, reason):
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    out = tmp_path / "op.md"
    assert review(str(src), "-o", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and name in err and reason in err and "Traceback" not in err
    assert not out.exists()


def test_output_never_overwrites_input_and_format_is_checked(tmp_path, capsys):
    src = docx_from_seed("000", tmp_path / "r.docx")
    before = src.read_bytes()
    assert review(str(src), "--annotate", "-o", str(src)) == 2
    assert src.read_bytes() == before
    assert review(str(src), "-o", str(tmp_path / "op.pdf")) == 2
    err = capsys.readouterr().err
    assert "覆盖" in err and ".pdf" in err
    assert review(str(src), "-o", str(tmp_path / "op.md")) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left
