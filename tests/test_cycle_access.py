"""Who may read which report, accounts and passwords, the audit log, settings and the schema of
the cycle — on a real SQLite file (and PostgreSQL when FAZHI_TEST_PG_URL is set)."""
from __future__ import annotations

import pytest
from conftest import PG_URL, reset_pg
from test_cycle import PASSWORD, _make, _url, any_cycle, cycle, sample  # noqa: F401 (fixtures)

UNIT_A, UNIT_B = "中共蓬溪县红江镇委员会", "大王古庄镇人民政府"


def _world(cycle):
    """Users × reports: A's report returned then resubmitted (two versions), B's report submitted,
    and a report put into the corpus outside the cycle."""
    from conftest import sample_path

    import fazhi

    users = {
        "admin": cycle.add_user("root", PASSWORD, "admin"),
        "reviewer": cycle.add_user("li", PASSWORD, "reviewer"),
        "unitA": cycle.add_user("hj", PASSWORD, "unit", unit_name=UNIT_A),
        "unitB": cycle.add_user("dw", PASSWORD, "unit", unit_name=UNIT_B),
        "anon": None,
    }
    a1 = cycle.upload(users["unitA"], *sample("000"))
    sid_a = a1["submission_id"]
    cycle.return_(users["reviewer"], sid_a, [], note="请修改")
    a2 = cycle.upload(users["unitA"], "v2.txt", sample("000")[1] + "\n（修改稿）\n".encode())
    b1 = cycle.upload(users["unitB"], *sample("002"))
    corpus_only, _ = cycle.corpus.add(fazhi.analyze(sample_path("004")))
    reports = {"A1": a1["report_id"], "A2": a2["report_id"], "B1": b1["report_id"], "X": corpus_only}
    return users, reports, sid_a


def _check(cycle, users, reports, expected: dict[str, set[str]]) -> None:
    for who, user in users.items():
        ids = cycle.readable_report_ids(user)
        for name, rid in reports.items():
            want = name in expected[who]
            assert cycle.can_read(user, rid) is want, (who, name)
            assert (ids is None or rid in ids) is want, (who, name)
        assert cycle.can_read(user, 10_000) is False


def test_access_matrix_over_users_reports_and_statuses(any_cycle):
    cycle = any_cycle
    users, reports, sid_a = _world(cycle)
    everything = set(reports)
    unpublished = {"admin": everything, "reviewer": everything, "unitA": {"A1", "A2"}, "unitB": {"B1"},
                   "anon": set()}
    for step in ("submitted", "approved"):  # A resubmitted, then approved: still nobody else's
        if step == "approved":
            cycle.approve(users["reviewer"], sid_a)
        assert cycle.submission(sid_a)["status"] == step
        _check(cycle, users, reports, unpublished)
    cycle.publish(users["reviewer"], sid_a, secrecy_checked=True)
    # published: everybody reads A's CURRENT version; the returned first version stays with A and the office
    _check(cycle, users, reports, {**unpublished, "unitB": {"B1", "A2"}, "anon": {"A2"}})
    assert cycle.readable_report_ids(None) == {reports["A2"]}
    assert cycle.readable_report_ids(users["admin"]) is None and cycle.readable_report_ids(users["reviewer"]) is None


def test_returned_status_keeps_reports_private(cycle):
    users, reports, sid_a = _world(cycle)
    cycle.return_(users["reviewer"], sid_a, [], note="再改")
    assert cycle.submission(sid_a)["status"] == "returned"
    _check(cycle, users, reports, {"admin": set(reports), "reviewer": set(reports), "unitA": {"A1", "A2"},
                                   "unitB": {"B1"}, "anon": set()})


def test_permissions_come_from_the_database_not_from_the_dict(cycle):
    users, reports, sid_a = _world(cycle)
    forged = {**users["unitB"], "role": "admin", "unit_id": users["unitA"]["unit_id"]}
    assert cycle.readable_report_ids(forged) == {reports["B1"]}
    assert not cycle.can_review(forged) and not cycle.can_read(forged, reports["A1"])
    assert not cycle.can_read({"id": 999, "role": "admin"}, reports["A1"])
    assert not cycle.can_read({"role": "admin"}, reports["A1"])
    assert cycle.can_review(users["reviewer"]) and cycle.can_review(users["admin"])
    assert not cycle.can_review(users["unitA"]) and not cycle.can_review(None)
    cycle.set_active("li", False)  # a deactivated reviewer is a visitor from then on
    assert cycle.readable_report_ids(users["reviewer"]) == set() and not cycle.can_review(users["reviewer"])
    from fazhi.cycle import AccessDenied

    with pytest.raises(AccessDenied):
        cycle.approve(users["reviewer"], sid_a)


# ---------------------------------------------------------------- accounts and passwords
def test_authenticate_checks_the_argon2_hash(any_cycle):
    from sqlalchemy import text

    cycle = any_cycle
    made = cycle.add_user("li", PASSWORD, "reviewer", display_name="李审核")
    assert cycle.authenticate("li", PASSWORD) == made
    assert made == {"id": made["id"], "username": "li", "role": "reviewer", "unit_id": None, "unit_name": None,
                    "display_name": "李审核", "active": True}
    assert cycle.authenticate("li", PASSWORD + "x") is None
    assert cycle.authenticate("li", "") is None and cycle.authenticate("nobody", PASSWORD) is None
    with cycle.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
        logged = conn.execute(text("SELECT detail FROM audit_log")).all()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD not in repr(logged)
    cycle.set_active("li", False)
    assert cycle.authenticate("li", PASSWORD) is None
    cycle.set_active("li", True)
    cycle.set_password("li", "another-pass-2")
    assert cycle.authenticate("li", PASSWORD) is None and cycle.authenticate("li", "another-pass-2")["id"] == made["id"]


