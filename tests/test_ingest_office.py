""".doc and .wps (and .rtf / .odt) through LibreOffice: files LibreOffice writes are read to the
same outline, parts and metadata as the .txt; a missing LibreOffice and a damaged file are
named in one Chinese line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import fazhi
from fazhi.errors import InputError
from fazhi.ingest import load
from make_files import reading_of, seed_paragraphs, seed_text, to_office

PREFIXES = ["004"]
pytestmark = pytest.mark.needs("soffice")


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """Per sample: the .txt, and the .doc / .wps / .rtf / .odt LibreOffice saves from a .docx of it."""
    import docx

    d = tmp_path_factory.mktemp("office")
    out = {}
    for prefix in PREFIXES:
        src = d / f"{prefix}.docx"
        w = docx.Document()
        for para in seed_paragraphs(prefix):
            w.add_paragraph(para)
        w.save(src)
        txt = d / f"{prefix}.txt"
        txt.write_text(seed_text(prefix), encoding="utf-8")
        files = {"txt": txt}
        for fmt in ("doc", "rtf", "odt"):
            files[fmt] = to_office(src, d, d / "profile", fmt)
        files["wps"] = Path(shutil.copy(files["doc"], d / f"{prefix}.wps"))  # WPS 文字 saves Word 97 binaries
        out[prefix] = files
    return out


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("fmt", ["doc", "wps", "rtf", "odt"])
def test_office_formats_read_like_the_txt(office_files, prefix, fmt):
    files = office_files[prefix]
    report = fazhi.analyze(files[fmt])
    assert report.source.format == fmt
    assert reading_of(report) == reading_of(fazhi.analyze(files["txt"]))
    assert report.text.split("\n") == seed_paragraphs(prefix)


def test_parallel_conversions_use_private_profiles(office_files):
    from concurrent.futures import ThreadPoolExecutor

    files = [office_files["004"][f] for f in ("doc", "wps", "rtf", "odt")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(lambda f: load(f).text, files))
    assert texts == ["\n".join(seed_paragraphs("004"))] * 4


def test_missing_libreoffice_names_the_debian_package(office_files, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without soffice
    with pytest.raises(InputError) as err:
        load(office_files["004"]["doc"])
    assert "libreoffice-writer-nogui" in err.value.reason and "LibreOffice" in err.value.reason


def test_damaged_doc_is_refused_with_its_format(tmp_path, office_files):
    good = office_files["004"]["doc"].read_bytes()
    p = tmp_path / "cut.doc"
    p.write_bytes(good[:1536])
    with pytest.raises(InputError) as err:
        load(p)
    assert ".doc" in err.value.reason and "损坏" in err.value.reason


def test_temporary_files_are_removed(office_files, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    load(office_files["004"]["wps"])
    assert list(tmp_path.iterdir()) == []
