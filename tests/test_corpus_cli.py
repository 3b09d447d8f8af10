"""`fazhi corpus ...` end to end, including a batch killed midway and resumed."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLES

CMD = [str(Path(sys.executable).with_name("fazhi")), "corpus"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def _make_reports(folder: Path, n: int = 30) -> list[Path]:
    """n distinct reports: the samples with small edits (one changed word, a note at the end of the
    report's body, so that no two are the same report in the corpus' eyes)."""
    from fazhi.ingest.chrome import find_body

    folder.mkdir()
    seeds = sorted(SAMPLES.glob("*.txt"))
    out = []
    for i in range(n):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        text = text.replace("法治", "法制", 1) if i % 2 else text
        end = find_body(text)[0].end
        p = folder / f"r{i:02d}.txt"
        p.write_text(text[:end] + f"（第{i + 1}稿）" + text[end:], encoding="utf-8")
        out.append(p)
    return out


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as c:
            return c.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_killed_batch_resumes_with_nothing_lost_or_duplicated(tmp_path):
    files = _make_reports(tmp_path / "reports")
    db = tmp_path / "c.db"
    proc = subprocess.Popen([*CMD, "add", "--db", str(db), "--batch", "3", "--workers", "2", str(tmp_path / "reports")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    deadline = time.time() + 120
    while _stored(db) < 3 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _stored(db)
    assert 3 <= partial < len(files)  # killed midway
    assert workers, "the build ran in worker processes"
    deadline = time.time() + 15  # ... which leave with it rather than wait for work for ever
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.time() < deadline:
        time.sleep(0.2)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()]
    done = _run("add", "--db", str(db), str(tmp_path / "reports"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"新入库 {len(files) - partial} 份，已存在跳过 {partial} 份" in done.stderr
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        paths = [r[0] for r in c.execute("SELECT path FROM reports")]
        assert sorted(Path(p).name for p in paths) == sorted(f.name for f in files)
        assert c.execute("SELECT count(DISTINCT sha256) FROM reports").fetchone()[0] == len(files)
        # every report has its paragraphs, every paragraph one key per LSH band
        assert c.execute("SELECT count(*) FROM reports r WHERE NOT EXISTS "
                         "(SELECT 1 FROM paragraphs p WHERE p.report_id = r.id)").fetchone()[0] == 0
        per_para = c.execute("SELECT DISTINCT n FROM (SELECT count(*) n FROM band_keys GROUP BY paragraph_id)").fetchall()
        from fazhi.corpus.fingerprint import DEFAULT_PARAMS

        assert per_para == [(DEFAULT_PARAMS.bands,)]
        # ... except a repeat of an identical unit of its report, indexed once (fazhi.corpus.candidates)
        assert c.execute("SELECT count(*) FROM paragraphs p WHERE NOT EXISTS "
                         "(SELECT 1 FROM band_keys b WHERE b.paragraph_id = p.id) AND NOT EXISTS "
                         "(SELECT 1 FROM paragraphs q JOIN band_keys b ON b.paragraph_id = q.id "
                         "WHERE q.report_id = p.report_id AND q.text_hash = p.text_hash AND q.seq < p.seq)"
                         ).fetchone()[0] == 0


def test_add_goes_on_past_a_bad_file_and_exits_nonzero(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    for p in sorted(SAMPLES.glob("*.txt"))[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    r = _run("add", "--db", str(tmp_path / "c.db"), str(folder), cwd=tmp_path)
    assert r.returncode == 2
    assert "empty.txt：文件为空" in r.stderr and "Traceback" not in r.stderr
    assert "新入库 2 份" in r.stderr
    again = _run("add", "--db", str(tmp_path / "c.db"), str(folder / "000_0bd4420a3e9538ce.txt"), cwd=tmp_path)
    assert again.returncode == 0 and "已存在跳过 1 份" in again.stderr


def test_list_show_remove(tmp_path):
    for p in sorted(SAMPLES.glob("*.txt")):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    assert _run("add", str(tmp_path), cwd=tmp_path).returncode == 0  # default ./fazhi.db
    assert (tmp_path / "fazhi.db").exists()
    rows = json.loads(_run("list", "--json", cwd=tmp_path).stdout)
    assert [r["report_year"] for r in rows] == [2023, 2021, 2024, 2021, 2019]
    rid = next(r["id"] for r in rows if r["path"].endswith(".txt") and "003_" in r["path"])
    shown = json.loads(_run("show", str(rid), "--json", cwd=tmp_path).stdout)
    assert shown["report"]["issuer"].startswith("中共重庆市潼南区古溪镇委员会")
    assert [c["kind"] for c in shown["copies"]] == ["copying"] and "000_" in shown["copies"][0]["other"]["path"]
    assert shown["ratios"]["copying"] > 0
    text = _run("show", str(rid), cwd=tmp_path).stdout
    assert "与其他单位重复" in text and "中共蓬溪县红江镇委员会" in text
    assert _run("remove", str(rid), cwd=tmp_path).returncode == 0
    gone = _run("show", str(rid), cwd=tmp_path)
    assert gone.returncode == 2 and f"没有编号为 {rid}" in gone.stderr
    assert len(json.loads(_run("list", "--json", cwd=tmp_path).stdout)) == 4


def test_missing_database_is_one_line(tmp_path):
    r = _run("list", "--db", str(tmp_path / "nope.db"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "语料库不存在" in r.stderr


def test_reanalyze_command_reports_counts(tmp_path):
    (tmp_path / "a.txt").write_bytes(sorted(SAMPLES.glob("*.txt"))[0].read_bytes())
    assert _run("add", "--db", "c.db", "a.txt", cwd=tmp_path).returncode == 0
    r = _run("reanalyze", "--db", "c.db", cwd=tmp_path)
    assert r.returncode == 0 and "重新分析 0 份" in r.stderr
    r = _run("reanalyze", "--db", "c.db", "--all", cwd=tmp_path)
    assert r.returncode == 0 and "重新分析 1 份" in r.stderr
