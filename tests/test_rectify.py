"""整改销号 and the 问题池 (issue 14 item 2) on real databases (SQLite; PostgreSQL too where
FAZHI_TEST_PG_URL is set) with the real sample reports, and through the web app (TestClient)."""
from __future__ import annotations

import io
import time
from datetime import date, timedelta

import pytest
from conftest import sample_path, sample_text

from fazhi.cycle.rectify_match import locate

from test_cycle import any_cycle  # noqa: F401 (fixture)

PASSWORD = "correct-horse-1"
WRONG, RIGHT = "法治建设第一负责人", "法治建设第一责任人"  # a wrong formulation in sample 004
KEPT = "依法行政"  # words a comment is about that the unit leaves as they are
DELETED = "做好我镇法治建设重大问题的运筹谋划、科学决策,"  # words the unit deletes


@pytest.fixture
def cycle(any_cycle):
    """On SQLite and PostgreSQL (test_cycle.any_cycle)."""
    return any_cycle


def span(text: str, words: str) -> dict:
    i = text.index(words)
    return {"start": i, "end": i + len(words)}


def returned_004(cycle) -> tuple[dict, dict, dict, str]:
    """Sample 004 uploaded by a reviewer and returned with three span comments and a note;
    (reviewer, unit account, the upload, its text)."""
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    p = sample_path("004")
    up = cycle.upload(rev, p.name, p.read_bytes())
    text = cycle.corpus.get(up["report_id"])["text"]
    unit = cycle.add_user("u004", PASSWORD, "unit", unit_name=up["unit_name"])
    cycle.return_(rev, up["submission_id"], [{**span(text, WRONG), "body": "请改为“第一责任人”。"},
                                             {**span(text, KEPT), "body": "请补充依法行政的具体举措。"},
                                             {**span(text, DELETED), "body": "空话，请删去。"}],
                  note="请对照意见逐条修改。")
    return rev, unit, up, text


def accept_finding(cycle, reviewer: dict, report_id: int, rule: str, verdict: str = "accepted") -> dict:
    """A reviewer's verdict (fazhi.cycle.opinion) on the first spanned finding of `rule`; the finding."""
    f = next(f for f in cycle.corpus.report_dict(report_id)["findings"] if f["rule"] == rule and f["start"] is not None)
    cycle.set_verdict(reviewer, report_id, f"{rule}:{f['start']}:{f['end']}", verdict, reason="测试")
    return f


# ---------------------------------------------------------------- raising issues


def test_a_return_turns_comments_the_note_and_accepted_findings_into_issues(cycle):
    from fazhi.cycle.deadlines import today

    rev = cycle.add_user("li", PASSWORD, "reviewer")
    p = sample_path("004")
    up = cycle.upload(rev, p.name, p.read_bytes())
    text = cycle.corpus.get(up["report_id"])["text"]
    accepted = accept_finding(cycle, rev, up["report_id"], "formulation-standard")
    rules = [f["rule"] for f in cycle.corpus.report_dict(up["report_id"])["findings"]
             if f["start"] is not None and f["rule"] != "formulation-standard"]
    accept_finding(cycle, rev, up["report_id"], rules[0], verdict="false_positive")  # 误报: never an issue
    cycle.return_(rev, up["submission_id"], [{**span(text, KEPT), "body": "请补充。"}], note="总体意见：请修改。")

    issues = cycle.rectifications(rev, submission_id=up["submission_id"])
    by_source = {s: [i for i in issues if i["source"] == s] for s in ("comment", "finding", "manual")}
    assert len(issues) == 3 and len(by_source["finding"]) == 1 and not by_source["manual"]
    spanned = next(i for i in by_source["comment"] if i["quote"])
    note = next(i for i in by_source["comment"] if not i["quote"])
    assert (spanned["quote"], spanned["body"], spanned["start"]) == (KEPT, "请补充。", text.index(KEPT))
    assert (note["body"], note["start"], note["quote"]) == ("总体意见：请修改。", None, None)
    finding = by_source["finding"][0]
    assert finding["rule"] == "formulation-standard" and finding["quote"] == text[accepted["start"]:accepted["end"]]
    assert finding["finding_key"] == f"formulation-standard:{accepted['start']}:{accepted['end']}"
    assert accepted["message"] in finding["body"]
    due = (today() + timedelta(days=15)).isoformat()
    assert {i["state"] for i in issues} == {"open"} and {i["due"] for i in issues} == {due}
    assert {i["unit_id"] for i in issues} == {up["unit_id"]} and {i["year"] for i in issues} == {up["year"]}
    raised = [a for a in cycle.audit_log() if a["action"] == "rectify.raise"]
    assert len(raised) == 1 and raised[0]["detail"]["issues"] == 3 and raised[0]["detail"]["findings"] == 1

    # the same file sent again and returned again: the accepted finding is not raised twice
    assert cycle.upload(rev, p.name, p.read_bytes())["report_id"] == up["report_id"]
    cycle.return_(rev, up["submission_id"], [], note="再次退回。")
    again = cycle.rectifications(rev, submission_id=up["submission_id"])
    assert len(again) == 4 and sum(i["source"] == "finding" for i in again) == 1


