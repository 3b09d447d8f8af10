"""The command line, run as a user runs it (a real subprocess)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import sample_path

FAZHI = [str(Path(sys.executable).with_name("fazhi"))]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="120")
    return subprocess.run(FAZHI + list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_json_follows_the_contract():
    p = run("analyze", "--json", str(sample_path("003")))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("source", "text", "body", "metadata", "outline", "parts", "indicators", "citations", "findings"):
        assert key in d
    assert d["source"]["format"] == "txt" and len(d["source"]["sha256"]) == 64
    assert set(d["metadata"]["place"]) >= {"province", "city", "county", "town"}
    h = d["outline"][0]
    assert set(h) >= {"level", "marker", "number", "title", "start", "end", "inferred"}
    for f in d["findings"]:
        assert f["category"] in {"structure", "metadata", "format", "formulation", "timeliness", "content",
                                 "duplication"}
        assert f["severity"] in {"error", "warning", "info"}
        if f["start"] is not None:
            assert d["text"][f["start"]:f["end"]]


def test_several_files_give_an_array_in_order():
    p = run("analyze", "--json", str(sample_path("001")), str(sample_path("000")))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert [Path(x["source"]["path"]).name[:3] for x in d] == ["001", "000"]


def test_summary_is_readable_chinese():
    p = run("analyze", str(sample_path("002")))
    assert p.returncode == 0, p.stderr
    for words in ("大王古庄镇2024年法治政府建设情况报告", "法定内容", "提纲", "2025110"):
        assert words in p.stdout


def test_bad_file_in_a_batch(tmp_path):
    empty = tmp_path / "空白.txt"
    empty.write_bytes(b"")
    p = run("analyze", "--json", str(empty), str(sample_path("000")))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    first = [line for line in p.stderr.splitlines() if "空白.txt" in line]
    assert len(first) == 1
    d = json.loads(p.stdout)
    assert "error" in d[0] and d[1]["metadata"]["issuer"] == "中共蓬溪县红江镇委员会"


def test_missing_file_is_one_clear_line(tmp_path):
    p = run("analyze", str(tmp_path / "没有这个文件.docx"))
    assert p.returncode == 2
    assert "没有这个文件.docx" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_samples_flag_analyses_all_bundled_reports():
    p = run("analyze", "--samples", "--json")
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)) == 5
