"""The reviewer owns the opinion (issue 14 item 3): 误报 / 采纳 on machine findings, the score after
them, the opinion's items and 总体意见, the score adjustment, sending, the Word 审查意见 and which
rules misfire — on real databases (SQLite; PostgreSQL when FAZHI_TEST_PG_URL is set) with the real
sample reports, and through the web app (httpx TestClient) on a real SQLite file."""
from __future__ import annotations

import io
import re

import pytest
from conftest import sample_path

from fazhi.cycle import AccessDenied, CycleError
from fazhi.cycle.audit import AuditQuery
from fazhi.cycle.opinion_score import finding_key

from test_cycle import any_cycle  # noqa: F401 (fixture)

PASSWORD = "correct-horse-1"
SPACE = "stray-space"  # sample 000: “〔2023〕2 号”, a format warning (1 point), the report is not capped


@pytest.fixture
def cycle(any_cycle):
    """On SQLite and PostgreSQL (test_cycle.any_cycle)."""
    return any_cycle


def upload(cycle, user, prefix: str, **kw) -> dict:
    p = sample_path(prefix)
    return cycle.upload(user, p.name, p.read_bytes(), **kw)


def finding(cycle, report_id: int, rule: str, n: int = 0) -> dict:
    return [f for f in cycle.corpus.report_dict(report_id)["findings"] if f["rule"] == rule][n]


@pytest.fixture
def filed(cycle):
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    up = upload(cycle, rev, "000")
    return cycle, rev, up["report_id"], up["submission_id"]


# ---------------------------------------------------------------- verdicts and the score


def test_dismissing_a_finding_gives_back_its_deduction_and_keeps_it_in_the_json(filed):
    from fazhi.review.rubric import default_rubric

    cycle, rev, rid, sid = filed
    f = finding(cycle, rid, SPACE, 1)
    key = finding_key(f)
    rubric = default_rubric()
    points = rubric.deduction_for(f["rule"], f["severity"], rubric.item_for(f["rule"], f["category"]))
    before = cycle.final_score(rid)
    assert before["total"] == before["machine"] == cycle.corpus.report_dict(rid)["score"]["total"]

    done = cycle.set_verdict(rev, rid, key, "false_positive", "文号中的空格是原件排版所致")
    after = done["final_score"]
    assert points > 0 and after["dismissed"] == points
    assert after["total"] == pytest.approx(before["total"] + points)
    assert cycle.finding_verdicts(rid) == {key: "false_positive"}
    assert cycle.opinion(sid)["final_score"] == pytest.approx(after["total"])  # stored for the ranking
    # the finding stays in the stored analysis (the report's JSON); the audit log names it
    assert key in {finding_key(x) for x in cycle.corpus.report_dict(rid)["findings"]}
    (row,) = cycle.audit_log(query=AuditQuery(action="finding.verdict"))
    assert row["detail"]["key"] == key and row["detail"]["to"] == "false_positive"
    assert row["detail"]["reason"] == "文号中的空格是原件排版所致"

    cycle.set_verdict(rev, rid, key, None)  # restored
    assert cycle.final_score(rid)["total"] == before["total"]
    assert cycle.finding_verdicts(rid) == {}
    assert len(cycle.audit_log(query=AuditQuery(action="finding.verdict"))) == 2


def test_a_verdict_needs_a_reviewer_a_reason_and_a_finding_of_the_report(filed):
    cycle, rev, rid, sid = filed
    key = finding_key(finding(cycle, rid, SPACE))
    unit = cycle.add_user("unit1", PASSWORD, "unit", unit_name=cycle.submission(sid)["unit_name"])
    with pytest.raises(AccessDenied):
        cycle.set_verdict(unit, rid, key, "false_positive", "不是问题")
    with pytest.raises(CycleError, match="理由"):
        cycle.set_verdict(rev, rid, key, "false_positive", "  ")
    with pytest.raises(CycleError, match="没有这条问题"):
        cycle.set_verdict(rev, rid, "stray-space:1:2", "false_positive", "不是问题")
    with pytest.raises(CycleError, match="误报"):
        cycle.set_verdict(rev, rid, key, "maybe", "不是问题")
    assert cycle.finding_verdicts(rid) == {}
    assert cycle.audit_log(query=AuditQuery(action="finding.verdict")) == []  # nothing half-written


