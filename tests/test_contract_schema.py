"""docs/report.schema.json against the real output of `fazhi analyze --json` — every bundled sample, Word
(with automatic numbering), a GB2312 government web page, GB18030 and UTF-16 text, a PDF written by
LibreOffice, copies from a folder and from a database, and an unreadable file in a batch — and the
schema strict enough that a renamed or undocumented field fails; docs/contract.md names every field."""
from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, sample_path, sample_text
from jsonschema import Draft202012Validator
from make_files import gov_page_html, make_numbered_docx, make_paged_docx, seed_paragraphs, to_pdf

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
FAZHI = str(Path(sys.executable).with_name("fazhi"))
VALIDATOR = Draft202012Validator(SCHEMA)
REPORT = Draft202012Validator({k: v for k, v in SCHEMA.items() if k != "oneOf"} | {"$ref": "#/$defs/report"})


def analyze_json(*args: str, ok: tuple[int, ...] = (0,)) -> list[dict]:
    r = subprocess.run([FAZHI, "analyze", "--json", *args], capture_output=True, text=True, timeout=600)
    assert r.returncode in ok, r.stderr
    out = json.loads(r.stdout)
    return out if isinstance(out, list) else [out]


def errors(validator: Draft202012Validator, obj: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(obj)]


@pytest.fixture(scope="module")
def sample_outputs() -> list[dict]:
    return analyze_json(*map(str, sorted(SAMPLES.glob("*.txt"))))


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_bundled_sample_matches(sample_outputs):
    assert len(sample_outputs) == 5
    for out in sample_outputs:
        assert errors(REPORT, out) == [], out["source"]["path"]
    # the checks reach into the nested objects: these are not empty on the samples
    assert all(o["outline"] and o["indicators"] and o["findings"] and o["areas"]["paragraphs"] for o in sample_outputs)
    assert any(o["page"] for o in sample_outputs) and any(o["metadata"]["spans"] for o in sample_outputs)


def test_other_formats_match(tmp_path):
    docx = make_numbered_docx(tmp_path / "numbered.docx")
    page = tmp_path / "page.html"
    page.write_bytes(gov_page_html("gb2312").encode("gb2312", errors="xmlcharrefreplace"))
    text = sample_text("001")
    (tmp_path / "gb.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    outs = analyze_json(*(str(tmp_path / n) for n in ("numbered.docx", "page.html", "gb.txt", "u16.txt")))
    assert [o["source"]["format"] for o in outs] == ["docx", "html", "txt", "txt"]
    assert outs[1]["page"]["publish_date"] == "2024-03-28"  # what the page said of itself
    for out in outs:
        assert errors(REPORT, out) == [], out["source"]["path"]
    assert docx.exists()


@pytest.mark.needs("soffice")
def test_pdf_matches(tmp_path):
    src = make_paged_docx(tmp_path / "paged.docx", seed_paragraphs("003"))
    pdf = to_pdf(src, tmp_path, tmp_path / "profile")
    (out,) = analyze_json(str(pdf))
    assert out["source"]["format"] == "pdf" and out["source"]["encoding"] is None
    assert errors(REPORT, out) == []


def test_copies_from_a_folder_and_from_a_database_match(tmp_path, samples_db):
    (from_folder,) = analyze_json("--corpus", str(SAMPLES), str(sample_path("000")))
    (from_db,) = analyze_json("--corpus", str(samples_db), str(sample_path("003")))
    assert from_folder["copies"] and from_db["copies"]
    assert "id" not in from_folder["copies"][0]["other"] and "id" in from_db["copies"][0]["other"]
    for out in (from_folder, from_db):
        assert errors(REPORT, out) == []


def test_an_unreadable_file_in_a_batch_is_an_error_element(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    outs = analyze_json(str(tmp_path / "empty.txt"), str(sample_path("004")), ok=(2,))
    assert set(outs[0]) == {"source", "error"} and "为空" in outs[0]["error"]
    for out in outs:
        assert errors(VALIDATOR, out) == []


@pytest.mark.parametrize("where, change", [
    ("metadata", lambda o: o["metadata"].__setitem__("issuer_name", o["metadata"].pop("issuer"))),
    ("indicator", lambda o: o["indicators"][0].__setitem__("units", o["indicators"][0].pop("unit"))),
    ("heading", lambda o: o["outline"][0].pop("inferred")),
    ("parts", lambda o: o["parts"].__setitem__("measure", o["parts"].pop("measures"))),
    ("finding category", lambda o: o["findings"][0].__setitem__("category", "格式")),
    ("finding span", lambda o: o["findings"][0].__setitem__("start", "12")),
    ("part-missing without part", lambda o: o["findings"].append(
        {"rule": "part-missing", "category": "structure", "severity": "error", "message": "缺少", "suggestion": None,
         "start": None, "end": None})),
    ("source", lambda o: o["source"].__setitem__("sha", o["source"].pop("sha256"))),
    ("score", lambda o: o["score"].__setitem__("total", "59")),
    ("date", lambda o: o["metadata"].__setitem__("sign_date", "2024年1月19日")),
    ("top level", lambda o: o.__setitem__("finding", o.pop("findings"))),
])
def test_a_renamed_or_mistyped_field_is_caught(sample_outputs, where, change):
    out = copy.deepcopy(sample_outputs[0])
    change(out)
    assert errors(REPORT, out), where


def _property_names(node) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties":
                names |= set(value)
            names |= _property_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= _property_names(value)
    return names


def test_contract_page_names_every_field_of_the_schema():
    documented = set(re.findall(r"`([a-z_0-9<>]+)`", CONTRACT))
    spans = {n for n in _property_names(SCHEMA) if n.endswith("_span")}  # documented as `<key>_span`
    assert _property_names(SCHEMA) - spans - documented == set()
    assert "../" not in CONTRACT
