"""报送通知与催报 (issue 14 item 1) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

Decisions:
- One notice per report year (title, plain-text body, attachments up to 20 MB each). Its deadlines
  are not stored with it: they are the year's period (`fazhi period add`), else the rubric's
  defaults, shown per level with the rubric's publication deadline (deadlines.<level>.publish).
- Publishing a notice (its first save) leaves a message of kind "notice" for every active unit,
  naming the unit's own deadlines; the unit's pages show the notice until that message is read
  (opening the notice reads it). Editing it later sends nothing again.
- 催报 (`remind_late`) goes to every active unit whose deadline has passed (in a period opened by
  then, fazhi.cycle.deadlines.tracked) and that has no report under review: status 待提交 (never
  submitted), 退回修改 (the revision is still due) or 已撤回. One "late" message each, plus an
  e-mail to the unit's address when the office set an SMTP server; each message records the
  address, when it was sent, or the Chinese reason it was not.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update

from fazhi.cycle import deadlines as dl
from fazhi.cycle.errors import CycleError
from fazhi.cycle.models import UnitRow
from fazhi.cycle.models_office import MessageRow, NoticeAttachmentRow, NoticeRow
from fazhi.cycle.notices_board import NoticesBoardMixin, publish_deadline

MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_TITLE, MAX_BODY = 255, 50_000
REMINDABLE = ("pending", "returned", "withdrawn")  # statuses a 催报 goes to once the deadline has passed
SIGNER = "依法治县办"


def notice_deadlines(year: int, period: dict[str, str] | None) -> list[dict[str, str]]:
    """Per level: the submit deadline (the period's, else the rubric's) and the publication deadline."""
    return [{"level": lv, "submit": dl.deadline_for(lv, year, period).isoformat(),
             "publish": publish_deadline(lv, year).isoformat()} for lv in dl.levels()]


def notice_message(year: int, title: str, unit: str, level: str | None, period: dict[str, str] | None) -> str:
    submit = dl.deadline_for(level, year, period)
    return (f"{unit}：\n已发布《{title}》。您单位应于 {submit.isoformat()} 前报送 {year} 年度法治政府建设年度报告，"
            f"并于 {publish_deadline(level, year).isoformat()} 前向社会公开。请打开通知查看全文和附件。")


def reminder_text(year: int, unit: str, status: str, deadline: date, days: int | None,
                  today: date) -> tuple[str, str]:
    """(subject, body) of a 催报 message and e-mail."""
    subject = f"【催报】请尽快报送 {year} 年度法治政府建设年度报告"
    late = f"（已逾期 {days} 天）" if days else ""
    state = {"returned": "报告已被退回修改，修改稿尚未重新报送",
             "withdrawn": "报告已撤回，尚未重新报送"}.get(status, "尚未报送")
    body = (f"{unit}：\n按照 {year} 年度报送通知，您单位应于 {deadline.isoformat()} 前报送 {year} 年度法治政府建设"
            f"年度报告。截至 {today.isoformat()}，您单位{state}{late}。请尽快登录系统上传报告。\n\n{SIGNER}")
    return subject, body


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").replace("\r\n", "\n").strip()
    if not title:
        raise CycleError("请填写通知标题。")
    if len(title) > MAX_TITLE:
        raise CycleError(f"通知标题过长（上限 {MAX_TITLE} 字）。")
    if not body:
        raise CycleError("请填写通知正文。")
    if len(body) > MAX_BODY:
        raise CycleError(f"通知正文过长（上限 {MAX_BODY} 字）。")
    return title, body


class NoticesMixin(NoticesBoardMixin):
    engine: Any

    # ------------------------------------------------------------ the notice
    def set_notice(self, user: dict | None, year: int, title: str, body: str) -> dict:
        """Write (or edit) the 报送通知 of report year `year` (reviewers and admins); the first save
        leaves a "notice" message for every active unit."""
        from fazhi.cycle.accounts import now

        actor = self._reviewer(user)
        if not dl.valid_year(year):
            low, high = dl.year_range()
            raise CycleError(f"年度“{year}”无效（应在 {low}–{high} 之间）。")
        title, body = _clean(title, body)
        at = now()
        with self.engine.begin() as conn:
            row = conn.execute(select(NoticeRow).where(NoticeRow.year == year).with_for_update()).first()
            if row is not None:
                conn.execute(update(NoticeRow).where(NoticeRow.id == row.id).values(title=title, body=body,
                                                                                    updated_at=at))
                self._audit(conn, actor, "notice.update", f"notice:{year}", {"title": title})
            else:
                conn.execute(insert(NoticeRow), {"year": year, "title": title, "body": body,
                                                 "created_by": actor["id"], "created_at": at, "updated_at": at})
                period, _ = self._period_deadlines(conn, year)
                units = conn.execute(select(UnitRow.id, UnitRow.name, UnitRow.level).where(
                    UnitRow.active.is_(True), UnitRow.merged_into_id.is_(None))).all()
                for u in units:
                    self.notify(conn, u.id, "notice", title, notice_message(year, title, u.name, u.level, period),
                                f"/notices/{year}", year)
                self._audit(conn, actor, "notice.add", f"notice:{year}", {"title": title, "units": len(units)})
        return self.notice(year)

    def notice(self, year: int) -> dict | None:
        """The notice of `year` with its attachments (without their bytes) and deadlines per level."""
        with self.engine.connect() as conn:
            row = conn.execute(select(NoticeRow).where(NoticeRow.year == year)).first()
            if row is None:
                return None
            files = conn.execute(select(NoticeAttachmentRow.id, NoticeAttachmentRow.filename,
                                        NoticeAttachmentRow.media_type, NoticeAttachmentRow.created_at)
                                 .where(NoticeAttachmentRow.notice_id == row.id)
                                 .order_by(NoticeAttachmentRow.id)).all()
            sizes = self._attachment_sizes(conn, [f.id for f in files])
            period, _ = self._period_deadlines(conn, year)
        return {"id": row.id, "year": row.year, "title": row.title, "body": row.body,
                "paragraphs": [p.strip() for p in row.body.split("\n") if p.strip()],
                "created_at": row.created_at, "updated_at": row.updated_at,
                "deadlines": notice_deadlines(year, period), "period_set": period is not None,
                "attachments": [{"id": f.id, "filename": f.filename, "media_type": f.media_type,
                                 "size": sizes.get(f.id, 0), "created_at": f.created_at} for f in files]}

    def _attachment_sizes(self, conn, ids: list[int]) -> dict[int, int]:
        from sqlalchemy import func

        if not ids:
            return {}
        q = select(NoticeAttachmentRow.id, func.length(NoticeAttachmentRow.content)).where(
            NoticeAttachmentRow.id.in_(ids))
        return {i: int(n or 0) for i, n in conn.execute(q)}

    def notices(self) -> list[dict]:
        """Every year's notice (newest year first), without body or attachments."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(NoticeRow.year, NoticeRow.title, NoticeRow.updated_at)
                                .order_by(NoticeRow.year.desc())).all()
        return [{"year": r.year, "title": r.title, "updated_at": r.updated_at} for r in rows]

    def unread_notice(self, user: dict | None) -> dict | None:
        """The newest notice whose "notice" message `user` has not read (what the unit's pages show
        at the top), or None."""
        actor = self._actor(user)
        if actor is None or actor.get("unit_id") is None:
            return None
        q = (select(MessageRow.year).where(MessageRow.unit_id == actor["unit_id"], MessageRow.kind == "notice",
                                           MessageRow.read_at.is_(None)).order_by(MessageRow.year.desc()).limit(1))
        with self.engine.connect() as conn:
            year = conn.execute(q).scalar()
        return self.notice(year) if year is not None else None

    # ------------------------------------------------------------ attachments
    def add_notice_attachment(self, user: dict | None, year: int, filename: str, data: bytes,
                              media_type: str | None = None) -> dict:
        from fazhi.cycle.accounts import now
        from fazhi.cycle.filing import _safe_name

        actor = self._reviewer(user)
        name = _safe_name(filename)
        if not data:
            raise CycleError(f"附件“{name}”是空文件。")
        if len(data) > MAX_ATTACHMENT:
            raise CycleError(f"附件“{name}”超过 {MAX_ATTACHMENT // 1024 // 1024} MB 上限。")
        with self.engine.begin() as conn:
            nid = conn.execute(select(NoticeRow.id).where(NoticeRow.year == year)).scalar()
            if nid is None:
                raise CycleError(f"{year} 年度还没有报送通知，请先保存通知再添加附件。")
            done = conn.execute(insert(NoticeAttachmentRow), {
                "notice_id": nid, "filename": name, "media_type": (media_type or "")[:127] or None,
                "content": bytes(data), "created_at": now()})
            aid = done.inserted_primary_key[0]
            self._audit(conn, actor, "notice.attach", f"notice:{year}", {"filename": name, "bytes": len(data),
                                                                         "attachment_id": aid})
        return {"id": aid, "filename": name, "size": len(data)}

    def remove_notice_attachment(self, user: dict | None, year: int, attachment_id: int) -> str:
        actor = self._reviewer(user)
        with self.engine.begin() as conn:
            row = self._attachment_row(conn, year, attachment_id, with_content=False)
            if row is None:
                raise CycleError("附件不存在。")
            conn.execute(delete(NoticeAttachmentRow).where(NoticeAttachmentRow.id == attachment_id))
            self._audit(conn, actor, "notice.detach", f"notice:{year}", {"filename": row.filename})
        return row.filename

    def notice_attachment(self, year: int, attachment_id: int) -> dict | None:
        """One attachment of `year`'s notice with its bytes, or None."""
        with self.engine.connect() as conn:
            row = self._attachment_row(conn, year, attachment_id, with_content=True)
        if row is None:
            return None
        return {"filename": row.filename, "media_type": row.media_type, "content": bytes(row.content)}

    def _attachment_row(self, conn, year: int, attachment_id: int, *, with_content: bool):
        cols = [NoticeAttachmentRow.id, NoticeAttachmentRow.filename, NoticeAttachmentRow.media_type]
        if with_content:
            cols.append(NoticeAttachmentRow.content)
        q = (select(*cols).join(NoticeRow, NoticeAttachmentRow.notice_id == NoticeRow.id)
             .where(NoticeAttachmentRow.id == attachment_id, NoticeRow.year == year))
        return conn.execute(q).first()

    # ------------------------------------------------------------ 催报
    def remind_late(self, user: dict | None, year: int, today: date | None = None) -> dict:
        """A "late" message to every late unit (see the module's decisions), e-mailed where the unit
        has an address and an SMTP server is set. The messages commit first; the mails go out after
        (blocking: call it from a worker thread), each outcome stored on its message."""
        from fazhi.cycle.accounts import now
        from fazhi.cycle.mail import Mail, parse_config, send_mails

        actor = self._reviewer(user)
        today = today or dl.today()
        due = [r for r in self.board(actor, year, today)["rows"] if r["due_reminder"]]
        smtp = parse_config(self.setting("smtp"))
        sent: list[dict] = []
        with self.engine.begin() as conn:
            for r in due:
                subject, body = reminder_text(year, r["unit_name"], r["status"], date.fromisoformat(r["deadline"]),
                                              r["days_late"], today)
                to = r["email"] if smtp is not None and r["email"] else None
                mid = self.notify(conn, r["unit_id"], "late", subject, body, "/upload", year, r["submission_id"],
                                  email_to=to)
                sent.append({"unit_id": r["unit_id"], "unit_name": r["unit_name"], "message_id": mid,
                             "email_to": to, "subject": subject, "body": body, "email_sent": False,
                             "email_error": None if to or smtp is None else "该单位未登记电子邮箱。"})
            self._audit(conn, actor, "remind", f"period:{year}", {"units": [s["unit_name"] for s in sent][:100],
                                                                  "count": len(sent)})
        mails = [s for s in sent if s["email_to"]]
        if mails and smtp is not None:
            errors = send_mails(smtp, [Mail(s["email_to"], s["subject"], s["body"]) for s in mails])
            at = now()
            for s, err in zip(mails, errors):
                s["email_sent"], s["email_error"] = err is None, err
            self.record_email([(s["message_id"], at if s["email_sent"] else None, s["email_error"]) for s in mails])
        for s in sent:
            s.pop("body")
        emailed = sum(s["email_sent"] for s in sent)
        failed = sum(1 for s in sent if s["email_to"] and not s["email_sent"])
        return {"year": year, "count": len(sent), "emailed": emailed, "failed": failed, "smtp": smtp is not None,
                "units": sent, "summary": remind_summary(len(sent), emailed, failed, smtp is not None)}

    def set_mail_settings(self, user: dict | None, value: dict) -> dict | None:
        """Admins: the SMTP server for 催报 (an empty password keeps the stored one of the same
        username; host empty: no e-mail). What pages may show back (never the password)."""
        from fazhi.cycle.mail import check_config, public_config

        actor = self._require(user)
        if actor["role"] != "admin":
            from fazhi.cycle.errors import AccessDenied

            raise AccessDenied("只有管理员可以设置邮件服务器。")
        if not str(value.get("host") or "").strip():
            self.set_setting("smtp", None, by=actor)
            return None
        try:
            checked = check_config(value)
        except ValueError as e:
            raise CycleError(str(e)) from None
        stored = self.setting("smtp") or {}
        if checked["password"] is None and not value.get("clear_password") and checked["username"] \
                and checked["username"] == stored.get("username"):
            checked["password"] = stored.get("password")  # same account, password left empty: kept
        self.set_setting("smtp", checked, by=actor)
        return public_config(checked)

    def mail_settings(self) -> dict | None:
        from fazhi.cycle.mail import public_config

        return public_config(self.setting("smtp"))


def remind_summary(count: int, emailed: int, failed: int, smtp: bool) -> str:
    if not count:
        return "没有需要催报的逾期单位。"
    text = f"已向 {count} 个逾期单位发出催报站内消息"
    if smtp:
        text += f"，邮件发送成功 {emailed} 封" + (f"，失败 {failed} 封（原因见各单位）" if failed else "")
    else:
        text += "（未设置邮件服务器，未发送邮件）"
    return text + "。"
