"""PDF: a real LibreOffice-made PDF with running header/footer and page numbers,
a scan without text layer, encrypted and corrupt files."""
from __future__ import annotations

import re

import pytest

from fazhi.errors import InputError
from fazhi.ingest import load, read_options
from fazhi.ingest.pdf_reader import _PAGE_NO, _tidy
from make_files import ENCRYPTED_PDF_EXPORT, make_paged_docx, make_scanned_pdf, seed_paragraphs, to_pdf

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
