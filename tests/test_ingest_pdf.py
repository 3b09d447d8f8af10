"""PDF: a real LibreOffice-made PDF with running header/footer and page numbers,
a scan without text layer, encrypted and corrupt files."""
from __future__ import annotations

import re

import pytest

from fazhi.errors import InputError
from fazhi.ingest import load, read_options
from fazhi.ingest.pdf_reader import _PAGE_NO, _tidy
from make_files import (ENCRYPTED_PDF_EXPORT, broken_tree_pdf, flate_bomb_pdf, make_paged_docx, make_scanned_pdf,
                        many_pages_pdf, seed_paragraphs, to_pdf)

CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])\s+(?=[\u4e00-\u9fff])")


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    d = tmp_path_factory.mktemp("pdf")
    paras = seed_paragraphs("000")
    docx = make_paged_docx(d / "report.docx", paras)
    return paras, docx, d


@pytest.fixture(scope="module")
def paged_pdf(paged):
    paras, docx, d = paged
    return paras, to_pdf(docx, d, d / "profile")


@pytest.mark.needs("soffice")
def test_pdf_paragraphs_rejoined_and_running_lines_dropped(paged_pdf):
    paras, pdf = paged_pdf
    doc = load(pdf)
    assert doc.source.format == "pdf" and doc.source.encoding is None
    lines = doc.text.split("\n")
    assert "某某镇人民政府文件" not in doc.text  # running header
    assert not any(re.fullmatch(r"-\s*\d+\s*-", ln) for ln in lines)  # page numbers
    # every paragraph comes back whole, on its own line ("2023 年" spaces removed)
    assert lines == [CJK_SPACE.sub("", p) for p in paras]
    assert doc.text[doc.body.start:doc.body.end] == doc.text


def test_scanned_pdf_is_refused_without_ocr(tmp_path):
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", seed_paragraphs("003")[:6])
    with pytest.raises(InputError) as err:
        load(pdf, ocr=False)
    assert "扫描件" in err.value.reason and "OCR" in err.value.reason
    with read_options(ocr=False), pytest.raises(InputError) as err:
        load(pdf)
    assert "扫描件" in err.value.reason


@pytest.mark.needs("soffice")
def test_encrypted_pdf_is_refused(paged):
    _, docx, d = paged
    out = d / "locked"
    out.mkdir()
    pdf = to_pdf(docx, out, d / "profile2", export=ENCRYPTED_PDF_EXPORT)
    with pytest.raises(InputError) as err:
        load(pdf)
    assert "加密" in err.value.reason


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    with pytest.raises(InputError) as err:
        load(p)
    assert "PDF" in err.value.reason and "损坏" in err.value.reason


def test_pdf_suffix_without_pdf_header(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_bytes(b"\x01\x02not a pdf at all" * 10)
    with pytest.raises(InputError):
        load(p)


@pytest.mark.parametrize("line", ["- 3 -", "—3—", "第 3 页", "第3页 共10页", "3/10", "12", "Page 2 of 9"])
def test_page_number_lines(line):
    assert _PAGE_NO.match(line)


@pytest.mark.parametrize("line", ["2024年1月19日", "一、主要举措", "3件"])
def test_not_page_numbers(line):
    assert not _PAGE_NO.match(line)


def test_spaces_between_cjk_and_digits_removed():
    assert _tidy("2023 年受理案件 15 件,同比增长 3.5%") == "2023年受理案件15件,同比增长3.5%"
    assert _tidy("Word 文档") == "Word文档"


# ---------------------------------------------------------------- limits: refused before parsing, with a reason


def _refusal(path) -> str:
    with pytest.raises(InputError) as err:
        load(path)
    return err.value.reason


def test_many_pages_refused_by_the_page_cap(tmp_path):
    from fazhi.ingest.pdf_limits import MAX_PAGES

    reason = _refusal(many_pages_pdf(tmp_path / "many.pdf", 100_000))
    assert reason == f"PDF 页数过多（100000 页，上限 {MAX_PAGES} 页），请拆分后再试"
    assert "页数过多" in _refusal(many_pages_pdf(tmp_path / "cap.pdf", MAX_PAGES + 1))


def test_flate_bomb_refused_by_the_stream_cap(tmp_path):
    from fazhi.ingest.pdf_limits import MAX_STREAM_BYTES, inflated_size

    bomb = flate_bomb_pdf(tmp_path / "bomb.pdf", MAX_STREAM_BYTES + (16 << 20))
    assert bomb.stat().st_size < 1 << 20  # a small file ...
    reason = _refusal(bomb)  # ... refused for what it would inflate to, not called a scan
    assert "解压后超过 64 MB" in reason and "压缩炸弹" in reason and "扫描件" not in reason
    import zlib

    # the counting stops at the cap: it never inflates more than the cap plus one step
    raw = zlib.compress(b" " * (8 << 20))
    assert inflated_size(raw, 1 << 30) == 8 << 20
    assert (2 << 20) < inflated_size(raw, 2 << 20) <= (3 << 20)


def test_page_tree_broken_or_pages_blank(tmp_path):
    assert _refusal(broken_tree_pdf(tmp_path / "tree.pdf")) == "PDF 中没有页面（页面树缺失或损坏）"
    blank = _refusal(many_pages_pdf(tmp_path / "blank.pdf", 3))
    assert "没有文字" in blank and "扫描件" not in blank


def test_a_pdf_with_too_much_text_is_refused_before_layout(tmp_path):
    """The fuzz run's 2 MB PDF of 400,000 characters took over 20 s to lay out: the text layer is
    counted first (PDFium, C) and a PDF over the cap is refused at once; one under it is read."""
    from fuzz_cases import make_pdf

    from conftest import sample_text
    from fazhi.ingest.pdf_limits import MAX_TEXT_CHARS

    body = sample_text("001")
    big = tmp_path / "big.pdf"
    big.write_bytes(make_pdf("\n".join([body] * (MAX_TEXT_CHARS // len(body) + 2))))
    # the reason comes from pdf_limits.check_pdf, which runs before any page is laid out
    assert _refusal(big) == "PDF 文字过多（超过 10 万字），不像是一份年度报告，未读取"
    small = tmp_path / "small.pdf"
    small.write_bytes(make_pdf("\n".join([body] * 3)))
    assert len(load(small).text) > 2 * len(body)