def test_accepting_keeps_the_score_and_is_what_the_issue_pool_reads(filed):
    cycle, rev, rid, sid = filed
    key = finding_key(finding(cycle, rid, "unit-backslash"))
    machine = cycle.final_score(rid)["total"]
    cycle.set_verdict(rev, rid, key, "accepted")
    assert cycle.finding_verdicts(rid) == {key: "accepted"}
    assert cycle.final_score(rid)["total"] == machine
    # at the return the accepted finding joins the 问题池 (fazhi.cycle.rectify reads the verdicts)
    cycle.return_(rev, sid, [], note="请修改")
    issues = cycle.rectifications(rev, submission_id=sid)
    assert [i["finding_key"] for i in issues if i["source"] == "finding"] == [key]


def test_dismissing_a_blocker_lifts_the_cap(cycle):
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    rid = upload(cycle, rev, "004")["report_id"]
    machine = cycle.corpus.report_dict(rid)["score"]
    assert machine["capped_by"] == ["parts"]
    part = finding(cycle, rid, "part-missing")
    score = cycle.set_verdict(rev, rid, finding_key(part), "false_positive", "该部分以“二、”下的段落写明")["final_score"]
    assert score["total"] > machine["cap"] >= machine["total"]


def test_the_recycling_deduction_comes_off_the_final_score(cycle):
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    first = upload(cycle, rev, "000", year=2022)
    text = sample_path("000").read_text(encoding="utf-8").replace("2023", "2024")
    again = cycle.upload(rev, "second.txt", text.encode("utf-8"), unit_id=first["unit_id"], year=2023)
    rec = cycle.recycling(again["report_id"])
    assert rec["recycled_share"] > 0.85 and rec["deduction"] > 0
    score = cycle.final_score(again["report_id"])
    assert score["recycling"] == rec["deduction"]
    assert score["total"] == pytest.approx(max(0, score["machine"] - rec["deduction"]))


# ---------------------------------------------------------------- the opinion


