"""报送通知, in-app messages, the status board and the 通报 draft (issue 14 item 1) on real databases
(SQLite file; PostgreSQL too where FAZHI_TEST_PG_URL is set) with the real sample reports, and
through the web app (pages and /api) with httpx's TestClient."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select, update

from conftest import PG_URL, reset_pg, sample_path
from notices_kit import PASSWORD, TODAY, YEAR, build_year, unit_user

from fazhi.corpus.store import open_corpus


def _cycle(url: str):
    from fazhi.cycle import Cycle

    return Cycle(open_corpus(url))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def any_cycle(request, tmp_path):
    if request.param == "postgresql":
        reset_pg(PG_URL)
    c = _cycle(f"sqlite:///{tmp_path / 'n.db'}" if request.param == "sqlite" else PG_URL)
    yield c
    c.corpus.close()
    if request.param == "postgresql":
        reset_pg(PG_URL)


@pytest.fixture(scope="module")
def year_db(tmp_path_factory):
    """The kit's year (8 units, 5 samples submitted) on one SQLite file, built once."""
    path = tmp_path_factory.mktemp("notices") / "year.db"
    c = _cycle(f"sqlite:///{path}")
    made = build_year(c)
    c.corpus.close()
    return f"sqlite:///{path}", made


def count(cycle, table, *where) -> int:
    with cycle.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


# ---------------------------------------------------------------- the notice
def test_notice_reaches_every_active_unit_once_with_its_deadlines(any_cycle):
    from fazhi.cycle import AccessDenied, CycleError
    from fazhi.cycle.models import UnitRow
    from fazhi.cycle.models_office import MessageRow, NoticeRow

    c = any_cycle
    rev = c.add_user("rev", PASSWORD, "reviewer")
    town = c.add_unit("甲镇人民政府", level="乡镇街道")
    c.add_unit("乙局", level="部门")
    gone = c.add_unit("丙镇人民政府", level="乡镇街道")
    with c.engine.begin() as conn:
        conn.execute(update(UnitRow).where(UnitRow.id == gone["id"]).values(active=False))
    c.add_period(YEAR, {"乡镇街道": "2026-02-20"})
    jia = unit_user(c, "甲镇人民政府", "jia")
    with pytest.raises(AccessDenied):
        c.set_notice(jia, YEAR, "标题", "正文")
    with pytest.raises(CycleError, match="标题"):
        c.set_notice(rev, YEAR, "  ", "正文")
    assert count(c, NoticeRow) == 0 and count(c, MessageRow) == 0  # nothing half-written
    n = c.set_notice(rev, YEAR, "关于报送2025年度法治政府建设年度报告的通知", "各单位：\n\n请按期报送。\n附件见下。")
    assert n["paragraphs"] == ["各单位：", "请按期报送。", "附件见下。"]
    table = {d["level"]: (d["submit"], d["publish"]) for d in n["deadlines"]}
    assert table["乡镇街道"] == ("2026-02-20", "2026-04-01")  # the period's, and the rubric's publication
    assert table["部门"] == ("2026-03-01", "2026-04-01") and table["省"] == ("2026-04-01", "2026-04-01")
    # one "notice" message per ACTIVE unit, naming that unit's deadline
    msgs = {m["unit_id"]: m for m in (c.unit_messages(u["id"])[0] for u in (town,))}
    assert "2026-02-20" in msgs[town["id"]]["body"] and msgs[town["id"]]["kind"] == "notice"
    assert count(c, MessageRow, MessageRow.kind == "notice") == 2
    assert c.unit_messages(gone["id"]) == []
    assert c.unread_count(jia) == 1 and c.unread_notice(jia)["year"] == YEAR
    c.set_notice(rev, YEAR, "关于报送2025年度法治政府建设年度报告的通知（更正）", "更正后的正文")
    assert count(c, MessageRow) == 2  # an edit sends nothing again
    assert c.notice(YEAR)["title"].endswith("（更正）")
    assert c.mark_read(jia, kind="notice", year=YEAR) == 1
    assert c.unread_notice(jia) is None and c.unread_count(jia) == 0
    actions = [e["action"] for e in c.audit_log()]
    assert actions.count("notice.add") == 1 and "notice.update" in actions


