"""Organisation (issue 14 item 9) on real databases (SQLite in tmp_path; PostgreSQL when present): editing
units, the hierarchy and branch offices, deactivating and merging units, roles, and a reviewer upload whose
issuer is no known unit waiting for the reviewer's choice (real sample reports uploaded as bytes)."""
from __future__ import annotations

from datetime import date

import pytest
from conftest import PG_URL, reset_pg, sample_path

from fazhi.corpus.store import open_corpus

PASSWORD = "correct-horse-1"
HJ = "中共蓬溪县红江镇委员会"  # issuer of sample 000 (2023)
DW = "大王古庄镇人民政府"  # issuer of sample 002 (2024)


def sample(prefix: str) -> tuple[str, bytes]:
    p = sample_path(prefix)
    return p.name, p.read_bytes()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def cycle(request, tmp_path):
    from fazhi.cycle import Cycle

    url = f"sqlite:///{tmp_path / 'org.db'}" if request.param == "sqlite" else PG_URL
    if request.param == "postgresql":
        reset_pg(PG_URL)
    c = Cycle(open_corpus(url))
    yield c
    c.corpus.close()
    if request.param == "postgresql":
        reset_pg(PG_URL)


@pytest.fixture
def people(cycle):
    return {"admin": cycle.add_user("boss", PASSWORD, "admin"), "rev": cycle.add_user("li", PASSWORD, "reviewer")}


def actions(cycle, action: str) -> list[dict]:
    return [e for e in cycle.audit_log(limit=500) if e["action"] == action]


# ---------------------------------------------------------------- units and hierarchy
def test_edit_unit_sets_fields_and_refuses_cycles_bad_mail_and_taken_names(cycle, people):
    from fazhi.cycle import AccessDenied, CycleError

    admin = people["admin"]
    county = cycle.add_unit("某某县人民政府", level="区县")
    town = cycle.add_unit("某某镇人民政府")
    village = cycle.add_unit("某某村民委员会")
    got = cycle.edit_unit(admin, town["id"], level="乡镇街道", parent_id=county["id"], email="town@example.cn")
    assert (got["level"], got["parent_id"], got["email"]) == ("乡镇街道", county["id"], "town@example.cn")
    cycle.edit_unit(admin, village["id"], parent_id=town["id"])
    with pytest.raises(CycleError, match="下级"):  # county under its grandchild
        cycle.edit_unit(admin, county["id"], parent_id=village["id"])
    with pytest.raises(CycleError, match="下级"):
        cycle.edit_unit(admin, county["id"], parent_id=county["id"])
    with pytest.raises(CycleError, match="邮箱"):
        cycle.edit_unit(admin, town["id"], email="not-an-address")
    with pytest.raises(CycleError, match="已有名为"):
        cycle.edit_unit(admin, town["id"], name="某某县人民政府")
    with pytest.raises(CycleError, match="未知层级"):
        cycle.edit_unit(admin, town["id"], level="村")
    with pytest.raises(AccessDenied):
        cycle.edit_unit(people["rev"], town["id"], email="x@example.cn")
    assert cycle.unit(town["id"])["email"] == "town@example.cn"  # refusals changed nothing
    cycle.edit_unit(admin, town["id"], clear=("email",))
    assert cycle.unit(town["id"])["email"] is None
    tree = [(u["name"], u["depth"]) for u in cycle.unit_table()]
    assert tree == [("某某县人民政府", 0), ("某某镇人民政府", 1), ("某某村民委员会", 2)]
    edits = actions(cycle, "unit.edit")
    assert len(edits) == 3 and edits[-1]["detail"]["changes"]["parent_id"] == [None, county["id"]]


def test_a_reviewer_attached_to_an_office_sees_only_its_branch(cycle, people):
    from fazhi.cycle import CycleError

    admin, rev = people["admin"], people["rev"]
    office = cycle.add_unit("某某县依法治县办")
    a = cycle.upload(rev, *sample("000"))  # 红江镇
    b = cycle.upload(rev, *sample("002"))  # 大王古庄镇
    cycle.edit_unit(admin, a["unit_id"], parent_id=office["id"])
    with pytest.raises(CycleError, match="不是审查机构"):
        cycle.set_role(admin, "li", "reviewer", office["id"])
    cycle.edit_unit(admin, office["id"], is_office=True)
    assert cycle.branch_unit_ids(rev) is None  # not attached yet: every unit
    cycle.set_role(admin, "li", "reviewer", office["id"])
    branch = cycle.branch_unit_ids(rev)
    assert branch == {office["id"], a["unit_id"]}
    assert [s["unit_id"] for s in cycle.submissions(unit_ids=branch)] == [a["unit_id"]]
    assert {r["unit_id"] for r in cycle.overview(2024, unit_ids=branch)} == branch
    assert {r["unit_id"] for r in cycle.overview(2024)} == {office["id"], a["unit_id"], b["unit_id"]}
    assert cycle.branch_unit_ids(admin) is None
    assert actions(cycle, "user.role")[0]["detail"]["to"] == {"role": "reviewer", "unit_id": office["id"]}
    # and decides only there: another branch's report cannot be returned or approved by this reviewer
    from fazhi.cycle import AccessDenied

    with pytest.raises(AccessDenied, match="不在您负责审核的范围内"):
        cycle.approve(rev, b["submission_id"])
    with pytest.raises(AccessDenied, match="不在您负责审核的范围内"):
        cycle.return_(rev, b["submission_id"], [], note="请修改。")
    assert cycle.submission(b["submission_id"])["status"] == "submitted"
    assert cycle.approve(rev, a["submission_id"])["status"] == "approved"
    assert cycle.approve(admin, b["submission_id"])["status"] == "approved"


