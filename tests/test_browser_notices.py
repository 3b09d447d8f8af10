"""Notices, 催报 and the 通报 draft in a real browser (Debian's chromium driven by Playwright) against a
real `fazhi serve` process on a real SQLite file, with a real SMTP sink (aiosmtpd) for the mail.

The office sets the mail server, writes the 2025 notice with an attachment, opens the status board,
presses 催报 (the mail arrives in the sink) and downloads the 通报 draft (opened with python-docx);
a unit logs in, sees the notice at the top of the page it lands on and the 催报 message, and the
badge count goes down as it reads them. Screenshots: notices-board.png, notices-unit.png.
"""
from __future__ import annotations

import email
import email.policy
from datetime import datetime

import pytest
from sqlalchemy import update

from conftest import sample_path

from browser_kit import PASSWORD, browser, free_port, login, new_db, serve, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
YEAR = 2025


class Sink:
    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                 policy=email.policy.default)))
        return "250 Message accepted"


def office_year(db: str) -> None:
    """Three units (one submitted late), a unit account, the 2025 period opened on 2026-01-10."""
    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle
    from fazhi.cycle.models import PeriodRow, UnitRow

    c = Cycle(open_corpus(db))
    rev = next(u for u in c.users() if u["username"] == "rev")
    emails = {"甲镇人民政府": ("乡镇街道", "jia@example.gov.cn"), "乙局": ("部门", "yi@example.gov.cn"),
              "丙局": ("部门", "bing@example.gov.cn")}
    c.add_period(YEAR)
    with c.engine.begin() as conn:
        conn.execute(update(PeriodRow).where(PeriodRow.year == YEAR).values(created_at=datetime(2026, 1, 10)))
    for name, (level, mail) in emails.items():
        uid = c.add_unit(name, level=level)["id"]
        with c.engine.begin() as conn:
            conn.execute(update(UnitRow).where(UnitRow.id == uid).values(email=mail))
    c.add_user("jia", PASSWORD, "unit", unit_name="甲镇人民政府")
    path = sample_path("001")
    c.upload(rev, path.name, path.read_bytes(), unit_id=c.add_unit("乙局")["id"], year=YEAR)  # today: late
    c.corpus.close()


def test_office_notice_remind_circular_and_the_unit_reads(browser, shots, tmp_path_factory, tmp_path):
    import docx
    from aiosmtpd.controller import Controller

    db = new_db(tmp_path_factory, "notices")
    office_year(db)
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with serve(db) as base:
            # ---- the office: mail server, notice with an attachment
            admin = login(browser, base, "admin")
            admin.goto(base + "/settings/mail")
            admin.fill("#smtp-host", "127.0.0.1")
            admin.fill("#smtp-port", str(smtp.port))
            admin.fill("#smtp-sender", "yfzx@example.gov.cn")
            admin.click("#mail-save")
            admin.wait_for_selector(".flash >> text=已保存邮件服务器设置")
            admin.goto(base + "/notices")
            admin.fill("#notice-year", str(YEAR))
            admin.fill("#notice-title", "关于报送2025年度法治政府建设年度报告的通知")
            admin.fill("#notice-body", "各乡镇、各部门：\n请于期限前通过本系统报送年度报告。\n逾期未报送的将予以通报。")
            admin.click("#notice-save")
            admin.wait_for_url(f"**/notices/{YEAR}")
            attachment = tmp_path / "报送要求.txt"
            attachment.write_text("报告须经本单位党委（党组）审议。", encoding="utf-8")
            admin.set_input_files("#attachment-file", str(attachment))
            admin.click("#attachment-submit")
            admin.wait_for_selector("#notice-attachments a >> text=报送要求.txt")
            assert admin.locator("#notice-deadlines tr[data-level='乡镇街道'] td").all_inner_texts() == \
                ["乡镇街道", "2026-03-01", "2026-04-01"]
            # ---- the board: 催报 and the 通报 draft
            admin.goto(f"{base}/periods?year={YEAR}")
            assert admin.locator("#board-counts tr.total td[data-count='overdue']").inner_text() == "2"
            assert admin.locator("#board-counts tr.total td[data-count='late']").inner_text() == "1"
            admin.click("#remind-button")
            admin.wait_for_selector(".flash >> text=已向 2 个逾期单位发出催报站内消息，邮件发送成功 2 封")
            got = {tuple(rcpt): msg for rcpt, msg in sink.received}
            assert set(got) == {("jia@example.gov.cn",), ("bing@example.gov.cn",)}
            msg = got[("jia@example.gov.cn",)]
            assert msg["subject"] == "【催报】请尽快报送 2025 年度法治政府建设年度报告"
            body = msg.get_content()
            assert body.startswith("甲镇人民政府：") and "2025 年度" in body and "2026-03-01" in body
            jia_id = admin.locator("#overview-table tr", has_text="甲镇人民政府").get_attribute("data-unit-id")
            assert admin.locator(f"#overview-table tr[data-unit-id='{jia_id}'] td.last-reminded").inner_text()
            jia_row = admin.locator(f"#overview-table tr[data-unit-id='{jia_id}']")
            assert "逾期未报" in jia_row.inner_text() and "邮件已发至 jia@example.gov.cn" in jia_row.inner_text()
            admin.screenshot(path=str(shots / "notices-board.png"), full_page=True)
            with admin.expect_download() as info:
                admin.click("#circular-link")
            download = info.value
            assert download.suggested_filename == "关于2025年度法治政府建设年度报告报送情况的通报（草稿）.docx"
            document = docx.Document(download.path())
            rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
            names = {r[1] for r in rows}
            assert {"甲镇人民政府", "丙局", "乙局"} <= names
            assert any(r[1] == "乙局" and r[3].endswith("天") for r in rows)
            assert admin.js_errors == []
            # ---- the unit: the notice on the page it lands on, the 催报, the badge
            unit = login(browser, base, "jia")
            assert unit.locator("#unread-count").inner_text() == "2"  # the notice and the 催报
            unit.wait_for_selector("#notice-banner >> text=关于报送2025年度法治政府建设年度报告的通知")
            unit.screenshot(path=str(shots / "notices-unit.png"), full_page=True)
            unit.click("#notice-banner-open")
            unit.wait_for_url(f"**/notices/{YEAR}")
            assert "报送要求.txt" in unit.locator("#notice-attachments").inner_text()
            assert unit.locator("#unread-count").inner_text() == "1"  # opening the notice read it
            assert unit.locator("#notice-form").count() == 0
            unit.screenshot(path=str(shots / "notices-notice.png"), full_page=True)
            unit.goto(base + "/reports")
            unit.wait_for_load_state("networkidle")  # the banner's question answered: no unread notice
            assert unit.locator("#notice-banner").count() == 0
            unit.goto(base + "/messages")
            late = unit.locator("li.msg.unread[data-kind='late']")
            assert "【催报】" in late.inner_text() and "已逾期" in late.inner_text()
            unit.click("#read-all")
            unit.wait_for_selector(".flash >> text=已将 1 条消息标为已读")
            assert unit.locator("#unread-count").count() == 0
            assert unit.js_errors == []
    finally:
        smtp.stop()