def test_notice_attachments_up_to_20_mb(any_cycle):
    from fazhi.cycle import CycleError
    from fazhi.cycle.models_office import NoticeAttachmentRow
    from fazhi.cycle.notices import MAX_ATTACHMENT

    c = any_cycle
    rev = c.add_user("rev", PASSWORD, "reviewer")
    with pytest.raises(CycleError, match="还没有报送通知"):
        c.add_notice_attachment(rev, YEAR, "a.txt", b"x")
    c.set_notice(rev, YEAR, "通知", "正文")
    form = sample_path("001").read_bytes()
    a = c.add_notice_attachment(rev, YEAR, "C:\\docs\\报送模板.txt", form, "text/plain")
    assert a["filename"] == "报送模板.txt"
    with pytest.raises(CycleError, match="20 MB"):
        c.add_notice_attachment(rev, YEAR, "big.bin", b"\0" * (MAX_ATTACHMENT + 1))
    with pytest.raises(CycleError, match="空文件"):
        c.add_notice_attachment(rev, YEAR, "empty.txt", b"")
    assert count(c, NoticeAttachmentRow) == 1
    n = c.notice(YEAR)
    assert [(x["filename"], x["size"]) for x in n["attachments"]] == [("报送模板.txt", len(form))]
    got = c.notice_attachment(YEAR, a["id"])
    assert got["content"] == form and got["media_type"] == "text/plain"
    assert c.notice_attachment(YEAR + 1, a["id"]) is None  # an id under another year's notice
    assert c.remove_notice_attachment(rev, YEAR, a["id"]) == "报送模板.txt"
    assert c.notice(YEAR)["attachments"] == []


# ---------------------------------------------------------------- messages from the cycle's events
def test_return_approve_publish_message_the_unit(any_cycle):
    c = any_cycle
    rev = c.add_user("rev", PASSWORD, "reviewer")
    unit = c.add_unit("测试局", level="部门")
    path = sample_path("003")
    up = c.upload(rev, path.name, path.read_bytes(), unit_id=unit["id"], year=YEAR)
    user = unit_user(c, "测试局", "ce")
    other = c.add_unit("别的局", level="部门")
    stranger = unit_user(c, "别的局", "bie")
    c.return_(rev, up["submission_id"], [{"start": 0, "end": 5, "body": "标题有误"},
                                         {"start": 20, "end": 30, "body": "数据缺失"},
                                         {"start": 40, "end": 50, "body": "措辞不当"}], note="整体偏简略，请补充")
    (m,) = c.messages(user)
    assert m["kind"] == "returned" and "3 条" in m["title"] and "修改意见 3 条" in m["body"]
    assert "总体意见：整体偏简略，请补充" in m["body"] and m["submission_id"] == up["submission_id"]
    assert m["link"] == f"/reports/{up['report_id']}"
    again = c.upload(user, path.name, path.read_bytes() + "\n补充了数据。".encode())
    c.approve(rev, again["submission_id"])
    c.publish(rev, again["submission_id"], secrecy_checked=True)
    kinds = [m["kind"] for m in c.messages(user)]
    assert kinds == ["published", "approved", "returned"]  # unread, newest first
    assert c.unread_count(user) == 3 and c.unread_count(stranger) == 0 and c.messages(stranger) == []
    ids = [m["id"] for m in c.messages(user)]
    assert c.mark_read(stranger, ids) == 0  # another unit's messages are not theirs to read
    assert c.mark_read(user, ids[:1]) == 1 and c.unread_count(user) == 2
    assert [m["kind"] for m in c.messages(user)] == ["approved", "returned", "published"]  # unread first
    assert c.mark_read(user) == 2 and c.unread_count(user) == 0
    assert [m["unit_name"] for m in c.unit_messages(unit["id"])] == ["测试局"] * 3
    assert c.unit_messages(other["id"]) == []