def test_add_user_validates_its_input(cycle):
    from fazhi.cycle import CycleError

    cycle.add_user("li", PASSWORD, "reviewer")
    for args, kw, why in ((("li", PASSWORD, "reviewer"), {}, "已存在"),
                          (("x", PASSWORD, "unit"), {}, "所属单位"),
                          (("x", PASSWORD, "admin"), {"unit_name": UNIT_A}, "不属于"),
                          (("x", "short", "admin"), {}, "至少需要 8"),
                          (("x", PASSWORD, "boss"), {}, "未知角色"),
                          (("a b", PASSWORD, "admin"), {}, "用户名"),
                          (("", PASSWORD, "admin"), {}, "用户名")):
        with pytest.raises(CycleError, match=why):
            cycle.add_user(*args, **kw)
    assert [u["username"] for u in cycle.users()] == ["li"]
    u = cycle.add_user("hj", PASSWORD, "unit", unit_name=UNIT_A)
    assert u["unit_name"] == UNIT_A and cycle.units()[0]["name"] == UNIT_A


def test_add_unit_is_idempotent_by_name(cycle):
    from fazhi.cycle import CycleError

    a = cycle.add_unit(" 某某县人民政府 ")
    assert a["name"] == "某某县人民政府" and a["level"] is None
    b = cycle.add_unit("某某县人民政府", level="区县")
    assert b["id"] == a["id"] and b["level"] == "区县" and len(cycle.units()) == 1
    with pytest.raises(CycleError, match="未知层级"):
        cycle.add_unit("x", level="县")
    with pytest.raises(CycleError, match="不能为空"):
        cycle.add_unit("  ")


# ---------------------------------------------------------------- audit, originals, settings, schema
def test_audit_log_records_uploads_and_status_changes(cycle):
    users, reports, sid_a = _world(cycle)
    cycle.audit(users["admin"], "download", f"report:{reports['A1']}", {"format": "docx"})
    log = cycle.audit_log()
    assert [r["id"] for r in log] == sorted((r["id"] for r in log), reverse=True)  # newest first
    uploads = [r for r in log if r["action"] == "upload"]
    assert len(uploads) == 3 and {r["username"] for r in uploads} == {"hj", "dw"}
    assert {r["detail"]["filename"] for r in uploads} == {sample("000")[0], "v2.txt", sample("002")[0]}
    changes = [(r["username"], r["target"], r["detail"]["from"], r["detail"]["to"])
               for r in reversed(log) if r["action"] == "status"]
    assert changes == [("hj", f"submission:{sid_a}", "pending", "submitted"),
                       ("li", f"submission:{sid_a}", "submitted", "returned"),
                       ("hj", f"submission:{sid_a}", "returned", "submitted"),
                       ("dw", changes[3][1], "pending", "submitted")]
    assert log[0]["action"] == "download" and log[0]["username"] == "root" and log[0]["at"] is not None
    assert len(cycle.audit_log(limit=2)) == 2


def test_original_bytes_and_secret_key(cycle):
    _, reports, _ = _world(cycle)
    assert cycle.original(reports["A1"]) == sample("000")
    assert cycle.original(reports["X"]) is None  # put in the corpus without an upload
    key = cycle.secret_key()
    assert len(key) >= 40 and cycle.secret_key() == key
    assert _make(str(cycle.engine.url)).secret_key() == key  # kept in the database


def test_cycle_on_a_memory_corpus_creates_its_tables():
    from fazhi.corpus.store import memory_corpus
    from fazhi.cycle import Cycle

    c = Cycle(memory_corpus())
    rev = c.add_user("li", PASSWORD, "reviewer")
    assert c.upload(rev, *sample("003"))["status"] == "submitted"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def test_migrations_match_the_models(kind, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fazhi.corpus.store import open_corpus
    from fazhi.schema import metadata

    url = _url(kind, tmp_path)
    c = open_corpus(url)
    with c.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata())
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    c.close()
    from fazhi.corpus.database import head_revision

    assert diff == [] and version == head_revision() >= "0005"
    if kind == "postgresql":
        reset_pg(PG_URL)


def test_a_0001_database_is_upgraded_to_0002(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from fazhi.corpus.store import alembic_config, make_engine, open_corpus, resolve_url

    url = resolve_url(tmp_path / "old.db")
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    assert not inspect(engine).has_table("units")
    engine.dispose()
    c = open_corpus(url)
    assert inspect(c.engine).has_table("units") and inspect(c.engine).has_table("audit_log")
    c.close()


def test_importing_fazhi_cycle_is_cheap():
    import subprocess
    import sys

    code = ("import sys, fazhi.cycle, fazhi.cli; fazhi.cli.build_parser(); fazhi.cycle.STATUS_LABELS;"
            "print(sorted(m for m in ('sqlalchemy', 'argon2', 'fazhi.cycle.service') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