def test_the_deadline_comes_from_the_setting_and_can_be_changed_per_issue(cycle):
    from fazhi.cycle import CycleError
    from fazhi.cycle.deadlines import today

    rev = cycle.add_user("li", PASSWORD, "reviewer")
    cycle.set_rectify_days(rev, 30)
    assert cycle.setting("rectify_days") == 30
    p = sample_path("004")
    up = cycle.upload(rev, p.name, p.read_bytes())
    cycle.return_(rev, up["submission_id"], [], note="请修改。")
    (issue,) = cycle.rectifications(rev)
    assert issue["due"] == (today() + timedelta(days=30)).isoformat()
    changed = cycle.set_rectification_due(rev, issue["id"], "2020-01-31")
    assert changed["due"] == "2020-01-31" and changed["overdue"]
    with pytest.raises(CycleError, match="YYYY-MM-DD"):
        cycle.set_rectification_due(rev, issue["id"], "31/01/2020")
    with pytest.raises(CycleError, match="1–366"):
        cycle.set_rectify_days(rev, 0)
    assert cycle.rectifications(rev)[0]["due"] == "2020-01-31"


# ---------------------------------------------------------------- states


def test_reviewers_set_states_units_only_see(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    rev, unit, up, text = returned_004(cycle)
    issues = {i["quote"]: i for i in cycle.rectifications(unit)}
    assert set(issues) == {WRONG, KEPT, DELETED, None}
    fixed_text = text.replace(WRONG, RIGHT)
    v2 = cycle.upload(unit, "004-v2.txt", fixed_text.encode())
    wrong = issues[WRONG]["id"]

    with pytest.raises(AccessDenied):
        cycle.set_rectification_state(unit, wrong, "fixed")
    with pytest.raises(CycleError, match="须先确认已整改"):
        cycle.set_rectification_state(rev, wrong, "closed")
    with pytest.raises(CycleError, match="未知整改状态"):
        cycle.set_rectification_state(rev, wrong, "done")
    assert cycle.rectification(rev, wrong)["state"] == "open"

    fixed = cycle.set_rectification_state(rev, wrong, "fixed", note="已改为法定表述。")
    assert (fixed["state"], fixed["state_label"], fixed["fixed_report_id"], fixed["checked_report_id"]) == \
        ("fixed", "已整改", v2["report_id"], v2["report_id"])
    closed = cycle.set_rectification_state(rev, wrong, "closed")
    assert closed["state_label"] == "销号" and closed["closed_by"] == rev["id"] and closed["closed_at"] is not None
    assert closed["note"] == "已改为法定表述。"
    with pytest.raises(CycleError, match="不是该单位报送的版本"):
        cycle.set_rectification_state(rev, issues[KEPT]["id"], "unfixed", report_id=v2["report_id"] + 100)
    kept = cycle.set_rectification_state(rev, issues[KEPT]["id"], "unfixed", report_id=v2["report_id"])
    assert kept["state"] == "unfixed" and kept["fixed_report_id"] is None
    with pytest.raises(CycleError, match="已是"):
        cycle.set_rectification_state(rev, issues[KEPT]["id"], "unfixed")

    told = [m for m in cycle.messages(unit) if m["kind"] == "rectify"]  # the unit hears of each decision
    assert [m["title"] for m in reversed(told)] == [f"整改问题已整改：“{WRONG}”", f"整改问题销号：“{WRONG}”",
                                                    f"整改问题未整改：“{KEPT}”"]
    assert "请在" in told[0]["body"] and told[1]["link"] == f"/reports/{v2['report_id']}"
    moves = [(a["detail"]["from"], a["detail"]["to"]) for a in reversed(cycle.audit_log())
             if a["action"] == "rectify.state"]
    assert moves == [("open", "fixed"), ("fixed", "closed"), ("open", "unfixed")]
    assert {i["state"] for i in cycle.rectifications(unit, state="outstanding")} == {"open", "unfixed"}
    assert len(cycle.rectifications(unit, state="outstanding")) == 3

    # another unit's account sees none of them; a logged-out caller is refused
    p = sample_path("000")
    other = cycle.add_user("u000", PASSWORD, "unit", unit_name=cycle.upload(rev, p.name, p.read_bytes())["unit_name"])
    assert cycle.rectifications(other) == [] and cycle.rectification(other, wrong) is None
    assert cycle.rectification_view(other, v2["report_id"]) is None
    with pytest.raises(AccessDenied):
        cycle.rectifications(None)


# ---------------------------------------------------------------- resubmission


def test_a_resubmission_shows_what_stands_where_each_issue_was(cycle):
    rev, unit, up, text = returned_004(cycle)
    new_text = text.replace(WRONG, RIGHT).replace(DELETED, "")
    v2 = cycle.upload(unit, "004-v2.txt", new_text.encode())
    view = cycle.rectification_view(unit, v2["report_id"])
    items = {i["quote"]: i for i in view["items"]}
    assert set(items) == {WRONG, KEPT, DELETED, None}
    now = {q: i["now"] for q, i in items.items()}
    assert (now[WRONG]["text"], now[WRONG]["suggestion"], now[WRONG]["suggestion_label"]) == \
        (RIGHT, "changed", "可能已整改（文字已改动）")
    assert new_text[now[WRONG]["start"]:now[WRONG]["end"]] == RIGHT
    assert (now[KEPT]["text"], now[KEPT]["suggestion"], now[KEPT]["suggestion_label"]) == (KEPT, "unchanged", "未修改")
    assert new_text[now[KEPT]["start"]:now[KEPT]["end"]] == KEPT
    assert (now[DELETED]["text"], now[DELETED]["suggestion"]) == ("", "gone")
    assert now[None]["suggestion"] is None  # the note has no words to compare
    assert view["reviewer"] is False and cycle.rectification_view(rev, v2["report_id"])["reviewer"] is True
    # the version the issues were raised on shows them in place, with no suggestion
    first = {i["quote"]: i["now"] for i in cycle.rectification_view(rev, up["report_id"])["items"]}
    assert (first[WRONG]["how"], first[WRONG]["start"], first[WRONG]["suggestion"]) == \
        ("same", text.index(WRONG), None)


def test_a_page_view_locates_each_issue_once(cycle, monkeypatch):
    from fazhi.cycle import rectify_view

    rev, unit, up, text = returned_004(cycle)
    v2 = cycle.upload(unit, "004-v2.txt", text.replace(WRONG, RIGHT).encode())
    calls = []
    real = rectify_view.locate
    monkeypatch.setattr(rectify_view, "locate", lambda *a: calls.append(a[3]) or real(*a))
    first = cycle.rectification_view(rev, v2["report_id"])
    assert sorted(calls, key=str) == sorted([WRONG, KEPT, DELETED, None], key=str)
    calls.clear()
    again = cycle.rectification_view(unit, v2["report_id"])  # stored reports never change: cached
    assert calls == [] and [i["now"] for i in again["items"]] == [i["now"] for i in first["items"]]


def test_open_issues_follow_the_unit_into_the_next_year(cycle):
    rev, unit, up, text = returned_004(cycle)
    v2 = cycle.upload(unit, "004-v2.txt", text.replace(WRONG, RIGHT).encode())
    ids = {i["quote"]: i["id"] for i in cycle.rectifications(rev)}
    cycle.set_rectification_state(rev, ids[WRONG], "fixed")
    cycle.set_rectification_state(rev, ids[WRONG], "closed")
    cycle.set_rectification_state(rev, ids[KEPT], "unfixed")
    cycle.set_rectification_state(rev, ids[None], "fixed")
    cycle.approve(rev, v2["submission_id"])

    nxt = cycle.upload(unit, "004-next.txt", ("（下一年度）\n" + text.replace(WRONG, RIGHT)).encode(),
                       year=up["year"] + 1)
    assert nxt["submission_id"] != up["submission_id"]
    view = cycle.rectification_view(unit, nxt["report_id"])
    items = {i["quote"]: i for i in view["items"]}
    assert set(items) == {KEPT, DELETED}  # 销号 and 已整改 issues stay behind; outstanding ones follow
    assert items[KEPT]["earlier_year"] and items[KEPT]["year"] == up["year"]
    assert items[KEPT]["now"]["suggestion"] == "unchanged" and items[DELETED]["now"]["suggestion"] == "unchanged"
    assert view["done"] == []  # nothing fixed yet in the new year's submission
    # the earlier year's report still shows only its own year's issues
    assert {i["year"] for i in cycle.rectification_view(rev, v2["report_id"])["items"]} == {up["year"]}


# ---------------------------------------------------------------- the pool


def test_counts_filters_and_overdue(cycle):
    rev, unit, up, text = returned_004(cycle)
    ids = {i["quote"]: i["id"] for i in cycle.rectifications(rev)}
    cycle.set_rectification_state(rev, ids[KEPT], "unfixed")
    cycle.set_rectification_due(rev, ids[DELETED], "2020-01-01")
    counts = cycle.rectification_counts()
    assert counts == {up["unit_id"]: {"open": 3, "fixed": 0, "unfixed": 1, "closed": 0, "overdue": 1}}
    later = date.today() + timedelta(days=400)  # every outstanding issue is overdue by then
    assert cycle.rectification_counts(today=later)[up["unit_id"]]["overdue"] == 4
    assert cycle.rectification_counts(year=up["year"] + 1) == {}
    assert cycle.rectification_counts(unit_ids=set()) == {}
    assert [i["id"] for i in cycle.rectifications(rev, overdue=True)] == [ids[DELETED]]
    assert [i["quote"] for i in cycle.rectifications(rev, state="unfixed")] == [KEPT]
    assert cycle.rectifications(rev, year=up["year"] + 1) == []
    assert cycle.rectification_years(rev) == cycle.rectification_years(unit) == [up["year"]]
    assert len(cycle.rectifications(rev, unit_id=up["unit_id"], year=up["year"])) == 4


def test_an_issue_added_by_hand(cycle):
    from fazhi.cycle import AccessDenied, CycleError

    rev, unit, up, text = returned_004(cycle)
    found = cycle.add_rectification(rev, up["submission_id"], "请补充数据。", quote=KEPT)
    assert (found["source"], found["start"], found["quote"], found["state"]) == ("manual", text.index(KEPT), KEPT, "open")
    loose = cycle.add_rectification(rev, up["submission_id"], "表格缺失。", quote="这几个字不在报告中", due="2030-01-01")
    assert (loose["start"], loose["quote"], loose["due"]) == (None, "这几个字不在报告中", "2030-01-01")
    with pytest.raises(CycleError, match="超出"):
        cycle.add_rectification(rev, up["submission_id"], "x", start=0, end=len(text) + 5)
    with pytest.raises(CycleError, match="请填写"):
        cycle.add_rectification(rev, up["submission_id"], "  ")
    with pytest.raises(AccessDenied):
        cycle.add_rectification(unit, up["submission_id"], "单位自己不能提问题")
    assert len(cycle.rectifications(rev)) == 6
    assert [a["action"] for a in cycle.audit_log()].count("rectify.add") == 2


# ---------------------------------------------------------------- locating words (pure)


def test_locate_finds_changed_kept_deleted_and_rewritten_words():
    text = sample_text("004")
    i = text.index(WRONG)
    args = (text, i, i + len(WRONG), WRONG)
    assert locate(*args, text).suggestion == "unchanged"
    changed = locate(*args, text.replace(WRONG, RIGHT))
    assert (changed.text, changed.how, changed.suggestion) == (RIGHT, "context", "changed")
    gone = locate(*args, text.replace(WRONG, ""))
    assert (gone.text, gone.start, gone.suggestion) == ("", i, "gone")
    # the sentence slightly reworded around the words (the anchors gone): found fuzzily
    a, b = text.rfind("。", 0, i) + 1, text.find("。", i) + 1
    reworded = text[:a] + text[a:b].replace("进一步强化党政主要负责人履行", "切实强化主要负责人认真履行") \
        .replace("职责,推动", "职责，推动").replace(WRONG, "法治建设首要责任人") + text[b:]
    fuzzy = locate(*args, reworded)
    assert fuzzy.how == "fuzzy" and fuzzy.suggestion == "changed" and "首要责任人" in fuzzy.text
    # the whole sentence removed: nothing found, suggested as possibly fixed
    removed = locate(*args, text[:a] + text[b:])
    assert (removed.start, removed.suggestion) == (None, "gone")
    # no span or old text (the report deleted): the words themselves are looked for
    assert locate(None, None, None, WRONG, text).start == i
    assert locate(text, None, None, None, text).suggestion is None


def test_locate_is_linear_in_the_text():
    text = sample_text("004")
    i = text.index(WRONG)
    timings = []
    for copies in (20, 80):
        big = (text.replace(WRONG, "") + "\n") * copies  # context found nowhere near: every step runs
        t0 = time.perf_counter()
        locate(text, i, i + len(WRONG), WRONG, big)
        timings.append(time.perf_counter() - t0)
    assert timings[1] < 1.0
    assert timings[1] < 4 * 8 * max(timings[0], 0.002)  # 4× the text: far from 16× (quadratic)


# ---------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from fastapi.testclient import TestClient

    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("rectify") / "app.db"))
    cycle = app.state.cycle
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    p = sample_path("004")
    up = cycle.upload(rev, p.name, p.read_bytes())
    text = cycle.corpus.get(up["report_id"])["text"]
    cycle.add_user("u004", PASSWORD, "unit", unit_name=up["unit_name"])
    q = sample_path("000")
    other = cycle.upload(rev, q.name, q.read_bytes())
    cycle.add_user("u000", PASSWORD, "unit", unit_name=other["unit_name"])
    cycle.return_(rev, up["submission_id"], [{**span(text, WRONG), "body": "请改为“第一责任人”。"}], note="请修改。")
    cycle.return_(rev, other["submission_id"], [], note="另一单位的问题。")

    def client(name: str | None) -> TestClient:
        from test_web_app import login

        c = TestClient(app)
        if name:
            assert login(c, name, PASSWORD).status_code == 303
        return c

    return {"app": app, "cycle": cycle, "rev": rev, "up": up, "other": other, "text": text, "client": client}