def test_page_views_at_the_same_moment_make_one_opinion(cycle):
    """The report page makes the opinion on first need: several requests at once (threads, each its own
    connection) make it once, with one set of items, and none of them fails."""
    import threading

    rev = cycle.add_user("li", PASSWORD, "reviewer")
    sids = [upload(cycle, rev, p)["submission_id"] for p in ("000", "002", "003")]
    errors: list[BaseException] = []
    for sid in sids:
        gate = threading.Barrier(4)

        def view(sid=sid, gate=gate):
            try:
                gate.wait()
                cycle.refresh_final_score(sid)
            except BaseException as e:  # noqa: BLE001 - every failure is reported below
                errors.append(e)

        threads = [threading.Thread(target=view) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for sid in sids:
        op = cycle.opinion(sid)
        refs = [i["ref"] for i in op["items"]]
        assert refs and len(refs) == len(set(refs))  # generated once, not once per request
        assert op["final_score"] is not None


def test_the_opinion_is_made_from_the_findings_left_and_the_comments(filed):
    from fazhi.render.opinion_edit import finding_text, ordered_findings

    cycle, rev, rid, sid = filed
    dismissed = finding(cycle, rid, SPACE)
    cycle.set_verdict(rev, rid, finding_key(dismissed), "false_positive", "排版所致")
    cycle.return_(rev, sid, [{"start": 0, "end": 4, "body": "标题请按规范写"}], note="请补充数据")
    op = cycle.import_comments(rev, sid)  # the opinion was made by the verdict, before the comments
    assert op["unlisted_comments"] == 0
    data = cycle.corpus.report_dict(rid)
    kept = ordered_findings([f for f in data["findings"] if f is not dismissed and f != dismissed])
    found = [i for i in op["items"] if i["source"] == "finding"]
    assert [i["ref"] for i in found] == [finding_key(f) for f in kept]
    assert found[0]["body"] == finding_text(kept[0], data["text"])
    comments = [i["body"] for i in op["items"] if i["source"] == "comment"]
    assert comments == [f"关于“{data['text'][0:4]}”：标题请按规范写", "请补充数据"]
    assert [i["position"] for i in op["items"]] == list(range(1, len(op["items"]) + 1))

    # a finding dismissed later leaves the opinion; restored, it comes back last
    other = finding(cycle, rid, "unit-backslash")
    cycle.set_verdict(rev, rid, finding_key(other), "false_positive", "“人\\次”为原文统计口径")
    refs = [i["ref"] for i in cycle.opinion(sid)["items"]]
    assert finding_key(other) not in refs
    cycle.set_verdict(rev, rid, finding_key(other), None)
    assert cycle.opinion(sid)["items"][-1]["ref"] == finding_key(other)


def test_items_are_added_edited_moved_reordered_and_deleted(filed):
    cycle, rev, rid, sid = filed
    op = cycle.open_opinion(rev, sid)
    ids = [i["id"] for i in op["items"]]
    op = cycle.add_opinion_item(rev, sid, "请补充第一责任人履职情况。")
    new = op["items"][-1]
    assert (new["body"], new["source"]) == ("请补充第一责任人履职情况。", "manual")
    op = cycle.move_opinion_item(rev, sid, new["id"], -1)
    assert [i["id"] for i in op["items"]] == ids[:-1] + [new["id"], ids[-1]]
    op = cycle.edit_opinion_item(rev, sid, ids[0], "第一条，改写。")
    assert op["items"][0]["body"] == "第一条，改写。"
    order = list(reversed([i["id"] for i in op["items"]]))
    assert [i["id"] for i in cycle.reorder_opinion(rev, sid, order)["items"]] == order
    with pytest.raises(CycleError, match="刷新"):
        cycle.reorder_opinion(rev, sid, order[:-1])
    op = cycle.delete_opinion_item(rev, sid, ids[0])
    assert ids[0] not in [i["id"] for i in op["items"]]
    assert [i["position"] for i in op["items"]] == list(range(1, len(op["items"]) + 1))
    with pytest.raises(CycleError, match="不能为空"):
        cycle.add_opinion_item(rev, sid, "   ")
    actions = {r["action"] for r in cycle.audit_log()}
    assert {"opinion.item_add", "opinion.item_move", "opinion.item_edit", "opinion.reorder",
            "opinion.item_delete"} <= actions


def test_sending_freezes_the_opinion_until_it_is_reopened(filed):
    cycle, rev, rid, sid = filed
    cycle.set_overall(rev, sid, "报告总体规范，个别表述需修改。")
    op = cycle.send_opinion(rev, sid)
    assert op["sent"] and op["overall"] == "报告总体规范，个别表述需修改。"
    for change in (lambda: cycle.add_opinion_item(rev, sid, "再加一条"),
                   lambda: cycle.set_overall(rev, sid, "改"),
                   lambda: cycle.adjust_score(rev, sid, -1, "理由")):
        with pytest.raises(CycleError, match="重新编辑"):
            change()
    with pytest.raises(CycleError, match="已发送"):
        cycle.send_opinion(rev, sid)
    assert not cycle.reopen_opinion(rev, sid)["sent"]
    assert cycle.add_opinion_item(rev, sid, "再加一条")["items"][-1]["body"] == "再加一条"


def test_the_adjustment_needs_a_reason_and_stays_within_the_scale(filed):
    cycle, rev, rid, sid = filed
    machine = cycle.final_score(rid)["total"]
    with pytest.raises(CycleError, match="理由"):
        cycle.adjust_score(rev, sid, -3, "")
    with pytest.raises(CycleError, match="0–100"):
        cycle.adjust_score(rev, sid, 100 - machine + 1, "加分过多")
    with pytest.raises(CycleError, match="0–100"):
        cycle.adjust_score(rev, sid, -machine - 1, "减分过多")
    op = cycle.adjust_score(rev, sid, -3, "数据与统计公报不一致")
    score = cycle.final_score(rid)
    assert (score["adjust"], score["total"]) == (-3, pytest.approx(machine - 3))
    assert op["final_score"] == pytest.approx(machine - 3) and op["adjust_reason"] == "数据与统计公报不一致"
    (row,) = cycle.audit_log(query=AuditQuery(action="opinion.adjust"))
    assert row["detail"]["after"] == -3


def test_a_new_version_gets_a_new_opinion_and_the_old_one_is_archived(filed):
    cycle, rev, rid, sid = filed
    old_key = finding_key(finding(cycle, rid, SPACE, 1))
    cycle.set_verdict(rev, rid, old_key, "false_positive", "文号排版")
    cycle.add_opinion_item(rev, sid, "旧版本的意见")
    cycle.adjust_score(rev, sid, -2, "旧版本的扣分")
    cycle.send_opinion(rev, sid)
    cycle.return_(rev, sid, [], note="请修改")
    unit = cycle.add_user("unit1", PASSWORD, "unit", unit_name=cycle.submission(sid)["unit_name"])
    text = "增补一段开头的说明文字。\n" + sample_path("000").read_text(encoding="utf-8").replace("法制讲座", "法治讲座")
    new = cycle.upload(unit, "v2.txt", text.encode("utf-8"))["report_id"]
    op = cycle.open_opinion(rev, sid)
    assert op["report_id"] == new and not op["sent"] and op["score_adjust"] is None
    assert "旧版本的意见" not in [i["body"] for i in op["items"]]
    (row,) = cycle.audit_log(query=AuditQuery(action="opinion.archive"))
    assert row["detail"]["items"][-1] == "旧版本的意见" and row["detail"]["score_adjust"] == -2
    # the 误报 follows the same words into the new version (at new offsets), and is left out again
    (new_key,) = cycle.finding_verdicts(new)
    moved = next(f for f in cycle.corpus.report_dict(new)["findings"] if finding_key(f) == new_key)
    assert new_key != old_key and text[moved["start"]:moved["end"]] == "〔2023〕2 号"
    assert new_key not in [i["ref"] for i in op["items"]]
    score = cycle.final_score(new)
    assert (score["adjust"], score["dismissed"]) == (0, 1)
    assert [r["detail"].get("via") for r in cycle.audit_log(query=AuditQuery(action="finding.verdict"))] == \
        ["carried", None]


def test_misfires_count_dismissals_per_rule(filed):
    cycle, rev, rid, sid = filed
    other = upload(cycle, rev, "001")["report_id"]
    spaces = [f for f in cycle.corpus.report_dict(rid)["findings"] if f["rule"] == SPACE]
    spaces += [f for f in cycle.corpus.report_dict(other)["findings"] if f["rule"] == SPACE]
    cycle.set_verdict(rev, rid, finding_key(spaces[0]), "false_positive", "排版")
    cycle.set_verdict(rev, other, finding_key(spaces[-1]), "false_positive", "排版")
    cycle.set_verdict(rev, rid, finding_key(finding(cycle, rid, "unit-backslash")), "accepted")
    found = cycle.rule_misfires()
    assert found["reports"] == 2
    rows = {r["rule"]: r for r in found["rules"]}
    assert rows[SPACE]["raised"] == len(spaces) and rows[SPACE]["dismissed"] == 2
    assert rows[SPACE]["share"] == pytest.approx(2 / len(spaces), abs=1e-4)
    assert rows["unit-backslash"]["accepted"] == 1 and rows["unit-backslash"]["dismissed"] == 0
    assert found["rules"][0]["rule"] == SPACE  # the most dismissed first


# ---------------------------------------------------------------- the Word opinion


def docx_paragraphs(data: bytes) -> list[str]:
    import docx

    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def docx_section(data: bytes, title: str) -> list[str]:
    """The paragraphs under the level-1 heading that ends with `title`, up to the next one (the
    headings of its subsections left out)."""
    import docx

    out, inside = [], False
    for p in docx.Document(io.BytesIO(data)).paragraphs:
        if p.style.name == "Heading 1":
            inside = p.text.endswith(title)
        elif inside and not p.style.name.startswith("Heading"):
            out.append(p.text)
    return out


def test_the_word_opinion_uses_the_edited_items_once_sent(filed):
    from fazhi.web import views

    cycle, rev, rid, sid = filed
    machine = docx_paragraphs(views.opinion_docx(cycle.corpus, cycle, rid))
    text = sample_path("000").read_text(encoding="utf-8").replace("法制讲座", "法治讲座")
    other = cycle.upload(rev, "another.txt", text.encode("utf-8"), year=2022)["report_id"]  # no verdicts
    cycle.set_verdict(rev, rid, finding_key(finding(cycle, rid, SPACE, 1)), "false_positive", "排版所致")
    op = cycle.open_opinion(rev, sid)
    cycle.edit_opinion_item(rev, sid, op["items"][0]["id"], "首条意见，已由审查人员改写。")
    cycle.add_opinion_item(rev, sid, "请补充年度数据。")
    cycle.set_overall(rev, sid, "报告结构完整，请按意见修改。")
    cycle.adjust_score(rev, sid, -2, "数据不实")
    # before sending, a unit (no user here) gets the machine's opinion less the 误报, scored without
    # it and without the unsent adjustment; the reviewer gets the draft
    unsent = views.opinion_docx(cycle.corpus, cycle, rid)
    generated = docx_section(unsent, "发现的问题和修改建议")
    assert generated and not any("〔2023〕2 号" in p for p in generated)
    assert any("〔2023〕2 号" in p for p in docx_section(views.opinion_docx(cycle.corpus, cycle, other), "发现的问题和修改建议"))
    assert docx_section(unsent, "审查意见和修改建议") == [] and docx_section(unsent, "总体意见") == []
    gained = cycle.final_score(rid)
    assert f"审查得分：{views.fmt_number(gained['total'] + 2)}分（满分100分）" in docx_paragraphs(unsent)
    draft = docx_paragraphs(views.opinion_docx(cycle.corpus, cycle, rid, rev))
    cycle.send_opinion(rev, sid)
    sent_docx = views.opinion_docx(cycle.corpus, cycle, rid)
    sent = docx_paragraphs(sent_docx)
    assert sent == draft != machine
    items = cycle.opinion(sid)["items"]
    numbered = docx_section(sent_docx, "审查意见和修改建议")
    assert numbered == [f"{n}．{i['body']}" for n, i in enumerate(items, 1)]
    assert numbered[0] == "1．首条意见，已由审查人员改写。" and numbered[-1].endswith("请补充年度数据。")
    assert docx_section(sent_docx, "总体意见") == ["报告结构完整，请按意见修改。"]
    score = cycle.final_score(rid)
    assert f"审查得分：{views.fmt_number(score['total'])}分（满分100分）" in sent
    assert any("审查人员减2分（数据不实）" in p for p in sent)
    rec = cycle.recycling(rid)  # the 2022 text is this one with one word changed: 沿用 says so, and costs
    assert rec["deduction"] > 0 and score["recycling"] == rec["deduction"]
    assert docx_section(sent_docx, "沿用往年和抄用他单位情况") == [rec["message"]]
    assert any(f"沿用往年内容扣{views.fmt_number(rec['deduction'])}分" in p for p in sent)
    assert not any("〔2023〕2 号" in p for p in numbered)  # the 误报 is not in the opinion


def test_the_cli_opinion_is_unchanged_by_the_edit_module():
    from fazhi.pipeline import analyze
    from fazhi.render.opinion import build_opinion
    from fazhi.render.opinion_edit import FINDINGS_TITLE

    op = build_opinion(analyze(sample_path("000")))
    assert FINDINGS_TITLE in [s.title for s in op.sections] and op.note.startswith("本意见由 fazhi")


# ---------------------------------------------------------------- the web app and the API


WEB_PASSWORD = "test-password-1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("opinion") / "app.db"))
    app.state.cycle.add_user("rev", WEB_PASSWORD, "reviewer")
    return app


def client_as(app, username: str):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": WEB_PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    return client


def csrf(client) -> str:
    return client.get("/api/me").json()["csrf_token"]


def test_pages_and_api(app):
    cycle = app.state.cycle
    rev = client_as(app, "rev")
    p = sample_path("000")
    unit_row = cycle.add_unit("中共蓬溪县红江镇委员会", level="乡镇街道")
    r = rev.post("/api/upload", files={"files": (p.name, p.read_bytes())}, data={"unit_id": str(unit_row["id"])},
                 headers={"X-CSRF-Token": csrf(rev)})
    (up,) = r.json()
    assert "submission_id" in up, up
    rid, sid = up["report_id"], up["submission_id"]
    unit = cycle.add_user("unit1", WEB_PASSWORD, "unit", unit_name=up["unit_name"])

    findings = rev.get(f"/api/reports/{rid}/verdicts").json()["findings"]
    key = next(f["key"] for f in findings if f["rule"] == SPACE)
    machine = rev.get(f"/api/reports/{rid}/final-score").json()["total"]
    # the report page's form: 误报 with a reason, struck through with the reason shown
    page = rev.get(f"/reports/{rid}").text
    assert f'data-key="{key}"' in page and "认定误报" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = rev.post(f"/reports/{rid}/findings/verdict", data={"csrf_token": token, "key": key, "verdict": "false_positive",
                                                          "reason": "排版所致", "idx": "2"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{rid}#finding-2"
    page = rev.get(f"/reports/{rid}").text
    assert re.search(r'class="finding sev-warning dismissed"[^>]*data-key="' + re.escape(key), page)
    assert "理由：排版所致" in page and 'id="final-score"' in page
    assert rev.get(f"/api/reports/{rid}/final-score").json()["total"] == pytest.approx(machine + 1)
    # a missing reason: one Chinese line, nothing written
    r = rev.post(f"/api/reports/{rid}/verdicts", json={"key": key, "verdict": "restore"},
                 headers={"X-CSRF-Token": csrf(rev)})
    assert r.status_code == 200
    other = next(f["key"] for f in findings if f["rule"] == "unit-backslash")
    r = rev.post(f"/api/reports/{rid}/verdicts", json={"key": other, "verdict": "false_positive"},
                 headers={"X-CSRF-Token": csrf(rev)})
    assert r.status_code == 409 and r.json()["detail"] == "认定误报时请写明理由。"
    # without the CSRF header the write is refused
    assert rev.post(f"/api/reports/{rid}/verdicts", json={"key": key, "verdict": "accepted"}).status_code == 403

    # the editor page and the API on the opinion
    page = rev.get(f"/submissions/{sid}/opinion")
    assert page.status_code == 200 and 'id="opinion-items"' in page.text
    op = rev.get(f"/api/submissions/{sid}/opinion").json()
    h = {"X-CSRF-Token": csrf(rev)}
    op = rev.post(f"/api/submissions/{sid}/opinion/items", json={"body": "新增意见"}, headers=h).json()
    new = op["items"][-1]["id"]
    op = rev.post(f"/api/submissions/{sid}/opinion/items/move", json={"item_id": new, "step": -1}, headers=h).json()
    assert op["items"][-2]["id"] == new
    r = rev.post(f"/api/submissions/{sid}/opinion/items/edit", json={"item_id": new, "body": " "}, headers=h)
    assert r.status_code == 409 and r.json()["detail"] == "意见条目不能为空。"
    op = rev.post(f"/api/submissions/{sid}/opinion/items/edit", json={"item_id": new, "body": "改写"}, headers=h).json()
    assert op["items"][-2]["body"] == "改写"
    # the editor's forms: move the new item up once more, by the page
    token = re.search(r'name="csrf_token" value="([^"]+)"', rev.get(f"/submissions/{sid}/opinion").text).group(1)
    r = rev.post(f"/submissions/{sid}/opinion/up", data={"csrf_token": token, "item_id": str(new)},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/submissions/{sid}/opinion#item-{new}"
    assert rev.get(f"/api/submissions/{sid}/opinion").json()["items"][-3]["id"] == new
    op = rev.post(f"/api/submissions/{sid}/opinion/overall", json={"text": "总体较好"}, headers=h).json()
    assert op["overall"] == "总体较好"
    r = rev.post(f"/api/submissions/{sid}/opinion/adjust", json={"adjust": 1.5, "reason": ""}, headers=h)
    assert r.status_code == 409 and "理由" in r.json()["detail"]

    # a unit: no verdicts, no editor, no draft opinion; its sent opinion once sent
    u = client_as(app, "unit1")
    assert u.post(f"/api/reports/{rid}/verdicts", json={"key": key, "verdict": "accepted"},
                  headers={"X-CSRF-Token": csrf(u)}).status_code == 403
    assert u.get(f"/submissions/{sid}/opinion").status_code == 403
    assert u.get(f"/api/submissions/{sid}/opinion").status_code == 404
    assert u.get("/rules/misfires").status_code == 403
    assert 'id="final-score"' not in u.get(f"/reports/{rid}").text  # not before the opinion is sent
    rev.post(f"/api/submissions/{sid}/opinion/send", headers=h)
    assert u.get(f"/api/submissions/{sid}/opinion").json()["overall"] == "总体较好"
    assert 'id="final-score"' in u.get(f"/reports/{rid}").text
    assert unit["unit_id"] == up["unit_id"]

    # the misfire page and its API
    page = rev.get("/rules/misfires").text
    assert 'id="misfires"' in page
    rows = {r["rule"]: r for r in rev.get("/api/rules/misfires").json()["rules"]}
    assert rows[SPACE]["dismissed"] == 0 and rows[SPACE]["raised"] == 2  # restored above
    # logged out: nothing
    from fastapi.testclient import TestClient

    anon = TestClient(app)
    assert anon.get(f"/api/reports/{rid}/verdicts").status_code in (401, 404)
    assert anon.get("/api/rules/misfires").status_code == 401


def test_a_verdict_is_carried_only_to_the_same_words_found_once():
    from fazhi.cycle.opinion_score import carried

    def f(rule, start, end, message="m"):
        return {"rule": rule, "start": start, "end": end, "message": message}

    old_text, new_text = "甲 号乙 号丙", "前言。甲 号乙 号乙 号"
    old = [f("stray-space", 0, 3), f("stray-space", 3, 6), f("title-missing", None, None, "未找到报告标题。")]
    new = [f("stray-space", 3, 6), f("stray-space", 6, 9), f("stray-space", 9, 12),
           f("title-missing", None, None, "未找到报告标题。")]
    keys = {"stray-space:0:3", "stray-space:3:6", "title-missing::"}
    # “甲 号” is found once in each: carried to its new place; “乙 号” twice in the new text: left;
    # a finding without a span follows its message
    assert carried(old, old_text, new, new_text, keys) == {"stray-space:0:3": "stray-space:3:6",
                                                           "title-missing::": "title-missing::"}


def test_the_listener_keeps_the_opinion_in_step_with_returns_and_new_versions(filed, monkeypatch):
    """fazhi.cycle.opinion:on_event, run by fazhi.cycle.events inside the return's and the upload's
    own transactions."""
    from fazhi.cycle import events

    spec = "fazhi.cycle.opinion:on_event"
    if spec not in events.LISTENERS:
        monkeypatch.setattr(events, "LISTENERS", (*events.LISTENERS, spec))
    monkeypatch.setattr(events, "_loaded", None)
    cycle, rev, rid, sid = filed
    old_key = finding_key(finding(cycle, rid, SPACE, 1))
    cycle.set_verdict(rev, rid, old_key, "false_positive", "文号排版")
    cycle.return_(rev, sid, [{"start": 0, "end": 4, "body": "请加标题"}])
    assert cycle.opinion(sid)["items"][-1]["body"].endswith("：请加标题")  # joined at the return
    unit = cycle.add_user("unit1", PASSWORD, "unit", unit_name=cycle.submission(sid)["unit_name"])
    text = "增补一段开头的说明文字。\n" + sample_path("000").read_text(encoding="utf-8")
    new = cycle.upload(unit, "v2.txt", text.encode("utf-8"))["report_id"]
    assert cycle.opinion(sid)["final_score"] is None  # stale until recomputed outside the upload
    assert list(cycle.finding_verdicts(new).values()) == ["false_positive"]  # carried at the upload
    assert cycle.final_score(new)["dismissed"] == 1
    assert cycle.opinion(sid)["final_score"] == cycle.final_score(new)["total"]
