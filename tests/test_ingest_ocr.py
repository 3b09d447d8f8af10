"""Scanned PDFs: pages without a text layer are read by OCR (tesseract chi_sim), offline.
The scans are made here: a sample laid out by LibreOffice, rendered to bitmaps, saved as an
image-only PDF. Accuracy is measured on Chinese characters and digits."""
from __future__ import annotations

import re

import pytest

from fazhi.cli import main
from fazhi.errors import InputError
from fazhi.ingest import load
from fazhi.ingest.ocr import normalise, tsv_lines
from make_files import make_paged_docx, make_scanned_report_pdf, seed_paragraphs, to_pdf

_KEEP = re.compile(r"[^\u4e00-\u9fff0-9]+")


def accuracy(truth: str, read: str) -> float:
    """1 - normalised edit distance over CJK characters and digits."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_similarity(_KEEP.sub("", truth), _KEEP.sub("", read))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    d = tmp_path_factory.mktemp("scan")
    paras = seed_paragraphs("003")[:12]
    return paras, make_scanned_report_pdf(d / "scan.pdf", paras, d / "work")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Two text-layer pages followed by one scanned page, as when a signed last page is scanned in."""
    import pypdfium2 as pdfium

    d = tmp_path_factory.mktemp("mixed")
    text_paras, scan_paras = seed_paragraphs("000")[:14], seed_paragraphs("000")[-6:]
    text_pdf = to_pdf(make_paged_docx(d / "text.docx", text_paras), d, d / "profile")
    scan_pdf = make_scanned_report_pdf(d / "scan.pdf", scan_paras, d / "work")
    out = pdfium.PdfDocument(text_pdf)
    n_text = len(out)
    out.import_pages(pdfium.PdfDocument(scan_pdf))
    path = d / "mixed.pdf"
    out.save(path)
    return text_paras, scan_paras, n_text, path


@pytest.mark.needs("soffice", "tesseract")
def test_scanned_report_read_by_ocr(scanned):
    paras, pdf = scanned
    doc = load(pdf)
    assert doc.source.format == "pdf"
    assert accuracy("".join(paras), doc.text) >= 0.95
    assert doc.source.notes == [f"第1–{_pages(pdf)}页是扫描图像，已用文字识别（OCR）读出，可能有个别错字"]
    assert "某某镇人民政府文件" not in doc.text  # the running header, read on every page, is dropped
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", doc.text)  # no spaces between characters


@pytest.mark.needs("soffice", "tesseract")
def test_only_pages_without_text_layer_are_ocred(mixed):
    text_paras, scan_paras, n_text, pdf = mixed
    doc = load(pdf)
    lines = doc.text.split("\n")
    n = len(text_paras)
    assert lines[:n - 1] == [re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=\d)|(?<=\d)\s+(?=[\u4e00-\u9fff])", "", p)
                             for p in text_paras[:n - 1]]  # the text layer, exactly
    assert accuracy("".join(scan_paras), "".join(lines[n:])) >= 0.95
    assert doc.source.notes == [f"第{n_text + 1}页是扫描图像，已用文字识别（OCR）读出，可能有个别错字"]


@pytest.mark.needs("soffice", "tesseract")
def test_no_ocr_refuses_a_scan_and_cli_prints_the_note(scanned, mixed, capsys):
    _, pdf = scanned
    assert main(["analyze", str(pdf), "--no-ocr", "--json"]) == 2
    err = capsys.readouterr().err
    assert f"{pdf}：这是扫描件（PDF 没有文字层），未启用文字识别（OCR）" in err
    *_, n_text, mixed_pdf = mixed
    with pytest.raises(InputError):
        load(pdf, ocr=False)
    doc = load(mixed_pdf, ocr=False)  # text pages still read, the scanned one named
    assert doc.source.notes == [f"第{n_text + 1}页是扫描图像，未做文字识别（OCR），其中的文字未读入"]
    assert main(["analyze", str(mixed_pdf), "--json"]) == 0
    assert f"注意：{mixed_pdf}：第{n_text + 1}页是扫描图像，已用文字识别（OCR）读出" in capsys.readouterr().err


@pytest.mark.needs("soffice")
def test_missing_tesseract_names_the_debian_packages(scanned, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as err:
        load(scanned[1])
    assert "扫描件" in err.value.reason and "tesseract-ocr-chi-sim" in err.value.reason


def _pages(pdf) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(pdf))


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize("raw,want", [
    ("区委、区政府 :", "区委、区政府："),
    ("《一 ) 加强制度建设", "（一）加强制度建设"),
    ("(二) 建立 健全 科学 民主 决策", "（二）建立健全科学民主决策"),
    ("全年 办理 案件 12 件, 同比 增长 3.5 %", "全年办理案件12件，同比增长3.5%"),
    ("Word 文档 和 PDF 文件", "Word文档和PDF文件"),
    ("Rule of Law 2023", "Rule of Law 2023"),
])
def test_normalise(raw, want):
    assert normalise(raw) == want


def test_tsv_words_grouped_into_lines_with_boxes_in_points():
    rows = ["level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
            "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
            "4\t1\t1\t1\t1\t0\t300\t400\t250\t60\t-1\t",
            "5\t1\t1\t1\t1\t1\t300\t400\t120\t60\t95.1\t一、",
            "5\t1\t1\t1\t1\t2\t430\t402\t120\t58\t93.0\t总体 情况",
            "5\t1\t1\t1\t2\t1\t300\t500\t600\t60\t91.0\t全年 办理 案件 12 件",
            "5\t1\t2\t1\t1\t1\t2000\t3300\t20\t40\t40.0\tYL",
            "5\t1\t3\t1\t1\t1\t1200\t3400\t80\t40\t90.0\t- 1 -"]
    lines = tsv_lines("\n".join(rows), scale=300 / 72)
    assert [ln.text for ln in lines] == ["一、总体情况", "全年办理案件12件", "-1-"]  # speckles ("YL") dropped
    first = lines[0]
    assert (round(first.x0), round(first.x1), round(first.top), round(first.bottom)) == (72, 132, 96, 110)
