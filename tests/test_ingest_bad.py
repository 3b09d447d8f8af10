"""Every bad input is one InputError with a Chinese reason, never a library traceback."""
from __future__ import annotations

import random

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
