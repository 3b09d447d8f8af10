"""Plain-text ingestion: encodings and where the report lies in a saved page."""
from __future__ import annotations

import codecs

import pytest

from fazhi.errors import InputError
from fazhi.ingest import load
from fazhi.ingest.chrome import chrome_kind, find_body
from make_files import seed_text

GOLD_002_CHROME = ["IE版本小于11", "当前位置", "分享到", "【打印页面】", "【关闭页面】"]


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
@pytest.mark.parametrize("codec,bom,name", [
    ("gb18030", b"", "gb18030"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", b"", "utf-16-be"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-8", b"", "utf-8"),
])
def test_encodings_give_the_exact_text(tmp_path, prefix, codec, bom, name):
    text = seed_text(prefix)
    p = tmp_path / "report.txt"
    p.write_bytes(bom + text.encode(codec, errors="strict"))
    doc = load(p)
    assert doc.text == text  # no BOM, nothing normalised
    assert doc.source.encoding == name
    assert doc.source.format == "txt"
    assert len(doc.source.sha256) == 64


def test_crlf_kept_and_sha_of_raw_bytes(tmp_path):
    import hashlib

    text = seed_text("001").replace("\n", "\r\n")
    data = text.encode("gb18030")
    p = tmp_path / "crlf.txt"
    p.write_bytes(data)
    doc = load(p)
    assert doc.text == text
    assert doc.source.sha256 == hashlib.sha256(data).hexdigest()


def test_big5_is_not_read_as_gb18030(tmp_path):
    trad = "中共重慶市潼南區古溪鎮委員會\n關於2021年法治政府建設工作情況報告\n區委、區政府：\n2021年我鎮嚴格按照《法治政府建設實施綱要》的要求，紮實推進依法行政。\n"
    p = tmp_path / "big5.txt"
    p.write_bytes(trad.encode("big5"))
    doc = load(p)
    assert doc.text == trad
    assert doc.source.encoding != "gb18030"


