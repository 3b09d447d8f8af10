"""`fazhi user | unit | period | cycle status` on a real SQLite file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi.cli import main

FAZHI = str(Path(sys.executable).with_name("fazhi"))
PASSWORD = "correct-horse-1"


def _cycle(db: Path):
    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle

    return Cycle(open_corpus(db))


def test_user_add_admin_then_authenticate(tmp_path):
    db = tmp_path / "f.db"
    done = subprocess.run([FAZHI, "user", "add", "boss", "--admin", "--password", PASSWORD, "--db", str(db)],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    assert "已创建账号 boss：管理员" in done.stderr and PASSWORD not in done.stdout + done.stderr
    c = _cycle(db)
    assert c.authenticate("boss", PASSWORD)["role"] == "admin"
    assert c.authenticate("boss", "wrong-password") is None
    c.corpus.close()
    again = subprocess.run([FAZHI, "user", "add", "boss", "--admin", "--password", PASSWORD, "--db", str(db)],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert again.returncode == 2 and again.stderr.strip() == "错误：用户名“boss”已存在。"


def test_password_from_the_environment_and_never_from_a_pipe(tmp_path, capsys, monkeypatch):
    import io

    db = str(tmp_path / "f.db")
    monkeypatch.setenv("FAZHI_PASSWORD", PASSWORD)
    assert main(["user", "add", "hj", "--unit", "某某县人民政府", "--db", db]) == 0
    monkeypatch.delenv("FAZHI_PASSWORD")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))  # not a terminal: no prompt
    assert main(["user", "add", "li", "--reviewer", "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == "错误：请用 --password 或环境变量 FAZHI_PASSWORD 给出密码（当前不是交互终端）。"
    c = _cycle(Path(db))
    assert c.authenticate("hj", PASSWORD)["unit_name"] == "某某县人民政府"
    assert [u["username"] for u in c.users()] == ["hj"]
    c.corpus.close()


def test_prompted_password_must_match_twice(tmp_path, capsys, monkeypatch):
    import getpass

    db = str(tmp_path / "f.db")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter([PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["user", "add", "li", "--reviewer", "--db", db]) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert main(["user", "add", "li", "--reviewer", "--db", db]) == 0
    c = _cycle(Path(db))
    assert c.authenticate("li", PASSWORD)["role"] == "reviewer"
    c.corpus.close()


@pytest.mark.parametrize("argv, why", [
    (["user", "add", "x", "--password", PASSWORD], "请指定角色"),
    (["user", "add", "x", "--admin", "--password", "short"], "至少需要 8"),
    (["unit", "add", "x", "--level", "国家"], "未知层级"),
    (["period", "add", "2025", "--deadline", "区县"], "层级=YYYY-MM-DD"),
    (["period", "add", "2025", "--deadline", "区县=2026-13-01"], "无效"),
    (["cycle", "status", "2025", "--today", "昨天"], "无效"),
    (["user", "passwd", "nobody", "--password", PASSWORD], "不存在"),
    (["user", "disable", "nobody"], "不存在"),
])
def test_errors_are_one_chinese_line_with_exit_2(tmp_path, capsys, argv, why):
    assert main([*argv, "--db", str(tmp_path / "f.db")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("错误：") and why in err


def test_unit_period_and_cycle_status(tmp_path, capsys):
    # a year whose deadlines lie ahead (next year, the latest a period may have), so the period is
    # opened in time and lateness counts; a year far ahead is refused
    from datetime import date

    year = date.today().year + 1
    db = str(tmp_path / "f.db")
    assert main(["unit", "add", "某某县人民政府", "--level", "区县", "--db", db]) == 0
    assert main(["unit", "add", "某某市人民政府", "--level", "地市", "--db", db]) == 0
    assert main(["period", "add", "2199", "--db", db]) == 2
    assert "2199" in capsys.readouterr().err
    assert main(["period", "add", str(year), "--deadline", f"区县={year + 1}-02-20", "--db", db]) == 0
    capsys.readouterr()
    assert main(["unit", "list", "--json", "--db", db]) == 0
    units = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["level"]) for u in units] == [("某某县人民政府", "区县"), ("某某市人民政府", "地市")]
    assert main(["period", "list", "--json", "--db", db]) == 0
    (period,) = json.loads(capsys.readouterr().out)
    assert period["deadlines"]["区县"] == f"{year + 1}-02-20" and period["deadlines"]["地市"] == f"{year + 1}-03-01"
    assert main(["cycle", "status", str(year), "--today", f"{year + 1}-02-25", "--json", "--db", db]) == 0
    rows = {r["unit_name"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["某某县人民政府"]["late"], rows["某某县人民政府"]["days_late"]) == (True, 5)
    assert rows["某某市人民政府"]["late"] is False and rows["某某市人民政府"]["status"] == "pending"
    assert main(["cycle", "status", str(year), "--today", f"{year + 1}-02-25", "--db", db]) == 0
    out = capsys.readouterr()
    assert "逾期 5 天" in out.out and "待提交" in out.out and "未提交 2 个，逾期 1 个" in out.err


def test_user_list_passwd_disable(tmp_path, capsys):
    db = str(tmp_path / "f.db")
    assert main(["user", "add", "li", "--reviewer", "--password", PASSWORD, "--db", db]) == 0
    assert main(["user", "passwd", "li", "--password", "new-password-2", "--db", db]) == 0
    assert main(["user", "disable", "li", "--db", db]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--json", "--db", db]) == 0
    (u,) = json.loads(capsys.readouterr().out)
    assert (u["username"], u["role"], u["active"]) == ("li", "reviewer", False) and "password_hash" not in u
    c = _cycle(Path(db))
    assert c.authenticate("li", "new-password-2") is None  # disabled
    c.set_active("li", True)
    assert c.authenticate("li", "new-password-2")["username"] == "li"
    c.corpus.close()