def test_the_pool_page_and_its_excel_export(web):
    import openpyxl

    rev = web["client"]("rev")
    page = rev.get("/issues")
    assert page.status_code == 200 and 'id="issues-counts"' in page.text
    assert page.text.count('data-issue-id="') == 3 and "另一单位的问题。" in page.text
    assert '<strong data-state="open">3</strong>' in page.text
    one = rev.get(f"/issues?unit_id={web['up']['unit_id']}&state=open")
    assert one.text.count('data-issue-id="') == 2 and "另一单位的问题。" not in one.text
    assert rev.get("/issues?state=bogus").status_code == 422
    assert rev.get("/issues?year=99999").status_code == 422

    x = rev.get(f"/issues.xlsx?unit_id={web['up']['unit_id']}")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "单位", "年度") and len(rows) == 3
    assert {r[6] for r in rows[1:]} == {WRONG, None} and {r[7] for r in rows[1:]} == {"待整改"}

    unit = web["client"]("u004")
    mine = unit.get("/issues")
    assert mine.status_code == 200 and mine.text.count('data-issue-id="') == 2
    assert "另一单位的问题。" not in mine.text and 'id="issues-counts"' not in mine.text
    assert len(openpyxl.load_workbook(io.BytesIO(unit.get("/issues.xlsx").content)).active["A"]) == 3
    assert web["client"](None).get("/issues", follow_redirects=False).status_code in (303, 401)