def test_western_text_is_refused_not_guessed(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Café crème brûlée, déjà vu. Voilà! Ça va très bien, garçon.".encode("cp1252"))
    with pytest.raises(InputError) as err:
        load(p)
    assert "编码" in err.value.reason


def test_saved_page_002_body_excludes_chrome():
    text = seed_text("002")
    body, meta = find_body(text)
    assert text[body.start:].startswith("大王古庄镇2024年法治政府建设情况报告")
    assert text[:body.end].rstrip().endswith("2025110")
    for chrome in GOLD_002_CHROME:
        at = text.find(chrome)
        assert at >= 0 and not body.start <= at < body.end, chrome
    assert meta["publish_date"] == "2025-01-15"
    assert meta["source"] == "天津市武清区大王古庄镇人民政府"
    s, e = meta["source_span"]
    assert text[s:e] == "天津市武清区大王古庄镇人民政府"
    s, e = meta["publish_date_span"]
    assert text[s:e].startswith("2025-01-15")


def test_trailing_related_news_outside_body_004():
    text = seed_text("004")
    body, meta = find_body(text)
    assert text[:body.end].endswith("2019年12月2日")
    assert "相关新闻" in text[body.end:]
    assert meta == {}


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_ordinary_report_body_is_whole_text_stripped(prefix):
    text = seed_text(prefix)
    body, meta = find_body(text)
    stripped = text.strip(" \t\r\n\u3000\ufeff")
    assert text[body.start:body.end] == stripped
    assert meta == {}


def test_attachment_label_inside_report_stays_in_body():
    text = seed_text("000")
    lines = text.split("\n")
    # a bare 附件 label in the middle, followed by more report prose, is not the page's tail
    lines.insert(10, "附件:")
    text2 = "\n".join(lines)
    body, _ = find_body(text2)
    assert text2[:body.end].endswith("2024年1月19日")


def test_chrome_kinds():
    assert chrome_kind("当前位置:") == "nav"
    assert chrome_kind("首页 | 政务公开 | 政务服务 | 互动交流 | 走进某某") == "nav"
    assert chrome_kind("来源:  天津市武清区大王古庄镇人民政府 发布时间: 2025-01-15 14:10") == "info"
    assert chrome_kind("【打印页面】 【关闭页面】") == "tail"
    assert chrome_kind("- 相关新闻") == "tail"
    assert chrome_kind("附件:") == "tail"
    assert chrome_kind("扫一扫在手机打开当前页") == "tail"
    # report lines are not chrome
    assert chrome_kind("附件：1.法治政府建设统计表") is None
    assert chrome_kind("一、2024年度推进法治政府建设的主要举措和成效") is None
    assert chrome_kind("中共重庆市潼南区古溪镇委员会 重庆市潼南区古溪镇人民政府") is None
    assert chrome_kind("大王古庄镇人民政府") is None


def test_txt_that_is_html_is_read_as_html(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text("<html><head><title>t</title></head><body><div><p>一、开展的工作</p><p>全年办理案件12件。</p></div></body></html>",
                 encoding="utf-8")
    doc = load(p)
    assert doc.source.format == "html"
    assert doc.text == "一、开展的工作\n全年办理案件12件。"


def test_utf16le_without_bom_of_a_report_with_few_ascii_characters(tmp_path):
    """Seed 003 has few ASCII characters, so NUL bytes stand on both sides about equally;
    the byte order that gives everyday Chinese wins."""
    text = seed_text("003")
    for codec in ("utf-16-le", "utf-16-be"):
        p = tmp_path / f"{codec}.txt"
        p.write_bytes(text.encode(codec))
        doc = load(p)
        assert doc.text == text and doc.source.encoding == codec and doc.source.notes == []


def test_utf16le_without_bom_analyses_like_utf8(tmp_path):
    import fazhi

    text = seed_text("003")
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16-le"))
    a, b = fazhi.analyze(tmp_path / "a.txt"), fazhi.analyze(tmp_path / "b.txt")
    assert a.to_dict()["outline"] == b.to_dict()["outline"] and a.parts == b.parts
    assert a.metadata == b.metadata and a.score == b.score


def test_big5_report_reads_as_its_text(tmp_path):
    trad = ("中共某某縣某某鎮委員會\n某某鎮2022年法治政府建設工作情況報告\n縣委、縣政府：\n"
            "一、主要舉措和成效\n2022年，我鎮認真貫徹落實黨中央關於法治政府建設的決策部署，全年辦理行政復議案件12件。\n"
            "二、存在的不足和原因\n執法隊伍專業化水平不高。\n三、下一年度主要安排\n持續推進嚴格規範公正文明執法。\n")
    p = tmp_path / "big5.txt"
    p.write_bytes(trad.encode("big5"))
    doc = load(p)
    assert doc.text == trad and doc.source.encoding in ("big5", "cp950", "big5hkscs")


def test_mixed_line_endings(tmp_path):
    import fazhi

    lines = seed_text("000").split("\n")
    ends = ["\r\n", "\r", "\n"]
    mixed = "".join(ln + ends[i % 3] for i, ln in enumerate(lines))
    p = tmp_path / "mixed.txt"
    p.write_bytes(mixed.encode("gb18030"))
    doc = load(p)
    assert len(doc.text) == len(mixed) and "\r" not in doc.text.replace("\r\n", "")
    assert doc.text.replace("\r\n", "\n").split("\n")[: len(lines)] == lines
    plain = tmp_path / "plain.txt"
    plain.write_text(seed_text("000"), encoding="utf-8")
    a, b = fazhi.analyze(plain), fazhi.analyze(p)
    assert [h.title for h in a.outline] == [h.title for h in b.outline] and a.parts.keys() == b.parts.keys()
    assert [k for k, v in a.parts.items() if v is None] == [k for k, v in b.parts.items() if v is None]
    assert a.metadata.issuer == b.metadata.issuer and a.metadata.report_year == b.metadata.report_year


@pytest.mark.parametrize("codec", ["utf-8", "gb18030", "utf-16-le"])
def test_one_corrupt_byte_is_replaced_and_noted(tmp_path, codec):
    text = seed_text("004")
    data = bytearray(text.encode(codec))
    line_no = 12
    at = len("\n".join(text.split("\n")[: line_no - 1]).encode(codec)) + 1 + 4  # inside line 12
    if codec == "utf-16-le":
        at -= at % 2
        while data[at + 1] < 0x4E:  # a Chinese character's high byte
            at += 2
        data[at + 1] = 0xDC  # now a lone low surrogate
    else:
        while data[at] < 0x80:  # hit the first byte of a Chinese character
            at += 1
        data[at] = 0xFF
    p = tmp_path / "damaged.txt"
    p.write_bytes(bytes(data))
    doc = load(p)
    assert doc.source.encoding == codec
    assert doc.source.notes == [f"第{line_no}行有无法解码的字节，已用\ufffd代替"]
    assert "\ufffd" in doc.text.split("\n")[line_no - 1]
    # one damaged character: at most 3 replacement characters, all in that line; the other lines intact
    assert doc.text.count("\ufffd") <= 3
    others = [i for i in range(len(text.split("\n"))) if i != line_no - 1]
    assert [doc.text.split("\n")[i] for i in others] == [text.split("\n")[i] for i in others]


def test_many_corrupt_bytes_are_still_refused(tmp_path):
    import random

    data = bytearray(seed_text("004").encode("utf-8"))
    rng = random.Random(5)
    for at in rng.sample(range(len(data)), 300):
        data[at] = 0xFF
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        load(p)
    assert "编码" in err.value.reason