def test_an_inactive_unit_keeps_its_reports_but_leaves_the_board(cycle, people):
    admin, rev = people["admin"], people["rev"]
    up = cycle.upload(rev, *sample("000"))
    cycle.set_unit_active(admin, up["unit_id"], False)
    assert up["unit_id"] not in cycle.active_unit_ids()
    assert [r for r in cycle.overview(2023) if r["unit_id"] == up["unit_id"]] == []
    assert cycle.submission(up["submission_id"])["report_id"] == up["report_id"]  # the report stays
    assert cycle.corpus.get(up["report_id"]) is not None
    cycle.set_unit_active(admin, up["unit_id"], True)
    assert [r["unit_id"] for r in cycle.overview(2023)] == [up["unit_id"]]
    assert [e["detail"]["active"] for e in actions(cycle, "unit.active")] == [True, False]


# ---------------------------------------------------------------- merging
def test_merge_moves_submissions_reports_and_accounts_in_one_step(cycle, people):
    admin, rev = people["admin"], people["rev"]
    up = cycle.upload(rev, *sample("000"))  # 红江镇 2023
    old = up["unit_id"]
    account = cycle.add_user("hj", PASSWORD, "unit", unit_name=HJ)
    child = cycle.add_unit("红江镇某村")
    cycle.edit_unit(admin, child["id"], parent_id=old)
    target = cycle.add_unit("蓬溪县红江镇人民政府", level="乡镇街道")
    done = cycle.merge_units(admin, old, target["id"])
    assert (done["moved_submissions"], done["accounts"], done["reports"]) == ([up["submission_id"]], 1, 1)
    sub = cycle.submission(up["submission_id"])
    assert (sub["unit_id"], sub["report_id"]) == (target["id"], up["report_id"])
    assert cycle.corpus.rows(("unit_id",), id=up["report_id"])[0]["unit_id"] == target["id"]
    assert cycle.user(account["id"])["unit_id"] == target["id"]
    assert cycle.unit(child["id"])["parent_id"] == target["id"]
    gone = cycle.unit(old)
    assert (gone["active"], gone["merged_into_id"]) == (False, target["id"])
    assert [r["unit_id"] for r in cycle.overview(2023) if r["status"] != "pending"] == [target["id"]]
    # the old name still files a new upload under the unit it was merged into
    again = cycle.upload(rev, *sample("000"), ask_unit=True)
    assert again["unit_id"] == target["id"]
    (entry,) = actions(cycle, "unit.merge")
    assert entry["detail"]["into"] == "蓬溪县红江镇人民政府" and entry["detail"]["accounts"] == 1


def test_merge_refused_when_both_have_a_report_for_a_year(cycle, people):
    from fazhi.cycle import CycleError

    admin, rev = people["admin"], people["rev"]
    a = cycle.upload(rev, *sample("000"))  # 2023
    b = cycle.upload(rev, *sample("002"), year=2023)  # 大王古庄镇, filed as 2023
    with pytest.raises(CycleError, match="2023 年度"):
        cycle.merge_units(admin, a["unit_id"], b["unit_id"])
    assert cycle.submission(a["submission_id"])["unit_id"] == a["unit_id"]  # nothing half-done
    assert cycle.unit(a["unit_id"])["active"] is True and actions(cycle, "unit.merge") == []
    # one of the two has no report that year: the one with the report is kept
    cycle.corpus.remove(b["report_id"], audit=False)
    done = cycle.merge_units(admin, a["unit_id"], b["unit_id"])
    assert done["dropped"] == [b["submission_id"]]
    assert cycle.submission(b["submission_id"]) is None
    assert cycle.submission(a["submission_id"])["unit_id"] == b["unit_id"]
    with pytest.raises(CycleError, match="自身"):
        cycle.merge_units(admin, b["unit_id"], b["unit_id"])


