"""The store under concurrent writers and a full disk (issue 11, tried-reliability rows 15, 16, 19):

- three `fazhi corpus add` started at once on a NEW database (SQLite, and PostgreSQL when
  FAZHI_TEST_PG_URL is set), each with its own folder: every report stored exactly once, and the
  copy matches between reports stored by different processes all there (the same report pairs
  as one process storing everything);
- a disk that fills up (a 2 MB tmpfs, mounted as root): one clear line, exit 2, a consistent
  database, and the same command completes once there is room.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PG_URL, reset_pg

N_REPORTS = 24
CMD = [sys.executable, "-m", "fazhi", "corpus"]


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory):
    """24 synthetic reports (planted copies and templates among them), dealt into three folders."""
    from fazhi.corpus.synth import generate

    base = tmp_path_factory.mktemp("synth")
    generate(N_REPORTS, base / "all", seed=11)
    files = sorted((base / "all").glob("*.txt"))
    assert len(files) == N_REPORTS
    folders = [base / f"part{i}" for i in range(3)]
    for i, f in enumerate(files):
        folders[i % 3].mkdir(exist_ok=True)
        (folders[i % 3] / f.name).write_bytes(f.read_bytes())
    return {"all": base / "all", "parts": folders}


@pytest.fixture(scope="module")
def reference_pairs(corpus_files, tmp_path_factory):
    """The report pairs sharing passages when one process stores everything."""
    db = tmp_path_factory.mktemp("ref") / "ref.db"
    done = subprocess.run([*CMD, "add", "--db", str(db), str(corpus_files["all"])], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return _pairs(f"sqlite:///{db}")


def _pairs(url: str) -> set[tuple[str, str]]:
    from sqlalchemy import text

    from fazhi.corpus.store import open_corpus

    with open_corpus(url, create=False) as c, c.engine.connect() as conn:
        rows = conn.execute(text("SELECT a.path, b.path FROM copy_matches m JOIN reports a ON a.id = m.report_id "
                                 "JOIN reports b ON b.id = m.other_id")).all()
    return {(Path(a).name, Path(b).name) for a, b in rows}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def test_three_corpus_add_at_once_on_a_new_database(kind, corpus_files, reference_pairs, tmp_path):
    from sqlalchemy import text

    from fazhi.corpus.store import open_corpus

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        reset_pg(PG_URL)
        url = PG_URL
    try:
        procs = [subprocess.Popen([*CMD, "add", "--db", url, str(folder)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for folder in corpus_files["parts"]]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (_out, err) in zip(procs, outs):
            assert p.returncode == 0 and "Traceback" not in err and "错误" not in err, err
        assert sum(int(err.split("新入库 ")[1].split(" 份")[0]) for _o, err in outs) == N_REPORTS
        with open_corpus(url, create=False) as c, c.engine.connect() as conn:
            names = [Path(r[0]).name for r in conn.execute(text("SELECT path FROM reports"))]
            assert sorted(names) == sorted(f.name for f in corpus_files["all"].glob("*.txt"))  # each once
            assert conn.execute(text("SELECT count(*) FROM reports WHERE copies_at IS NULL")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM reports r WHERE NOT EXISTS "
                                     "(SELECT 1 FROM paragraphs p WHERE p.report_id = r.id)")).scalar() == 0
        pairs = _pairs(url)
        assert pairs and pairs == reference_pairs  # no pair lost between reports stored by two processes
    finally:
        if kind == "postgresql":
            reset_pg(PG_URL)


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.fail("这个测试需要 root 权限挂载 tmpfs（mount -t tmpfs）；make test 以 root 运行")
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)


def test_a_full_disk_stops_with_one_clear_line_and_the_rerun_completes(corpus_files, tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "1m")
    try:
        db = disk / "c.db"
        # batches of 4 reports: the disk fills in the middle of the run, after some batches are stored
        first = subprocess.run([*CMD, "add", "--db", str(db), "--batch", "4", str(corpus_files["all"])],
                               capture_output=True, text=True, timeout=600)
        errors = [ln for ln in first.stderr.splitlines() if ln.startswith("错误")]
        assert first.returncode == 2 and "Traceback" not in first.stderr
        assert len(errors) == 1 and "磁盘已满" in errors[0] and "重新运行同一命令" in errors[0], first.stderr
        stored = int(first.stderr.split("新入库 ")[1].split(" 份")[0])
        assert 0 < stored < N_REPORTS
        with sqlite3.connect(db) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert c.execute("PRAGMA foreign_key_check").fetchall() == []
            assert c.execute("SELECT count(*) FROM reports").fetchone()[0] == stored
            assert c.execute("SELECT count(*) FROM reports WHERE copies_at IS NULL").fetchone()[0] == 0
            assert c.execute("SELECT count(*) FROM reports r WHERE NOT EXISTS "
                             "(SELECT 1 FROM paragraphs p WHERE p.report_id = r.id)").fetchone()[0] == 0
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        again = subprocess.run([*CMD, "add", "--db", str(db), str(corpus_files["all"])], capture_output=True,
                               text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        assert f"新入库 {N_REPORTS - stored} 份，已存在跳过 {stored} 份，失败 0 份" in again.stderr
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT count(DISTINCT sha256) FROM reports").fetchone()[0] == N_REPORTS
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_read_only_store_is_read_and_never_written(corpus_files, tmp_path):
    """On a read-only disk: list and analyze --corpus work, corpus add says so in one line."""
    disk = tmp_path / "ro"
    _mount_tmpfs(disk, "64m")
    try:
        db = disk / "c.db"
        part = corpus_files["parts"][0]
        assert subprocess.run([*CMD, "add", "--db", str(db), str(part)], capture_output=True).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        listed = subprocess.run([*CMD, "list", "--json", "--db", str(db)], capture_output=True, text=True)
        assert listed.returncode == 0 and len(__import__("json").loads(listed.stdout)) == N_REPORTS // 3
        one = sorted(corpus_files["parts"][1].glob("*.txt"))[0]
        analysed = subprocess.run([sys.executable, "-m", "fazhi", "analyze", "--json", str(one), "--corpus", str(db)],
                                  capture_output=True, text=True)
        assert analysed.returncode == 0 and "copies" in __import__("json").loads(analysed.stdout)
        add = subprocess.run([*CMD, "add", "--db", str(db), str(one)], capture_output=True, text=True)
        assert add.returncode == 2 and add.stderr.strip().splitlines()[0].endswith("数据库只读，无法写入")
        assert "Traceback" not in add.stderr
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("store, says", [
    ("/nonexistent/x.db", "语料库不存在"),
    ("NOTDB", "不是数据库文件"),
    ("postgresql://nobody@127.0.0.1:1/none", "无法连接数据库服务器"),
])
def test_analyze_with_a_bad_store_is_one_clear_line(store, says, tmp_path):
    from conftest import sample_path

    if store == "NOTDB":
        store = str(tmp_path / "notes.txt")
        Path(store).write_text("这不是数据库\n" * 50, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "fazhi", "analyze", str(sample_path("001")), "--corpus", store],
                       capture_output=True, text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(lines) == 1 and lines[0].startswith("错误：") and says in lines[0], r.stderr
    assert "Error" not in lines[0]  # no Python class name