def test_unknown_actions_make_no_message(any_cycle):
    from fazhi.cycle.messages import on_event
    from fazhi.cycle.models_office import MessageRow

    c = any_cycle
    unit = c.add_unit("测试局", level="部门")
    with c.engine.begin() as conn:
        on_event(c, conn, {"action": "assign", "unit_id": unit["id"], "submission_id": None, "year": YEAR})
        on_event(c, conn, {"action": "renamed-someday", "unit_id": unit["id"], "submission_id": None, "year": YEAR})
    assert count(c, MessageRow) == 0
    with c.engine.begin() as conn:  # 撤销公开 (fazhi.cycle.lifecycle) carries its reason to the unit
        on_event(c, conn, {"action": "unpublish", "unit_id": unit["id"], "submission_id": None, "year": YEAR,
                           "reason": "公开版本含内部数据"})
    (m,) = c.unit_messages(unit["id"])
    assert m["kind"] == "unpublished" and m["body"].endswith("原因：公开版本含内部数据") and m["link"] is None


# ---------------------------------------------------------------- board, 催报 without mail, 通报
def test_board_counts_every_state_per_level(year_db):
    url, made = year_db
    c = _cycle(url)
    board = c.board(made["reviewer"], YEAR, TODAY)
    rows = {r["unit_name"]: r for r in board["rows"]}
    assert "停用镇人民政府" not in rows and len(rows) == 7  # inactive units are left out
    t = board["total"]
    assert (t["units"], t["on_time"], t["late"], t["not_submitted"], t["overdue"], t["publish_overdue"]) == \
        (7, 4, 1, 2, 2, 1)
    assert (t["pending"], t["submitted"], t["returned"], t["approved"], t["published"]) == (2, 2, 1, 1, 1)
    levels = {lv["level"]: lv for lv in board["levels"]}
    assert list(levels) == ["乡镇街道", "部门"]  # the rubric's order
    assert (levels["乡镇街道"]["units"], levels["乡镇街道"]["on_time"], levels["乡镇街道"]["overdue"]) == (3, 2, 1)
    assert (levels["部门"]["late"], levels["部门"]["approved"], levels["部门"]["publish_overdue"]) == (1, 1, 1)
    assert rows["逾期局"]["days_late"] == 10 and rows["未报局"]["days_late"] == 61
    due = sorted(n for n, r in rows.items() if r["due_reminder"])
    assert due == ["未报局", "未报镇人民政府", "退回镇人民政府"] and board["due_reminder"] == 3
    assert rows["公开局"]["messages_sent"] == 2 and rows["公开局"]["unread"] == 2  # 通过 + 公开
    c.corpus.close()


def test_remind_late_without_mail_server(year_db, tmp_path):
    import shutil

    from fazhi.cycle import AccessDenied

    url, made = year_db
    copy = tmp_path / "copy.db"  # the module's year stays as built for the other tests
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    c = _cycle(f"sqlite:///{copy}")
    user = unit_user(c, "未报局", "weibao")
    with pytest.raises(AccessDenied):
        c.remind_late(user, YEAR, TODAY)
    done = c.remind_late(made["reviewer"], YEAR, TODAY)
    assert done["count"] == 3 and done["emailed"] == 0 and not done["smtp"]
    assert "未设置邮件服务器" in done["summary"]
    (m,) = c.messages(user)
    assert m["kind"] == "late" and m["title"].startswith("【催报】") and "2026-03-01" in m["body"]
    assert "已逾期 61 天" in m["body"] and m["email_to"] is None
    returned = c.unit_messages(made["units"]["退回镇人民政府"])[0]
    assert "退回修改" in returned["body"] and returned["kind"] == "late"
    rows = {r["unit_name"]: r for r in c.board(made["reviewer"], YEAR, TODAY)["rows"]}
    assert rows["未报局"]["last_reminded"] is not None and rows["未报局"]["reminders"] == 1
    assert rows["逾期局"]["last_reminded"] is None  # submitted (late): nothing to remind
    assert [e for e in c.audit_log() if e["action"] == "remind"][0]["detail"]["count"] == 3
    c.corpus.close()