# ---------------------------------------------------------------- roles
def test_roles_change_at_once_and_the_last_admin_stays(cycle, people):
    from fazhi.cycle import CycleError

    admin = people["admin"]
    unit = cycle.add_unit(DW)
    session_copy = dict(people["rev"])  # what a browser session held before the change
    cycle.set_role(admin, "li", "unit", unit["id"])
    assert cycle.can_review(session_copy) is False  # the next request already sees the new role
    cycle.set_role(admin, "li", "admin")
    assert cycle.user(people["rev"]["id"])["unit_id"] is None
    cycle.set_role(admin, "boss", "reviewer")  # two admins: one may step down
    with pytest.raises(CycleError, match="最后一个"):
        cycle.set_role(people["rev"], "li", "reviewer")
    with pytest.raises(CycleError, match="需要指定所属单位"):
        cycle.set_role(people["rev"], "boss", "unit")
    with pytest.raises(CycleError, match="未知角色"):
        cycle.set_role(people["rev"], "boss", "root")
    assert [u["role"] for u in cycle.users()] == ["reviewer", "admin"]


# ---------------------------------------------------------------- uploads with an unknown issuer
def test_an_unknown_issuer_is_asked_about_not_made_a_unit(cycle, people):
    from fazhi.cycle import CycleError

    rev = people["rev"]
    near = cycle.add_unit("蓬溪县红江镇委员会")
    cycle.add_unit("某某县司法局")
    before = len(cycle.units())
    asked = cycle.upload(rev, *sample("000"), ask_unit=True)
    assert asked["needs_unit"] is True and asked["issuer"] == HJ
    assert asked["candidates"][0]["id"] == near["id"]  # the near name first
    assert all(c["name"] != "某某县司法局" for c in asked["candidates"])
    assert len(cycle.units()) == before and cycle.submissions() == []
    (waiting,) = cycle.pending_filings(rev)
    assert (waiting["report_id"], waiting["year"], waiting["uploaded_by"]) == (asked["report_id"], 2023, "li")
    filed = cycle.file_pending(rev, asked["report_id"], unit_id=near["id"])
    assert (filed["unit_id"], filed["year"], filed["version"]) == (near["id"], 2023, 1)
    assert cycle.original(filed["report_id"]) == sample("000")
    assert cycle.pending_filings(rev) == []
    with pytest.raises(CycleError, match="不在待归档"):
        cycle.file_pending(rev, asked["report_id"], unit_id=near["id"])
    # a second unknown issuer: made a new unit because the reviewer says so, with the level of its report
    other = cycle.upload(rev, *sample("002"), ask_unit=True)
    with pytest.raises(CycleError, match="请选择"):
        cycle.file_pending(rev, other["report_id"])
    made = cycle.file_pending(rev, other["report_id"], new_unit=True)
    assert made["unit_name"] == DW and cycle.unit(made["unit_id"])["level"] == "乡镇街道"
    assert [e["detail"]["issuer"] for e in actions(cycle, "upload.pending")] == [DW, HJ]


def test_a_waiting_upload_can_be_discarded_and_units_cannot_see_the_list(cycle, people):
    from fazhi.cycle import AccessDenied

    rev = people["rev"]
    asked = cycle.upload(rev, *sample("003"), ask_unit=True)
    unit = cycle.add_user("dw", PASSWORD, "unit", unit_name=DW)
    with pytest.raises(AccessDenied):
        cycle.pending_filings(unit)
    with pytest.raises(AccessDenied):
        cycle.discard_pending(unit, asked["report_id"])
    cycle.discard_pending(rev, asked["report_id"])
    assert cycle.pending_filings(rev) == [] and cycle.corpus.get(asked["report_id"]) is None
    assert actions(cycle, "upload.discard")[0]["detail"]["report_id"] == asked["report_id"]
    # a report the corpus held before (imported outside the cycle): discarding the upload keeps the report
    from fazhi.cycle.filing import analyse_and_store

    kept, _ = analyse_and_store(cycle.corpus, *sample("001"))
    again = cycle.upload(rev, *sample("001"), ask_unit=True)
    assert again["needs_unit"] and again["report_id"] == kept
    cycle.discard_pending(rev, kept)
    assert cycle.pending_filings(rev) == [] and cycle.corpus.get(kept) is not None
    # a unit account's own upload never asks: it is its unit's report
    own = cycle.upload(unit, *sample("000"), ask_unit=True)
    assert own["unit_name"] == DW and "needs_unit" not in own


def test_overview_without_branch_lists_every_active_unit(cycle, people):
    cycle.add_unit("甲单位")
    cycle.add_unit("乙单位")
    rows = cycle.overview(2024, today=date(2025, 1, 1))
    assert sorted(r["unit_name"] for r in rows) == ["乙单位", "甲单位"]
