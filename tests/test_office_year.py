"""A whole simulated reporting year of a county office with 12 units, through the real Cycle on a
real SQLite file, the real SMTP sink for 催报 mail and the real JSON API for the board:

notice → 5 units submit on time → 催报 → 3 submit late → 2 are returned twice, their issues tracked
to 销号 → 1 never submits (named in the 通报) → 1 withdraws and resubmits; then every count on the
status board, the 问题池, the ranking and the 通报 is checked.

Time is simulated the way an office lives it: the period was opened in January and its deadline
(1 March of the next year) has passed; submissions "before the deadline" carry the time they were
made in February (their submitted_at is set back in the database, as an import of last spring's
records would), everything else happens today.
"""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import text as sql

YEAR = 2025
DEADLINE = "2026-03-01"
ON_TIME_AT = datetime(2026, 2, 20, 2, 0)  # naive UTC, Beijing 10:00 on 20 February
PASSWORD = "simulated-year-1"


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from fazhi.corpus.store import open_corpus
    from fazhi.corpus.synth import generate
    from fazhi.cycle import Cycle
    from fazhi.cycle.deadlines import levels

    tmp = tmp_path_factory.mktemp("office-year")
    manifest = generate(12, tmp / "reports", seed=14, years=(YEAR,))
    files = [tmp / "reports" / r["file"] for r in manifest.reports]
    cycle = Cycle(open_corpus(f"sqlite:///{tmp / 'office.db'}"))
    admin = cycle.add_user("admin", PASSWORD, "admin")
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    units = []
    for k, r in enumerate(manifest.reports):
        u = cycle.add_user(f"unit{k + 1:02d}", PASSWORD, "unit", unit_name=r["unit"])
        units.append(u)
    cycle.add_period(YEAR, {lv: DEADLINE for lv in levels()}, by=admin)
    with cycle.engine.begin() as conn:  # the period was opened in January, before its deadline
        conn.execute(sql("UPDATE periods SET created_at = '2026-01-10 01:00:00' WHERE year = :y"), {"y": YEAR})
    return {"cycle": cycle, "admin": admin, "rev": rev, "units": units, "files": files, "tmp": tmp}


def _submit(y: dict, k: int, text: str | None = None, *, back_in_february: bool = False) -> dict:
    """Unit k uploads its report (or `text`); back_in_february: the upload was made before the deadline."""
    cycle, unit = y["cycle"], y["units"][k]
    data = (text if text is not None else y["files"][k].read_text(encoding="utf-8")).encode("utf-8")
    done = cycle.upload(unit, f"unit{k + 1:02d}-{YEAR}.txt", data, year=YEAR)
    if back_in_february:
        with cycle.engine.begin() as conn:
            conn.execute(sql("UPDATE submissions SET submitted_at = :t WHERE id = :s"),
                         {"t": ON_TIME_AT, "s": done["submission_id"]})
            conn.execute(sql("UPDATE submission_versions SET submitted_at = :t WHERE report_id = :r"),
                         {"t": ON_TIME_AT, "r": done["report_id"]})
    return done


def _span_of(cycle, report_id: int, nth: int) -> dict:
    """A comment on the nth body sentence of a report: its span and words."""
    text = cycle.corpus.get(report_id)["text"]
    start = 0
    for _ in range(nth + 1):
        start = text.index("。", start + 200) + 1
    return {"start": start, "end": start + 12, "body": f"第{nth + 1}处：表述不实，请核实修改。",
            "quote": text[start:start + 12]}