def test_circular_draft_lists_late_missing_and_unpublished(year_db):
    import docx

    from fazhi.render.circular_docx import circular_title, render_circular

    url, made = year_db
    c = _cycle(url)
    data = c.circular_data(made["reviewer"], YEAR, TODAY)
    assert (data["units"], data["on_time"], data["late"], data["missing"], data["unpublished"]) == (7, 4, 1, 2, 1)
    document = docx.Document(io.BytesIO(render_circular(data)))
    paras = [p.text for p in document.paragraphs]
    assert paras[0] == circular_title(YEAR) == "关于2025年度法治政府建设年度报告报送情况的通报（草稿）"
    assert "共7个，按期报送4个，逾期报送1个，逾期未报送2个，审查通过后逾期未公开1个" in paras[2]
    assert "一、乡镇街道" in paras and "二、部门" in paras
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    assert ["1", "未报镇人民政府", "2026-03-01", "61天"] in tables[0]
    flat = [row for t in tables for row in t]
    assert ["1", "逾期局", "2026-03-01", "10天"] in flat
    assert ["1", "未报局", "2026-03-01", "61天"] in flat
    assert ["1", "通过局", "2026-04-01", "30天"] in flat
    names = {row[1] for row in flat}
    assert not names & {"按期镇人民政府", "公开局", "停用镇人民政府", "退回镇人民政府"}
    assert paras[-1] == "2026年5月1日"
    c.corpus.close()


# ---------------------------------------------------------------- the web app
def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _client(app, username: str):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": _csrf(client.get("/login").text)}, follow_redirects=False)
    assert r.status_code == 303
    return client


@pytest.fixture(scope="module")
def web(year_db, tmp_path_factory):
    import shutil

    from fazhi.web.app import create_app

    url, made = year_db
    copy = tmp_path_factory.mktemp("notices-web") / "web.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    app = create_app(str(copy))
    unit_user(app.state.cycle, "未报局", "weibao")
    unit_user(app.state.cycle, "退回镇人民政府", "tuihui")
    return app, made


