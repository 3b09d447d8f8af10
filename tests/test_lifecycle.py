"""Publication (公开网址/日期, 保密审查, 撤回公开), withdrawal before review, units' self-check drafts
and two-step review (初审 → 复审, assignment, 待我审核) — issue 14 items 7, 8, 10 — on real SQLite
files (PostgreSQL too for the key chain) with the real sample reports, and through the web app."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import PG_URL, reset_pg, sample_path

from fazhi.corpus.store import open_corpus

PASSWORD = "correct-horse-1"
UNIT = "中共蓬溪县红江镇委员会"  # the issuer of sample 000


def _url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'cycle.db'}"
    reset_pg(PG_URL)
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def cycle(request, tmp_path):
    from fazhi.cycle import Cycle

    c = Cycle(open_corpus(_url(request.param, tmp_path)))
    yield c
    c.corpus.close()
    if request.param == "postgresql":
        reset_pg(PG_URL)


@pytest.fixture
def sqlite_cycle(tmp_path):
    from fazhi.cycle import Cycle

    c = Cycle(open_corpus(_url("sqlite", tmp_path)))
    yield c
    c.corpus.close()


def sample(prefix: str) -> tuple[str, bytes]:
    p = sample_path(prefix)
    return p.name, p.read_bytes()


def people(cycle) -> dict:
    return {"admin": cycle.add_user("boss", PASSWORD, "admin"),
            "a": cycle.add_user("li", PASSWORD, "reviewer"), "b": cycle.add_user("wang", PASSWORD, "reviewer"),
            "c": cycle.add_user("zhao", PASSWORD, "reviewer"),
            "unit": cycle.add_user("hj", PASSWORD, "unit", unit_name=UNIT),
            "other": cycle.add_user("gx", PASSWORD, "unit", unit_name="中共重庆市潼南区古溪镇委员会")}


def statuses(cycle, sid: int) -> list[tuple[str, str]]:
    return [(r["detail"]["from"], r["detail"]["to"]) for r in reversed(cycle.audit_log())
            if r["action"] == "status" and r["target"] == f"submission:{sid}"]


# ---------------------------------------------------------------- withdrawal
def test_unit_withdraws_before_review_and_resubmits(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    p = people(cycle)
    first = cycle.upload(p["unit"], *sample("000"))
    sid = first["submission_id"]
    assert cycle.submission(sid)["submitted_at"] is not None
    for who, err in ((p["other"], AccessDenied), (p["a"], AccessDenied), (None, AccessDenied)):
        with pytest.raises(err):
            cycle.withdraw(who, sid)
    done = cycle.withdraw(p["unit"], sid)
    assert (done["status"], done["status_label"]) == ("withdrawn", "已撤回")
    assert done["submitted_at"] is None and [v["report_id"] for v in done["versions"]] == [first["report_id"]]
    with pytest.raises(CycleError, match="已撤回"):
        cycle.withdraw(p["unit"], sid)
    with pytest.raises(CycleError, match="已撤回"):
        cycle.approve(p["a"], sid)
    again = cycle.upload(p["unit"], "v2.txt", sample("000")[1] + b"\n(resubmitted)\n")
    assert (again["submission_id"], again["version"], again["status"]) == (sid, 2, "submitted")
    assert cycle.submission(sid)["submitted_at"] is not None  # lateness counts from the resubmission
    cycle.approve(p["a"], sid)
    with pytest.raises(CycleError, match="已通过"):  # a decision was made: no more withdrawal
        cycle.withdraw(p["unit"], sid)
    assert statuses(cycle, sid) == [("pending", "submitted"), ("submitted", "withdrawn"),
                                    ("withdrawn", "submitted"), ("submitted", "approved")]
    # once returned, a submission is under review: its resubmission cannot be withdrawn
    sid2 = cycle.upload(p["other"], *sample("004"))["submission_id"]
    cycle.return_(p["a"], sid2, [], note="请补充")
    cycle.upload(p["other"], "v2.txt", sample("004")[1] + b"\n(v2)\n")
    with pytest.raises(CycleError, match="审核退回过"):
        cycle.withdraw(p["other"], sid2)
    assert cycle.submission(sid2)["status"] == "submitted" and cycle.submission(sid2)["submitted_at"] is not None


def test_withdrawal_resets_lateness_to_the_resubmission(sqlite_cycle):
    """Submitted on time, withdrawn, resubmitted after the deadline: late (counted from the resubmission)."""
    from sqlalchemy import update

    from fazhi.cycle.models import PeriodRow, SubmissionRow, VersionRow

    cycle = sqlite_cycle
    p = people(cycle)
    cycle.add_period(2024, {"乡镇街道": "2025-03-01", "区县": "2025-03-01"})
    with cycle.engine.begin() as conn:  # the period was opened in January (lateness counts)
        conn.execute(update(PeriodRow).values(created_at=datetime(2025, 1, 10)))
    sid = cycle.upload(p["unit"], *sample("000"), year=2024)["submission_id"]
    with cycle.engine.begin() as conn:  # the first submission was on 2025-02-20 (before the deadline)
        conn.execute(update(SubmissionRow).values(submitted_at=datetime(2025, 2, 20, 2)))
    assert cycle.submission(sid, today=date(2025, 3, 10))["late"] is False
    cycle.withdraw(p["unit"], sid)
    assert cycle.submission(sid, today=date(2025, 2, 25))["late"] is False  # not yet past the deadline
    assert cycle.submission(sid, today=date(2025, 3, 10))["days_late"] == 9  # withdrawn: nothing submitted
    cycle.upload(p["unit"], "v2.txt", sample("000")[1] + b"\n(v2)\n", year=2024)
    with cycle.engine.begin() as conn:  # resubmitted on 2025-03-05 (Beijing)
        conn.execute(update(SubmissionRow).values(submitted_at=datetime(2025, 3, 5, 2)))
        conn.execute(update(VersionRow).where(VersionRow.seq == 2).values(submitted_at=datetime(2025, 3, 5, 2)))
    s = cycle.submission(sid, today=date(2025, 3, 10))
    assert (s["late"], s["days_late"]) == (True, 4)


# ---------------------------------------------------------------- publication
def test_publish_needs_secrecy_check_and_unpublish_needs_a_reason(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    p = people(cycle)
    up = cycle.upload(p["unit"], *sample("000"))
    sid, rid = up["submission_id"], up["report_id"]
    cycle.approve(p["a"], sid)
    with pytest.raises(CycleError, match="保密审查"):
        cycle.publish(p["a"], sid)
    assert cycle.submission(sid)["status"] == "approved" and cycle.lifecycle(sid)["secrecy_checked_by"] is None
    assert not cycle.can_read(None, rid)
    done = cycle.publish(p["a"], sid, secrecy_checked=True)
    life = cycle.lifecycle(sid)
    assert done["status"] == "published" and life["secrecy_checked_by"] == "li"
    assert life["secrecy_checked_at"] is not None and cycle.can_read(None, rid)
    with pytest.raises(AccessDenied):
        cycle.unpublish(p["unit"], sid, "单位要求")
    for blank in ("", "   "):
        with pytest.raises(CycleError, match="原因"):
            cycle.unpublish(p["a"], sid, blank)
    assert cycle.submission(sid)["status"] == "published"
    back = cycle.unpublish(p["b"], sid, "含有未脱密的人员姓名")
    assert back["status"] == "approved" and not cycle.can_read(None, rid)
    life = cycle.lifecycle(sid)
    assert life["secrecy_checked_by"] is None  # a new 公开 needs a new 保密审查
    assert (life["unpublished"]["by"], life["unpublished"]["reason"]) == ("wang", "含有未脱密的人员姓名")
    audit = [r for r in cycle.audit_log() if r["action"] == "status" and r["target"] == f"submission:{sid}"]
    assert audit[0]["detail"]["reason"] == "含有未脱密的人员姓名" and audit[0]["username"] == "wang"
    with pytest.raises(CycleError, match="保密审查"):
        cycle.publish(p["a"], sid)
    cycle.publish(p["a"], sid, secrecy_checked=True)
    assert cycle.can_read(None, rid)


def test_unit_records_url_and_date_checked_against_the_publish_deadline(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    p = people(cycle)
    sid = cycle.upload(p["unit"], *sample("000"), year=2024)["submission_id"]
    today = date(2025, 6, 1)
    with pytest.raises(CycleError, match="通过审核后"):
        cycle.record_publication(p["unit"], sid, "https://www.example.gov.cn/a.html", "2025-03-20", today=today)
    cycle.approve(p["a"], sid)
    for bad_url in ("javascript:alert(1)", "ftp://x.gov.cn/a", "www.example.gov.cn", "https://", "http://a b.cn",
                    "https://x.gov.cn/" + "a" * 1000):
        with pytest.raises(CycleError, match="公开网址无效"):
            cycle.record_publication(p["unit"], sid, bad_url, "2025-03-20", today=today)
    for bad_date, why in (("2025-13-01", "YYYY-MM-DD"), ("2025/03/20", "YYYY-MM-DD"), ("2025-07-01", "晚于今天"),
                          ("2024-12-31", "次年公开")):
        with pytest.raises(CycleError, match=why):
            cycle.record_publication(p["unit"], sid, "https://www.example.gov.cn/a.html", bad_date, today=today)
    with pytest.raises(AccessDenied):
        cycle.record_publication(p["other"], sid, "https://www.example.gov.cn/a.html", "2025-03-20", today=today)
    assert cycle.lifecycle(sid)["publish_url"] is None  # nothing half-written
    assert cycle.lifecycle(sid)["publish_overdue"] is True  # approved, 2025-04-01 passed, nothing recorded
    on_time = cycle.record_publication(p["unit"], sid, "https://www.example.gov.cn/a.html", "2025-04-01", today=today)
    assert (on_time["publish_date"], on_time["publish_deadline"], on_time["publish_late"]) == \
        ("2025-04-01", "2025-04-01", False)  # 乡镇 (sample 000): rubric deadlines.乡镇街道.publish = 04-01
    assert on_time["publish_overdue"] is False
    late = cycle.record_publication(p["a"], sid, "http://www.example.gov.cn/b.html", date(2025, 4, 9), today=today)
    assert (late["publish_url"], late["publish_late"], late["publish_days_late"]) == \
        ("http://www.example.gov.cn/b.html", True, 8)
    entries = [r["detail"] for r in cycle.audit_log() if r["action"] == "publication"]
    assert [(e["date"], e["late"]) for e in entries] == [("2025-04-09", True), ("2025-04-01", False)]


# ---------------------------------------------------------------- two-step review
def test_two_step_review_first_pass_then_another_reviewer(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    p = people(cycle)
    with pytest.raises(AccessDenied):
        cycle.set_two_step(p["a"], True)  # only an admin turns it on
    sid = cycle.upload(p["unit"], *sample("000"))["submission_id"]
    cycle.set_two_step(p["admin"], True)
    assert cycle.two_step() is True
    first = cycle.approve(p["a"], sid)
    assert (first["status"], first["status_label"]) == ("first_passed", "初审通过")
    assert cycle.lifecycle(sid)["first_passed_by"] == "li"
    with pytest.raises(CycleError, match="复审须由初审以外"):
        cycle.approve(p["a"], sid)
    with pytest.raises(CycleError, match="初审通过"):
        cycle.publish(p["b"], sid, secrecy_checked=True)
    assert cycle.approve(p["b"], sid)["status"] == "approved"
    assert statuses(cycle, sid) == [("pending", "submitted"), ("submitted", "first_passed"),
                                    ("first_passed", "approved")]
    events = [r["detail"] for r in cycle.audit_log() if r["action"] == "status"]
    assert len(events) == 3

    # 复审 returns: back to the unit, and the next version needs a new 初审
    sid2 = cycle.upload(p["other"], *sample("004"))["submission_id"]
    cycle.approve(p["b"], sid2)
    cycle.return_(p["a"], sid2, [], note="复审：请补充第一责任人履职情况")
    assert cycle.lifecycle(sid2)["first_passed_by"] is None
    cycle.upload(p["other"], "v2.txt", sample("004")[1] + b"\n(v2)\n")
    assert cycle.approve(p["b"], sid2)["status"] == "first_passed"  # b may do the new 初审

    # off again: approve is one step, as before
    cycle.set_two_step(p["admin"], False)
    sid3 = cycle.upload(p["a"], *sample("001"))["submission_id"]
    assert cycle.approve(p["a"], sid3)["status"] == "approved"


def test_assignment_and_the_queue(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    p = people(cycle)
    cycle.set_two_step(p["admin"], True)
    s1 = cycle.upload(p["unit"], *sample("000"))["submission_id"]
    s2 = cycle.upload(p["other"], *sample("004"))["submission_id"]
    with pytest.raises(AccessDenied):
        cycle.assign(p["unit"], s1, p["a"]["id"])
    for bad in ((p["unit"]["id"], None), (p["a"]["id"], p["a"]["id"]), (99999, None)):
        with pytest.raises(CycleError):
            cycle.assign(p["a"], s1, *bad)
    got = cycle.assign(p["b"], s1, p["a"]["id"], p["b"]["id"])  # any reviewer may assign
    assert (got["reviewer"], got["second_reviewer"]) == ("li", "wang")
    assert [r["detail"]["reviewer_id"] for r in cycle.audit_log() if r["action"] == "assign"] == [p["a"]["id"]]

    q_a, q_b = cycle.review_queue(p["a"]), cycle.review_queue(p["b"])
    assert [s["id"] for s in q_a["mine"]] == [s1] and [s["id"] for s in q_a["open"]] == [s2]
    assert q_a["mine"][0]["step"] == "初审" and q_b["mine"] == [] and [s["id"] for s in q_b["open"]] == [s2]
    with pytest.raises(CycleError, match="初审已分配给 li"):
        cycle.approve(p["b"], s1)
    cycle.approve(p["a"], s1)  # 初审 by li → 复审 waits for wang
    q_a, q_b = cycle.review_queue(p["a"]), cycle.review_queue(p["b"])
    assert s1 not in [s["id"] for s in q_a["mine"] + q_a["open"]]
    assert [(s["id"], s["step"], s["first_passed_by"]) for s in q_b["mine"]] == [(s1, "复审", "li")]
    with pytest.raises(CycleError, match="复审须由初审以外"):
        cycle.approve(p["a"], s1)
    with pytest.raises(CycleError, match="复审已分配给 wang"):
        cycle.approve(p["c"], s1)
    cycle.approve(p["admin"], s1)  # an admin may take any step
    assert cycle.review_queue(p["b"])["mine"] == []
    assert cycle.submission(s1)["status"] == "approved"
    # oldest first
    s3 = cycle.upload(p["a"], *sample("001"))["submission_id"]
    assert [s["id"] for s in cycle.review_queue(p["a"])["open"]] == [s2, s3]
    # 领取: zhao takes the 初审 of s2 and passes it; li claims the 复审
    assert cycle.claim(p["c"], s2)["reviewer"] == "zhao"
    assert [s["id"] for s in cycle.review_queue(p["c"])["mine"]] == [s2]
    assert [s["id"] for s in cycle.review_queue(p["a"])["open"]] == [s3]
    cycle.approve(p["c"], s2)
    with pytest.raises(CycleError, match="复审须由初审以外"):
        cycle.claim(p["c"], s2)
    got = cycle.claim(p["a"], s2)
    assert (got["reviewer"], got["second_reviewer"]) == ("zhao", "li")
    assert [(s["id"], s["step"]) for s in cycle.review_queue(p["a"])["mine"]] == [(s2, "复审")]
    with pytest.raises(CycleError, match="不在待审核状态"):
        cycle.claim(p["a"], s1)  # approved already


# ---------------------------------------------------------------- drafts
def test_drafts_belong_to_their_unit_and_never_reach_the_corpus(sqlite_cycle):
    from fazhi import ingest
    from fazhi.cycle import AccessDenied, CycleError
    from fazhi.pipeline import analyze_document

    cycle = sqlite_cycle
    p = people(cycle)
    name, data = sample("004")
    report = analyze_document(ingest.load_bytes(data, name)).to_dict()
    text = report.pop("text")
    d = cycle.add_draft(p["unit"], name, text, report)
    assert d["findings"] == len(report["findings"]) > 0 and d["score"] == report["score"]["total"]
    assert cycle.corpus.size() == 0 and cycle.submissions() == []
    assert [x["id"] for x in cycle.drafts(p["unit"])] == [d["id"]]
    assert cycle.draft(p["unit"], d["id"])["text"] == text
    for who in (p["other"], p["a"], p["admin"], None):
        assert cycle.draft(who, d["id"]) is None
    for who in (p["a"], p["admin"]):
        with pytest.raises(AccessDenied):
            cycle.drafts(who)
    with pytest.raises(CycleError):
        cycle.delete_draft(p["other"], d["id"])
    cycle.delete_draft(p["unit"], d["id"])
    assert cycle.drafts(p["unit"]) == [] and cycle.draft(p["unit"], d["id"]) is None
    assert [r["action"] for r in cycle.audit_log() if r["action"].startswith("draft.")] == ["draft.delete", "draft.add"]


# ---------------------------------------------------------------- through the web app (pages and API)
def _client(app, username: str):
    import re

    from fastapi.testclient import TestClient

    c = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    return c


def _form_token(client, path: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("lifecycle") / "app.db"))
    cycle = app.state.cycle
    for name, role, unit in (("boss", "admin", None), ("li", "reviewer", None), ("wang", "reviewer", None),
                             ("hj", "unit", UNIT), ("gx", "unit", "中共重庆市潼南区古溪镇委员会")):
        cycle.add_user(name, PASSWORD, role, unit_name=unit)
    return app


def test_web_publication_withdrawal_and_two_step(web):
    cycle = web.state.cycle
    unit, rev, rev2, admin = (_client(web, n) for n in ("hj", "li", "wang", "boss"))
    other = _client(web, "gx")
    up = unit.post("/api/upload", files={"files": sample("000")}).json()[0]
    sid, rid = up["submission_id"], up["report_id"]

    # the unit withdraws through its page form (not the reviewers' /submissions/{id}/{action})
    assert 'id="withdraw-button"' in unit.get(f"/reports/{rid}").text
    assert other.post(f"/api/submissions/{sid}/withdraw").status_code == 404  # not its submission
    assert rev.post(f"/api/submissions/{sid}/withdraw").status_code == 403
    r = unit.post(f"/lifecycle/{sid}/withdraw", data={"csrf_token": _form_token(unit, f"/reports/{rid}")},
                  follow_redirects=False)
    assert r.status_code == 303 and cycle.submission(sid)["status"] == "withdrawn"
    page = unit.get(f"/reports/{rid}").text
    assert "已撤回" in page and 'id="withdraw-button"' not in page
    assert unit.post(f"/api/submissions/{sid}/withdraw").status_code == 409  # already withdrawn: one line
    up2 = unit.post("/api/upload", files={"files": ("v2.txt", sample("000")[1] + b"\n(v2)\n")}).json()[0]
    rid = up2["report_id"]
    assert (up2["submission_id"], up2["status"]) == (sid, "submitted")

    # two-step on (admin only), assignment, 初审 by li, 复审 by wang
    assert rev.post("/api/settings/review", json={"two_step_review": True}).status_code == 403
    assert admin.post("/api/settings/review", json={"two_step_review": True}).json() == {"two_step_review": True}
    li, wang = (u["id"] for u in cycle.users() if u["username"] in ("li", "wang"))
    assert rev.post(f"/api/submissions/{sid}/assign", json={"reviewer_id": li, "second_reviewer_id": li}).status_code == 409
    assert unit.post(f"/api/submissions/{sid}/assign", json={"reviewer_id": li}).status_code == 403
    got = rev.post(f"/api/submissions/{sid}/assign", json={"reviewer_id": li, "second_reviewer_id": wang}).json()
    assert (got["reviewer"], got["second_reviewer"]) == ("li", "wang")
    assert [s["id"] for s in rev.get("/api/queue").json()["mine"]] == [sid]
    assert f'id="claim-{sid}"' not in rev2.get("/queue").text  # assigned: nothing to claim
    assert rev.post(f"/api/submissions/{sid}/approve").json()["status"] == "first_passed"
    assert rev.post(f"/api/submissions/{sid}/approve").status_code == 409  # not the same reviewer again
    q = rev2.get("/queue").text
    assert f'data-submission-id="{sid}" data-step="复审"' in q
    assert 'id="second-approve-button"' in rev2.get(f"/reports/{rid}").text
    assert rev2.post(f"/api/submissions/{sid}/approve").json()["status"] == "approved"

    # publish: refused without the 保密审查 checkbox (page) or flag (API), done with it
    token = _form_token(rev, f"/reports/{rid}")
    rev.post(f"/submissions/{sid}/publish", data={"csrf_token": token})
    assert cycle.submission(sid)["status"] == "approved"
    assert "保密审查" in rev.get(f"/reports/{rid}").text
    r = rev.post(f"/api/submissions/{sid}/publish")
    assert r.status_code == 409 and "保密审查" in r.json()["detail"]
    rev.post(f"/submissions/{sid}/publish", data={"csrf_token": token, "secrecy_checked": "1"})
    assert cycle.submission(sid)["status"] == "published"
    from fastapi.testclient import TestClient

    anon = TestClient(web)
    assert anon.get(f"/reports/{rid}").status_code == 200

    # the unit records URL and date (checked, late flagged); the reviewer withdraws publication
    bad = unit.post(f"/api/submissions/{sid}/publication", json={"url": "javascript:alert(1)", "date": "2026-03-01"})
    assert bad.status_code == 409 and "公开网址无效" in bad.json()["detail"]
    year = cycle.submission(sid)["year"]
    late_day = f"{year + 1}-04-20"
    done = unit.post(f"/api/submissions/{sid}/publication",
                     json={"url": "https://www.example.gov.cn/fzzf.html", "date": late_day})
    if date.fromisoformat(late_day) <= date.today():
        assert done.status_code == 200 and done.json()["publish_late"] is True
        assert 'id="publish-late"' in unit.get(f"/reports/{rid}").text
    assert unit.post(f"/api/submissions/{sid}/unpublish", json={"reason": "x"}).status_code == 403
    assert rev.post(f"/api/submissions/{sid}/unpublish", json={"reason": "  "}).status_code == 409
    r = rev.post(f"/lifecycle/{sid}/unpublish", data={"csrf_token": token, "reason": "含未脱密内容"},
                 follow_redirects=False)
    assert r.status_code == 303 and cycle.submission(sid)["status"] == "approved"
    assert anon.get(f"/reports/{rid}").status_code == 404
    assert "含未脱密内容" in rev.get(f"/reports/{rid}").text
    admin.post("/api/settings/review", json={"two_step_review": False})


def test_web_drafts_are_the_units_only(web):
    unit, other, rev = _client(web, "hj"), _client(web, "gx"), _client(web, "li")
    stored = web.state.corpus.size()
    r = unit.post("/api/drafts", files={"file": sample("004")})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["findings"] > 0 and d["url"] == f"/drafts/{d['id']}"
    assert web.state.corpus.size() == stored  # never in the corpus
    import lxml.html

    page = lxml.html.fromstring(unit.get(d["url"]).text)  # the same highlighting as a report page
    (item,) = [li for li in page.xpath('//li[@data-rule="formulation-standard"]') if "第一负责人" in li.text_content()]
    ref = item.get("data-ref")
    marked = page.xpath(f'//*[@id="report-text"]//*[contains(concat(" ", @data-refs, " "), " {ref} ")]')
    assert "".join(m.text_content() for m in marked) == "法治建设第一负责人"
    assert page.xpath('//*[@id="score-total"]')[0].text_content() == str(d["score"]).removesuffix(".0")
    for who in (other, rev):
        assert who.get(d["url"]).status_code == 404
        assert who.get(f"/api/drafts/{d['id']}").status_code == 404
    assert rev.get("/drafts").status_code == 403
    assert rev.post("/api/drafts", files={"file": sample("004")}).status_code == 403
    bad = unit.post("/api/drafts", files={"file": ("坏.docx", b"PK\x03\x04 not a zip")})
    assert bad.status_code == 422 and "坏.docx" in bad.json()["detail"]
    assert [x["id"] for x in unit.get("/api/drafts").json()] == [d["id"]]
    assert other.post(f"/api/drafts/{d['id']}/delete").status_code == 409
    assert unit.post(f"/api/drafts/{d['id']}/delete").json() == {"deleted": d["id"]}
    assert unit.get(d["url"]).status_code == 404


def test_web_pages_and_docs(web):
    from fazhi.web import routes_lifecycle

    admin, rev, unit = _client(web, "boss"), _client(web, "li"), _client(web, "hj")
    paths = set(admin.get("/openapi.json").json()["paths"])
    for p in ("/api/queue", "/api/settings/review", "/api/reviewers", "/api/drafts", "/api/drafts/{draft_id}",
              "/api/submissions/{submission_id}/withdraw", "/api/submissions/{submission_id}/publication",
              "/api/submissions/{submission_id}/unpublish", "/api/submissions/{submission_id}/assign",
              "/api/submissions/{submission_id}/lifecycle"):
        assert p in paths, p
    assert not any(p.startswith(("/drafts", "/queue", "/lifecycle", "/settings/review")) for p in paths)
    # the setting page: admins only; the form turns two-step review on and off
    assert rev.get("/settings/review").status_code == 403 and unit.get("/queue").status_code == 403
    token = _form_token(admin, "/settings/review")
    admin.post("/settings/review", data={"csrf_token": token, "two_step_review": "1"})
    assert web.state.cycle.two_step() and 'id="two-step-review" checked' in admin.get("/settings/review").text
    admin.post("/settings/review", data={"csrf_token": token})
    assert not web.state.cycle.two_step()
    # drafts: when DRAFT_SLOTS analyses are running, the next is refused with 429 (nothing stored)
    before = len(unit.get("/api/drafts").json())
    routes_lifecycle.SLOTS.used = routes_lifecycle.SLOTS.limit
    try:
        r = unit.post("/api/drafts", files={"file": sample("002")})
    finally:
        routes_lifecycle.SLOTS.used = 0
    assert r.status_code == 429 and "稍后" in r.json()["detail"]
    assert len(unit.get("/api/drafts").json()) == before


def test_web_claim_from_the_queue(web):
    other, rev = _client(web, "gx"), _client(web, "wang")
    up = other.post("/api/upload", files={"files": sample("001")}).json()[0]
    sid = up["submission_id"]
    page = rev.get("/queue").text
    assert f'id="claim-{sid}"' in page
    r = rev.post(f"/lifecycle/{sid}/claim", data={"csrf_token": _form_token(rev, "/queue")}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/queue")
    assert [s["id"] for s in rev.get("/api/queue").json()["mine"]] == [sid]
    assert other.post(f"/api/submissions/{sid}/claim").status_code == 403  # a unit claims nothing
    assert rev.get(f"/api/submissions/{sid}/lifecycle").json()["reviewer"] == "wang"
