"""Word documents: order, tables, automatic numbering restored, headers/footers left out."""
from __future__ import annotations

import pytest

from fazhi.errors import InputError
from fazhi.ingest import load
from fazhi.ingest.numbering import chinese_numeral, format_number
from make_files import (NUMBERED_DOCX_LINES, corrupt_docx, make_encrypted_docx, make_numbered_docx,
                        make_zip_bomb, seed_text, write_minimal_docx)


def test_numbered_docx_markers_table_order(tmp_path):
    doc = load(make_numbered_docx(tmp_path / "report.docx"))
    assert doc.source.format == "docx"
    assert doc.source.encoding is None
    assert doc.text.split("\n") == NUMBERED_DOCX_LINES
    assert "页眉" not in doc.text and "页脚" not in doc.text
    assert doc.text[doc.body.start:doc.body.end] == doc.text


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_minimal_docx_without_styles_or_numbering(tmp_path, prefix):
    text = seed_text(prefix)
    doc = load(write_minimal_docx(tmp_path / "seed.docx", text))
    want = [ln.strip() for ln in text.split("\n") if ln.strip()]
    got = [ln.strip() for ln in doc.text.split("\n") if ln.strip()]
    assert got == want


def test_minimal_docx_of_saved_page_keeps_chrome_outside_body(tmp_path):
    doc = load(write_minimal_docx(tmp_path / "seed.docx", seed_text("002")))
    body = doc.text[doc.body.start:doc.body.end]
    assert body.startswith("大王古庄镇2024年法治政府建设情况报告")
    assert "分享到" not in body and "当前位置" not in body
    assert doc.page_meta["publish_date"] == "2025-01-15"


@pytest.mark.parametrize("n,fmt,want", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCountingThousand", "二十"), (105, "chineseCountingThousand", "一百零五"),
    (3, "ideographTraditional", "丙"), (2, "chineseLegalSimplified", "贰"),
    (4, "decimalEnclosedCircle", "④"), (3, "upperRoman", "III"), (2, "lowerLetter", "b"), (7, "decimal", "7"),
])
def test_number_formats(n, fmt, want):
    assert format_number(n, fmt) == want


def test_chinese_numeral_not_one_ten():
    assert chinese_numeral(12) == "十二"
    assert chinese_numeral(112) == "一百一十二"


def test_zip_bomb_refused_before_inflating(tmp_path):
    with pytest.raises(InputError) as err:
        load(make_zip_bomb(tmp_path / "bomb.docx"))
    assert "压缩炸弹" in err.value.reason


def test_encrypted_docx(tmp_path):
    plain = make_numbered_docx(tmp_path / "plain.docx")
    with pytest.raises(InputError) as err:
        load(make_encrypted_docx(plain, tmp_path / "locked.docx"))
    assert "加密" in err.value.reason


def test_corrupt_docx(tmp_path):
    plain = make_numbered_docx(tmp_path / "plain.docx")
    with pytest.raises(InputError) as err:
        load(corrupt_docx(plain, tmp_path / "broken.docx"))
    assert "损坏" in err.value.reason


def test_docx_suffix_but_not_a_zip(tmp_path):
    p = tmp_path / "fake.docx"
    p.write_text("一、开展的工作\n全年办理案件12件。", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(p)
    assert "损坏" in err.value.reason


def test_other_office_zip_is_not_word(tmp_path):
    import zipfile

    p = tmp_path / "sheet.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError) as err:
        load(p)
    assert "Excel" in err.value.reason