def test_the_api_lists_counts_and_sets_states(web):
    from test_web_app import api_token

    rev, unit = web["client"]("rev"), web["client"]("u004")
    issues = rev.get("/api/rectifications", params={"unit_id": web["up"]["unit_id"]}).json()
    assert {i["quote"] for i in issues} == {WRONG, None}
    wrong = next(i for i in issues if i["quote"] == WRONG)
    counts = rev.get("/api/rectifications/counts").json()
    assert counts["totals"]["open"] == 3 and counts["units"][str(web["up"]["unit_id"])]["open"] == 2
    assert unit.get("/api/rectifications/counts").json()["totals"]["open"] == 2
    assert len(unit.get("/api/rectifications").json()) == 2
    other_issue = rev.get("/api/rectifications", params={"unit_id": web["other"]["unit_id"]}).json()[0]
    assert unit.get(f"/api/rectifications/{other_issue['id']}").status_code == 404
    assert unit.get(f"/api/rectifications/{wrong['id']}").json()["body"] == "请改为“第一责任人”。"
    assert rev.get("/api/rectifications", params={"state": "nope"}).status_code == 422

    # writes: reviewers with the CSRF header; a unit is refused; bad moves are one Chinese line
    assert rev.post(f"/api/rectifications/{wrong['id']}/state", json={"state": "fixed"}).status_code == 403
    h = {"X-CSRF-Token": api_token(rev)}
    r = rev.post(f"/api/rectifications/{wrong['id']}/state", json={"state": "closed"}, headers=h)
    assert r.status_code == 409 and "须先确认已整改" in r.json()["detail"]
    r = rev.post(f"/api/rectifications/{wrong['id']}/state", json={"state": "unfixed", "note": "仍未修改"}, headers=h)
    assert r.status_code == 200 and (r.json()["state"], r.json()["note"]) == ("unfixed", "仍未修改")
    assert unit.post(f"/api/rectifications/{wrong['id']}/state", json={"state": "fixed"},
                     headers={"X-CSRF-Token": api_token(unit)}).status_code == 403
    r = rev.post(f"/api/rectifications/{wrong['id']}/due", json={"due": "2031-05-01"}, headers=h)
    assert r.json()["due"] == "2031-05-01"
    assert rev.post(f"/api/rectifications/{wrong['id']}/due", json={"due": "tomorrow"}, headers=h).status_code == 422
    r = rev.post("/api/rectifications", json={"submission_id": web["up"]["submission_id"], "body": "请补表。",
                                              "quote": KEPT}, headers=h)
    assert r.status_code == 200 and (r.json()["source"], r.json()["quote"]) == ("manual", KEPT)
    assert rev.post("/api/rectifications/settings", json={"days": 20}, headers=h).json() == {"rectify_days": 20}
    panel = unit.get(f"/api/reports/{web['up']['report_id']}/rectifications").json()
    assert {i["quote"] for i in panel["items"]} == {WRONG, None, KEPT}
    assert web["client"](None).get(f"/api/reports/{web['up']['report_id']}/rectifications").status_code in (401, 404)
    spec = rev.get("/openapi.json").json()["paths"]
    assert {"/api/rectifications", "/api/rectifications/counts", "/api/rectifications/{issue_id}/state",
            "/api/reports/{report_id}/rectifications"} <= set(spec)


