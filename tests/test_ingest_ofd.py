"""OFD (GB/T 33190): files laid out like a fixed-layout writer makes them are read in reading
order, paragraphs rejoined, running header and page numbers dropped; damaged ones refused."""
from __future__ import annotations

import random
import re
import zipfile

import pytest

import fazhi
from fazhi.errors import InputError
from fazhi.ingest import load
from make_files import reading_of, seed_paragraphs, seed_text, write_ofd

CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])\s+(?=[\u4e00-\u9fff])")


@pytest.mark.parametrize("prefix", ["000", "003", "004"])
def test_ofd_reads_like_the_txt(tmp_path, prefix):
    txt = tmp_path / "r.txt"
    txt.write_text(seed_text(prefix), encoding="utf-8")
    ofd = write_ofd(tmp_path / "r.ofd", seed_paragraphs(prefix))
    doc = load(ofd)
    assert doc.source.format == "ofd"
    # every paragraph whole, header and page numbers gone ("2023 年" spaces dropped as in PDFs)
    assert doc.text.split("\n") == [CJK_SPACE.sub("", p) for p in seed_paragraphs(prefix)]
    assert reading_of(fazhi.analyze(ofd)) == reading_of(fazhi.analyze(txt))


def test_reading_order_does_not_depend_on_object_order(tmp_path):
    """Writers emit TextObjects in any order (by font, by layer); position decides."""
    paras = seed_paragraphs("004")
    ofd = write_ofd(tmp_path / "r.ofd", paras)
    shuffled = tmp_path / "shuffled.ofd"
    rng = random.Random(11)
    with zipfile.ZipFile(ofd) as zin, zipfile.ZipFile(shuffled, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename).decode("utf-8")
            if item.filename.endswith("Content.xml"):
                head, _, rest = data.partition("<ofd:TextObject ")
                body, _, tail = ("<ofd:TextObject " + rest).rpartition("</ofd:TextObject>")
                objects = (body + "</ofd:TextObject>").split("</ofd:TextObject>")[:-1]
                rng.shuffle(objects)
                data = head + "".join(o + "</ofd:TextObject>" for o in objects) + tail
            zout.writestr(item, data)
    assert load(shuffled).text == load(ofd).text == "\n".join(CJK_SPACE.sub("", p) for p in paras)


def test_ofd_zip_bomb_refused(tmp_path):
    p = tmp_path / "bomb.ofd"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", "<OFD/>")
        z.writestr("Doc_0/Pages/Page_0/Content.xml", b" " * (64 << 20))
    with pytest.raises(InputError) as err:
        load(p)
    assert "压缩炸弹" in err.value.reason


def test_ofd_missing_page_refused(tmp_path):
    ofd = write_ofd(tmp_path / "r.ofd", seed_paragraphs("000"))
    cut = tmp_path / "cut.ofd"
    with zipfile.ZipFile(ofd) as zin, zipfile.ZipFile(cut, "w") as zout:
        for item in zin.infolist():
            if item.filename != "Doc_0/Pages/Page_1/Content.xml":
                zout.writestr(item, zin.read(item.filename))
    with pytest.raises(InputError) as err:
        load(cut)
    assert err.value.reason == "OFD 文件缺少 Doc_0/Pages/Page_1/Content.xml（文档结构损坏）"


def test_ofd_without_text_is_not_called_empty_zip(tmp_path):
    p = write_ofd(tmp_path / "blank.ofd", [], header=None)
    with pytest.raises(InputError) as err:
        load(p)
    assert err.value.reason == "OFD 文件中没有文字（页面空白或只有图像）"