def test_web_notice_pages_and_api(web):
    app, made = web
    rev, unit = _client(app, "rev"), _client(app, "weibao")
    token = rev.get("/api/me").json()["csrf_token"]
    r = unit.post(f"/api/notices/{YEAR}", json={"title": "x", "body": "y"},
                  headers={"X-CSRF-Token": unit.get("/api/me").json()["csrf_token"]})
    assert r.status_code == 403
    assert rev.post(f"/api/notices/{YEAR}", json={"title": "x", "body": "y"}).status_code == 403  # no CSRF
    r = rev.post(f"/api/notices/{YEAR}", json={"title": " ", "body": "正文"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 409 and r.json()["detail"] == "请填写通知标题。"
    page = rev.get("/notices").text
    r = rev.post("/notices", data={"csrf_token": _csrf(page), "year": str(YEAR),
                                   "title": "关于报送2025年度报告的通知", "body": "各单位：\n请于期限前报送。"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/notices/{YEAR}"
    page = rev.get(f"/notices/{YEAR}").text
    r = rev.post(f"/notices/{YEAR}/attachments", data={"csrf_token": _csrf(page)},
                 files={"file": ("填报说明.txt", "请用正式文件报送。".encode(), "text/plain")}, follow_redirects=False)
    assert r.status_code == 303
    (att,) = rev.get(f"/api/notices/{YEAR}").json()["attachments"]
    # the unit: the notice is unread until opened; the attachment downloads
    assert unit.get("/api/messages/notice").json()["notice"]["title"] == "关于报送2025年度报告的通知"
    assert unit.get("/api/messages").json()["unread"] == 1
    page = unit.get(f"/notices/{YEAR}").text
    assert "请于期限前报送。" in page and "填报说明.txt" in page and "2026-03-01" in page
    assert 'id="notice-form"' not in page  # units read, reviewers write
    assert unit.get("/api/messages/notice").json()["notice"] is None
    got = unit.get(f"/notices/{YEAR}/attachments/{att['id']}")
    assert got.status_code == 200 and got.content.decode() == "请用正式文件报送。"
    assert unit.get(f"/notices/{YEAR}/attachments/{att['id'] + 999}").status_code == 404
    assert unit.get(f"/notices/{YEAR + 1}").status_code == 404
    spec = rev.get("/openapi.json").json()["paths"]
    for path in ("/api/notices/{year}", "/api/messages/read", "/api/board/{year}/remind",
                 "/api/board/{year}/circular.docx", "/api/settings/mail"):
        assert path in spec


def test_web_board_remind_circular_and_messages(web):
    import docx

    app, made = web
    rev, unit = _client(app, "rev"), _client(app, "tuihui")
    page = rev.get(f"/periods?year={YEAR}").text
    assert 'id="board-counts"' in page and "催报所有逾期单位（3）" in page
    r = rev.post(f"/periods/{YEAR}/remind", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    page = rev.get(f"/periods?year={YEAR}").text
    assert "已向 3 个逾期单位发出催报站内消息" in page
    row = re.search(r'<tr data-unit-id="%d".*?</tr>' % made["units"]["退回镇人民政府"], page, re.S).group(0)
    assert re.search(r'class="last-reminded">\d{4}-\d\d-\d\d \d\d:\d\d', row)
    assert unit.get("/api/messages").json()["unread"] == 3  # 退回, the notice (previous test), 催报
    doc = rev.get(f"/periods/{YEAR}/circular.docx")
    assert doc.status_code == 200 and "filename*=UTF-8''" in doc.headers["content-disposition"]
    texts = [c.text for t in docx.Document(io.BytesIO(doc.content)).tables for row in t.rows for c in row.cells]
    assert "未报局" in texts and "逾期局" in texts and "通过局" in texts and "公开局" not in texts
    assert unit.get(f"/periods/{YEAR}/circular.docx").status_code == 403
    assert unit.get(f"/api/board/{YEAR}").status_code == 403
    board = rev.get(f"/api/board/{YEAR}").json()
    assert board["total"]["units"] == 7 and board["due_reminder"] == 3  # 催报 does not change who is due
    # the unit reads its messages: the badge goes down
    page = unit.get("/messages").text
    assert 'id="unread-count">3<' in page and "【催报】" in page
    r = unit.post("/messages/read", data={"csrf_token": _csrf(page), "all": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert 'id="unread-count"' not in unit.get("/messages").text
    token = unit.get("/api/me").json()["csrf_token"]
    r = unit.post("/api/messages/read", json={}, headers={"X-CSRF-Token": token})
    assert r.json()["marked"] == 0 and r.json()["unread"] == 0
    report = unit.get(f"/submissions/{made['subs']['退回镇人民政府']}")  # its report page: its messages
    assert report.status_code == 200 and 'id="panel-notices"' in report.text
    panel = report.text.split('id="panel-notices"')[1].split("</section>")[0]
    assert "退回修改" in panel and "【催报】" in panel
    assert 'id="panel-notices"' not in rev.get(f"/submissions/{made['subs']['退回镇人民政府']}").text
    sent = rev.get(f"/messages?unit_id={made['units']['退回镇人民政府']}").text
    assert "【催报】" in sent and "退回修改" in sent
    assert unit.get(f"/messages?unit_id={made['units']['未报局']}").status_code == 403


def test_remind_and_board_on_both_backends(any_cycle):
    """The board's grouped queries and 催报 on SQLite and PostgreSQL (units that never submitted)."""
    from datetime import datetime

    from fazhi.cycle.models import PeriodRow, UnitRow

    c = any_cycle
    rev = c.add_user("rev", PASSWORD, "reviewer")
    c.add_period(YEAR)
    with c.engine.begin() as conn:
        conn.execute(update(PeriodRow).where(PeriodRow.year == YEAR).values(created_at=datetime(2026, 1, 10)))
    a = c.add_unit("甲镇人民政府", level="乡镇街道")
    b = c.add_unit("乙局", level="部门")
    with c.engine.begin() as conn:
        conn.execute(update(UnitRow).where(UnitRow.id == b["id"]).values(email="yi@example.gov.cn"))
    c.set_notice(rev, YEAR, "通知", "正文")
    assert c.remind_late(rev, YEAR, TODAY)["count"] == 2
    assert c.remind_late(rev, YEAR, TODAY)["count"] == 2  # a second 催报: both again
    rows = {r["unit_id"]: r for r in c.board(rev, YEAR, TODAY)["rows"]}
    assert rows[a["id"]]["reminders"] == 2 and rows[a["id"]]["unread"] == 3 and rows[a["id"]]["messages_sent"] == 3
    assert rows[b["id"]]["last_email"] is None  # no mail server: in-app only, nothing recorded as sent
    assert all(r["overdue"] and r["days_late"] == 61 for r in rows.values())