def test_the_report_page_panel_and_its_forms(web):
    from test_web_app import csrf_of

    rev = web["client"]("rev")
    cycle, up = web["cycle"], web["up"]
    page = rev.get(f"/reports/{up['report_id']}")
    assert page.status_code == 200 and 'id="rectify"' in page.text and "rectify.js" in page.text
    reviewer = web["rev"]
    issue = next(i for i in cycle.rectifications(reviewer, unit_id=up["unit_id"]) if i["body"] == "请修改。")
    token = csrf_of(page.text)
    r = rev.post(f"/issues/{issue['id']}/state", data={"csrf_token": token, "state": "fixed", "note": "已改",
                                                       "back": f"/reports/{up['report_id']}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{up['report_id']}"
    assert cycle.rectification(reviewer, issue["id"])["state"] == "fixed"
    r = rev.post(f"/issues/{issue['id']}/state", data={"csrf_token": "wrong", "state": "closed"})
    assert r.status_code == 403 and cycle.rectification(reviewer, issue["id"])["state"] == "fixed"
    r = rev.post(f"/issues/{issue['id']}/state", data={"csrf_token": token, "state": "bogus", "back": "//evil"},
                 follow_redirects=False)
    assert r.headers["location"] == "/reports"  # never another site
    assert "未知整改状态" in rev.get("/reports").text
    r = rev.post("/issues/add", data={"csrf_token": token, "body": "页面添加的问题", "submission_id": up["submission_id"],
                                      "back": f"/reports/{up['report_id']}"})
    assert r.status_code == 200 and "页面添加的问题" in r.text
    unit_page = web["client"]("u004").get(f"/reports/{up['report_id']}")
    assert 'id="rectify"' in unit_page.text and "页面添加的问题" in unit_page.text
    assert 'class="state-form"' not in unit_page.text  # units only see
    other_page = web["client"]("u000").get(f"/reports/{web['other']['report_id']}").text
    assert "另一单位的问题。" in other_page and "页面添加的问题" not in other_page and WRONG not in other_page.split(
        'id="report-text"')[0]


def test_a_branch_reviewer_sees_and_decides_only_its_branch(cycle):
    from fazhi.cycle import AccessDenied

    rev, unit, up, text = returned_004(cycle)
    admin = cycle.add_user("boss", PASSWORD, "admin")
    p = sample_path("000")
    other = cycle.upload(rev, p.name, p.read_bytes())
    cycle.return_(rev, other["submission_id"], [], note="另一单位的问题。")
    office = cycle.add_unit("某县依法治县办", by=admin)
    cycle.edit_unit(admin, office["id"], is_office=True)
    cycle.edit_unit(admin, up["unit_id"], parent_id=office["id"])
    cycle.add_user("zhen", PASSWORD, "reviewer")
    zhen = cycle.set_role(admin, "zhen", "reviewer", unit_id=office["id"])
    mine = cycle.rectifications(zhen)
    assert len(mine) == 4 and {i["unit_id"] for i in mine} == {up["unit_id"]}
    assert len(cycle.rectifications(rev)) == 5  # a reviewer without an office sees every unit
    (theirs,) = cycle.rectifications(rev, unit_id=other["unit_id"])
    with pytest.raises(AccessDenied):
        cycle.set_rectification_state(zhen, theirs["id"], "fixed")
    assert cycle.rectification(zhen, theirs["id"]) is None
    assert cycle.set_rectification_state(zhen, mine[0]["id"], "unfixed")["state"] == "unfixed"