def _smtp_sink():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.mails = []

        def handle_message(self, message):
            self.mails.append(message)

    from browser_kit import free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def test_a_whole_year_of_twelve_units(year):
    from email.header import decode_header, make_header

    from fazhi.cycle.deadlines import today

    cycle, rev, admin, units = year["cycle"], year["rev"], year["admin"], year["units"]
    names = [cycle.unit(u["unit_id"])["name"] for u in units]
    on_time, late, twice, never, withdraws = [0, 1, 2, 3, 4], [5, 6, 7], [8, 9], 10, 11

    # the notice: every unit sees it on login
    cycle.set_notice(rev, YEAR, f"关于报送{YEAR}年度法治政府建设年度报告的通知",
                     "请各单位于2026年3月1日前报送本单位年度报告，并按期向社会公开。")
    assert all(cycle.unread_notice(u) is not None for u in units)

    # before the deadline: 5 on time, the 2 later returned twice, and the one that withdraws
    subs = {k: _submit(year, k, back_in_february=True) for k in on_time + twice + [withdraws]}
    cycle.withdraw(units[withdraws], subs[withdraws]["submission_id"])
    assert cycle.submission(subs[withdraws]["submission_id"])["status"] == "withdrawn"
    subs[withdraws] = _submit(year, withdraws, back_in_february=True)
    again = cycle.submission(subs[withdraws]["submission_id"])["versions"]
    assert [v["seq"] for v in again] == [1, 2] and again[0]["report_id"] == again[1]["report_id"]  # same file, resent

    # after the deadline: 催报 to the four units that have not submitted, by message and by mail
    for k in (5, 6):
        cycle.edit_unit(admin, units[k]["unit_id"], email=f"unit{k + 1:02d}@example.cn")
    controller, inbox = _smtp_sink()
    try:
        cycle.set_mail_settings(admin, {"host": "127.0.0.1", "port": controller.port,
                                        "sender": "yfzxb@example.cn", "starttls": False})
        reminded = cycle.remind_late(rev, YEAR)
    finally:
        controller.stop()
    assert sorted(r["unit_name"] for r in reminded["units"]) == sorted(names[k] for k in late + [never])
    assert reminded["count"] == 4 and reminded["emailed"] == 2 and reminded["failed"] == 0
    assert sorted(m["To"] for m in inbox.mails) == ["unit06@example.cn", "unit07@example.cn"]
    assert all("逾期" in str(make_header(decode_header(m["Subject"]))) or "催报" in
               str(make_header(decode_header(m["Subject"]))) for m in inbox.mails)
    for k in late + [never]:
        assert [m["kind"] for m in cycle.messages(units[k])].count("late") == 1
    for k in late:  # three submit after the 催报
        subs[k] = _submit(year, k)

    # two units returned twice; their issues are tracked to 销号
    for k in twice:
        sid, rid = subs[k]["submission_id"], subs[k]["report_id"]
        first = [_span_of(cycle, rid, 0), _span_of(cycle, rid, 1)]
        cycle.return_(rev, sid, [{x: c[x] for x in ("start", "end", "body")} for c in first])
        issues = cycle.rectifications(rev, submission_id=sid)
        assert [i["state"] for i in issues] == ["open", "open"] and {i["quote"] for i in issues} == \
            {c["quote"] for c in first}
        old = cycle.corpus.get(rid)["text"]
        fixed_once = old.replace(first[0]["quote"], "经核实已修改的表述内容", 1)
        v2 = _submit(year, k, fixed_once)
        assert cycle.submission(sid)["status"] == "submitted" and len(cycle.submission(sid)["versions"]) == 2
        by_quote = {i["quote"]: i for i in cycle.rectifications(rev, submission_id=sid)}
        cycle.set_rectification_state(rev, by_quote[first[0]["quote"]]["id"], "fixed")
        cycle.set_rectification_state(rev, by_quote[first[0]["quote"]]["id"], "closed")
        cycle.set_rectification_state(rev, by_quote[first[1]["quote"]]["id"], "unfixed")
        cycle.return_(rev, sid, [], note="第二处问题仍未整改，请再次修改。")
        assert len(cycle.rectifications(rev, submission_id=sid)) == 3  # the note is an issue too
        fixed_twice = fixed_once.replace(first[1]["quote"], "再次核实后修改的内容", 1)
        _submit(year, k, fixed_twice)
        for i in cycle.rectifications(rev, submission_id=sid):
            if i["state"] != "closed":
                cycle.set_rectification_state(rev, i["id"], "fixed")
                cycle.set_rectification_state(rev, i["id"], "closed")
        assert v2["version"] == 2 and len(cycle.submission(sid)["versions"]) == 3

    # the office approves every submitted report and publishes the on-time ones
    for k, s in subs.items():
        cycle.approve(rev, s["submission_id"])
    for k in on_time:
        cycle.publish(rev, subs[k]["submission_id"], secrecy_checked=True)

    # ---- the status board
    board = cycle.board(rev, YEAR)
    t = board["total"]
    assert (t["units"], t["on_time"], t["late"], t["not_submitted"], t["overdue"]) == (12, 8, 3, 1, 1)
    assert (t["published"], t["approved"], t["pending"], t["publish_overdue"]) == (5, 6, 1, 6)
    assert t["returned"] == t["submitted"] == t["withdrawn"] == 0
    rows = {r["unit_name"]: r for r in board["rows"]}
    days = (today() - datetime(2026, 3, 1).date()).days
    assert all(rows[names[k]]["late"] and rows[names[k]]["days_late"] == days for k in late)
    assert rows[names[never]]["status"] == "pending" and rows[names[never]]["reminders"] == 1
    assert sum(lv["units"] for lv in board["levels"]) == 12

    # ---- the 问题池: 3 issues per returned unit, all 销号, nobody else has any
    counts = cycle.rectification_counts(year=YEAR)
    assert set(counts) == {units[k]["unit_id"] for k in twice}
    for k in twice:
        c = counts[units[k]["unit_id"]]
        assert (c["closed"], c["open"], c["unfixed"], c["fixed"], c["overdue"]) == (3, 0, 0, 0, 0)

    # ---- the ranking: the 11 units that reported, best first within each level, ranks 1..n
    ranking = cycle.ranking(rev, YEAR)
    ranked = [r for rows_ in ranking.values() for r in rows_]
    assert sorted(r["unit_name"] for r in ranked) == sorted(n for i, n in enumerate(names) if i != never)
    for rows_ in ranking.values():
        scores = [r["score"] for r in rows_]
        assert scores == sorted(scores, reverse=True) and rows_[0]["rank"] == 1
        assert all(r["rank"] <= i + 1 for i, r in enumerate(rows_))

    # ---- the 通报: late units with their days, the one that never reported; the .docx says the same
    circ = cycle.circular_data(rev, YEAR)
    # approved in November, not published: past the publication deadline (1 April) — named as well
    assert (circ["units"], circ["on_time"], circ["late"], circ["missing"], circ["unpublished"]) == (12, 8, 3, 1, 6)
    assert sorted(x["unit"] for g in circ["groups"] for x in g["unpublished"]) == sorted(
        names[k] for k in late + twice + [withdraws])
    late_named = {x["unit"]: x["days"] for g in circ["groups"] for x in g["late"]}
    assert late_named == {names[k]: days for k in late}
    assert [x["unit"] for g in circ["groups"] for x in g["missing"]] == [names[never]]
    from docx import Document

    from fazhi.render.circular_docx import render_circular

    doc = Document(io.BytesIO(render_circular(circ)))
    words = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for tb in doc.tables for row in tb.rows for c in row.cells)
    assert names[never] in words and all(names[k] in words for k in late)
    assert not any(names[k] in words for k in on_time)


def test_the_board_through_the_json_api(year):
    """The same board counts as the API serves them to a script (HTTP Basic)."""
    from fastapi.testclient import TestClient

    from fazhi.web.app import create_app

    app = create_app(str(year["cycle"].engine.url))
    with TestClient(app) as client:
        got = client.get(f"/api/board/{YEAR}", auth=("rev", PASSWORD))
        assert got.status_code == 200, got.text
        t = got.json()["total"]
        assert (t["units"], t["on_time"], t["late"], t["not_submitted"]) == (12, 8, 3, 1)
