"""Every bad input is one InputError with a Chinese reason, never a library traceback."""
from __future__ import annotations

import random
import re

import pytest

from fazhi.errors import InputError
from fazhi.ingest import load


def _reason(path, **kw) -> str:
    with pytest.raises(InputError) as err:
        load(path, **kw)
    reason = err.value.reason
    assert "\n" not in reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason)
    assert err.value.path == str(path)
    return reason


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert "为空" in _reason(p)


def test_whitespace_only(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(" \r\n\t\n".encode())
    assert "为空" in _reason(p)


@pytest.mark.parametrize("name", ["garbage.txt", "garbage.bin", "garbage"])
def test_binary_garbage(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(random.Random(7).randbytes(8192))
    assert "二进制" in _reason(p) or "编码" in _reason(p)


def test_high_bytes_garbage_without_nul(tmp_path):
    p = tmp_path / "noise.txt"
    rng = random.Random(3)
    p.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(4000)))
    assert "编码" in _reason(p)


def test_image_is_unknown_type(tmp_path):
    p = tmp_path / "photo.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(500))
    assert "不支持" in _reason(p)


def test_legacy_doc_is_unknown_type(tmp_path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    assert ".doc" in _reason(p)


def test_over_size_limit(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("法治政府建设" * 500, encoding="utf-8")
    assert "过大" in _reason(p, max_bytes=1024)
    assert load(p, max_bytes=1024 * 1024).text.startswith("法治政府建设")


def test_missing_file_and_directory(tmp_path):
    assert "不存在" in _reason(tmp_path / "nope.txt")
    assert "文件夹" in _reason(tmp_path)


# ---------------------------------------------------------------- reasons name the damage, never a library class

_CLASS_NAME = re.compile(r"[A-Z][A-Za-z]*(?:Error|Exception|File|Zip)\b|（[A-Za-z_.]+）")


def _plain_docx(path):
    import docx

    d = docx.Document()
    for text in ("某某县司法局2023年度法治政府建设情况报告", "一、主要举措和成效", "全年办理行政执法案件120件。"):
        d.add_paragraph(text)
    d.save(path)
    return path


def test_truncated_docx_is_a_damaged_zip(tmp_path):
    good = _plain_docx(tmp_path / "good.docx").read_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(good[: len(good) // 2])
    reason = _reason(p)
    assert "压缩包结构损坏" in reason and not _CLASS_NAME.search(reason)


def test_malformed_document_xml_is_named(tmp_path):
    from make_files import corrupt_docx

    reason = _reason(corrupt_docx(_plain_docx(tmp_path / "good.docx"), tmp_path / "bad.docx"))
    assert reason == "Word 文档已损坏，无法读取（XML 结构损坏）"


def test_docx_without_its_main_part(tmp_path):
    import zipfile

    good = _plain_docx(tmp_path / "good.docx")
    p = tmp_path / "hollow.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"styles.xml", b"missing-styles.xml")
            zout.writestr(item, data)
    assert _reason(p) == "Word 文档已损坏，无法读取（文档缺少必需的组成部分）"


@pytest.mark.parametrize("damage", [b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
                                    b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF"])
def test_damaged_pdf_reasons_are_chinese(tmp_path, damage):
    p = tmp_path / "bad.pdf"
    p.write_bytes(damage)
    reason = _reason(p)
    assert "PDF" in reason and not _CLASS_NAME.search(reason) and "扫描件" not in reason


def test_damaged_ofd_reason(tmp_path):
    import zipfile

    p = tmp_path / "bad.ofd"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'><ofd:DocBody><ofd:DocRoot>")
    assert _reason(p) == "OFD 文件中的 OFD.xml 已损坏（XML 结构损坏）"
