"""The yearly cycle and the store together (issue 11): report ids are never reused, removing a report
keeps its submission consistent and is audited with the operating-system user, a unit's upload of
another unit's text is that unit's report and copying (抄用他单位), and a database of the previous
schema is migrated with nothing lost. SQLite, and PostgreSQL when FAZHI_TEST_PG_URL is set."""
from __future__ import annotations

import re

import pytest
from conftest import PG_URL, reset_pg, sample_path, sample_text

from fazhi.corpus.store import open_corpus

PASSWORD = "store-pass-12"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cs.db'}"
        return
    reset_pg(PG_URL)
    yield PG_URL
    reset_pg(PG_URL)


@pytest.fixture
def cycle(url):
    from fazhi.cycle import Cycle

    c = Cycle(open_corpus(url))
    yield c
    c.corpus.close()


def sample(prefix: str) -> tuple[str, bytes]:
    return sample_path(prefix).name, sample_path(prefix).read_bytes()


def edited(prefix: str, n: int) -> bytes:
    """The sample with one more sentence (another version of the same report)."""
    text = sample_text(prefix)
    cut = text.index("\n", len(text) // 2)
    return (text[:cut] + f"\n本年度共修订第{n}版内部制度，进一步规范工作程序。" + text[cut:]).encode("utf-8")


def test_ids_are_never_reused_after_a_removal(cycle):
    import fazhi

    corpus = cycle.corpus
    ids = [corpus.add(fazhi.analyze(sample_path(p)))[0] for p in ("000", "001", "002")]
    assert corpus.remove(ids[-1])
    again, added = corpus.add(fazhi.analyze(sample_path("002")))
    assert added and again > max(ids)
    assert corpus.remove(again)
    third, _ = corpus.add(fazhi.analyze(sample_path("003")))
    assert third > again


def test_removing_versions_keeps_the_submission_consistent(cycle):
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    v1 = cycle.upload(rev, "v1.txt", edited("000", 1))
    v2 = cycle.upload(rev, "v2.txt", edited("000", 2), unit_id=v1["unit_id"], year=v1["year"])
    sid = v1["submission_id"]
    assert v2["submission_id"] == sid and v2["version"] == 2
    cycle.approve(rev, sid)
    assert cycle.corpus.remove(v2["report_id"], by="测试员")
    sub = cycle.submission(sid)
    assert (sub["report_id"], sub["status"]) == (v1["report_id"], "submitted")  # the approved one is gone
    assert [v["report_id"] for v in sub["versions"]] == [v1["report_id"]]
    assert cycle.corpus.remove(v1["report_id"], by="测试员")
    sub = cycle.submission(sid)
    assert (sub["report_id"], sub["status"], sub["submitted_at"], sub["versions"]) == (None, "pending", None, [])
    log = cycle.audit_log()
    removed = [e for e in log if e["action"] == "report.remove"]
    assert {e["target"] for e in removed} == {f"report:{v1['report_id']}", f"report:{v2['report_id']}"}
    assert all(e["username"] == "测试员" for e in removed)
    moves = [(e["detail"]["from"], e["detail"]["to"]) for e in log if e["action"] == "status" and
             e["detail"].get("via") == "remove"]
    assert moves == [("submitted", "pending"), ("approved", "submitted")]


def test_corpus_remove_on_the_command_line_is_audited_with_the_os_user(tmp_path):
    import getpass

    from fazhi.cli import main
    from fazhi.cycle import Cycle

    db = tmp_path / "cli.db"
    c = Cycle(open_corpus(db))
    up = c.upload(c.add_user("rev", PASSWORD, "reviewer"), *sample("004"))
    c.corpus.close()
    assert main(["corpus", "remove", str(up["report_id"]), "--db", str(db)]) == 0
    assert main(["user", "add", "new-admin", "--admin", "--password", PASSWORD, "--db", str(db)]) == 0
    c = Cycle(open_corpus(db))
    log = c.audit_log()
    c.corpus.close()
    removed = next(e for e in log if e["action"] == "report.remove")
    added = next(e for e in log if e["action"] == "user.add")
    assert removed["username"] == added["username"] == f"{getpass.getuser()}（命令行）"
    assert removed["user_agent"] == added["user_agent"] == "fazhi 命令行"
    assert next(e for e in log if e["action"] == "status")["detail"]["to"] == "pending"


def test_another_units_text_uploaded_by_a_unit_is_its_own_report_and_copying(cycle):
    """Unit B submits unit A's report with its year and figures changed: filed under B, and the
    shared text is 抄用他单位 from both sides, never 沿用往年 (the text names A as its issuer)."""
    from fazhi.corpus.copies import match_stored

    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    a = cycle.upload(rev, *sample("000"))
    b_user = cycle.add_user("b", PASSWORD, "unit", unit_name="大王古庄镇人民政府")
    text = re.sub(r"2023", "2024", sample_text("000"))
    b = cycle.upload(b_user, "我们的报告.txt", text.encode("utf-8"))
    assert b["unit_name"] == "大王古庄镇人民政府" and b["report_id"] != a["report_id"]
    row = cycle.corpus.get(b["report_id"])
    assert row["unit_id"] == b["unit_id"] and row["issuer"] == "中共蓬溪县红江镇委员会"  # what the text claims
    mine = match_stored(cycle.corpus, b["report_id"])
    theirs = match_stored(cycle.corpus, a["report_id"])
    assert mine and {c["kind"] for c in mine} == {"copying"}
    assert {c["other"]["id"] for c in mine} == {a["report_id"]}
    assert theirs and {c["kind"] for c in theirs} == {"copying"}
    # the same unit's next year, uploaded by the reviewer, is still recycling
    nxt = cycle.upload(rev, "next.txt", re.sub(r"2023", "2025", edited("000", 3).decode()).encode("utf-8"))
    assert nxt["unit_id"] == a["unit_id"]
    assert {c["kind"] for c in match_stored(cycle.corpus, nxt["report_id"]) if c["other"]["id"] == a["report_id"]} \
        == {"recycling"}


def test_a_0003_database_is_migrated_with_nothing_lost(tmp_path):
    """Build at head, go back to 0003 (as an older fazhi left it), remove the newest report there and
    leave an audit row naming it, then open with this fazhi: every row kept, copies computed once,
    and the removed id is not handed out again."""
    from alembic import command
    from sqlalchemy import text

    import fazhi
    from fazhi.corpus.copies import match_stored
    from fazhi.corpus.store import alembic_config, make_engine, resolve_url
    from fazhi.cycle import Cycle

    db = resolve_url(tmp_path / "old.db")
    c = Cycle(open_corpus(db))
    rev = c.add_user("rev", PASSWORD, "reviewer")
    ups = [c.upload(rev, *sample(p)) for p in ("000", "003", "004")]
    c.corpus.close()
    engine = make_engine(db)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        command.downgrade(alembic_config(conn), "0003")
        conn.commit()
        top = ups[-1]["report_id"]
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(text("DELETE FROM bands WHERE report_id = :r"), {"r": top})
        conn.execute(text("DELETE FROM paragraphs WHERE report_id = :r"), {"r": top})
        conn.execute(text("DELETE FROM reports WHERE id = :r"), {"r": top})
        conn.execute(text("INSERT INTO audit_log (at, action, target) VALUES ('2026-01-01 00:00:00', 'download', :t)"),
                     {"t": f"report:{top}"})
        conn.commit()
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("reports", "paragraphs", "submissions", "submission_versions", "uploads")}
        # the band index moves to band_keys (0006): one row per distinct (key, paragraph)
        counts["band_keys"] = conn.execute(text("SELECT count(*) FROM (SELECT DISTINCT hash, paragraph_id "
                                                "FROM bands)")).scalar()
    engine.dispose()
    c = Cycle(open_corpus(db))
    with c.engine.connect() as conn:
        after = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in counts}
        from fazhi.corpus.database import head_revision

        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    assert after == counts and counts["reports"] == 2
    shared = match_stored(c.corpus, ups[0]["report_id"])  # computed once, on first need
    assert any(cp["other"]["id"] == ups[1]["report_id"] for cp in shared)
    new, added = c.corpus.add(fazhi.analyze(sample_path("001")))
    assert added and new > top
    c.corpus.close()
