"""站内消息与邮件 (issue 14 item 1) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

A message goes to a unit (every account of the unit reads it) or to one user. The cycle's events
make them (`on_event`): 退回修改 (with the number of comments and the 总体意见), 已通过, 已公开,
and 撤回 / 撤销公开 when those actions exist; a 催报 (`remind_late`, fazhi/cycle/notices.py) makes
a "late" message per late unit and e-mails it when an SMTP server is set. Reading a message is
the only write a page view makes (`mark_read`), and only when something was unread.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update

from fazhi.cycle.models import CommentRow, UnitRow
from fazhi.cycle.models_office import MessageRow

KIND_LABELS: dict[str, str] = {"notice": "报送通知", "returned": "退回修改", "approved": "审查通过",
                               "published": "已公开", "late": "催报", "withdrawn": "已撤回",
                               "unpublished": "撤销公开", "first_passed": "初审通过", "rectify": "整改",
                               "opinion": "审查意见"}
# event action -> message kind (actions not named here make no message)
EVENT_KINDS = {"return": "returned", "approve": "approved", "publish": "published", "withdraw": "withdrawn",
               "unpublish": "unpublished"}
MAX_LIST = 500


def _row(m: Any, unit_name: str | None = None) -> dict[str, Any]:
    return {"id": m.id, "unit_id": m.unit_id, "unit_name": unit_name, "user_id": m.user_id, "kind": m.kind,
            "kind_label": KIND_LABELS.get(m.kind, m.kind), "title": m.title, "body": m.body, "link": m.link,
            "year": m.year, "submission_id": m.submission_id, "created_at": m.created_at, "read_at": m.read_at,
            "email_to": m.email_to, "email_sent_at": m.email_sent_at, "email_error": m.email_error}


def event_text(action: str, unit: str, year: int, comments: int = 0, overall: str | None = None,
               reason: str | None = None) -> tuple[str, str] | None:
    """(title, body) of the message an event sends the unit, or None for actions that send none."""
    what = f"{unit} {year} 年度法治政府建设年度报告"
    if action == "return":
        body = f"您单位报送的{what}已被退回修改，审查人员提出修改意见 {comments} 条。"
        if overall:
            body += f"\n总体意见：{overall}"
        return f"{year} 年度报告被退回修改（{comments} 条意见）", body + "\n请按意见修改后重新上传。"
    if action == "approve":
        return f"{year} 年度报告已审查通过", f"您单位报送的{what}已审查通过，请做好向社会公开的准备。"
    if action == "publish":
        return f"{year} 年度报告已公开", f"您单位报送的{what}已公开。"
    if action == "withdraw":
        return f"{year} 年度报告已撤回", f"{what}已撤回，请在期限内重新报送。"
    if action == "unpublish":
        body = f"{what}的公开已撤销。" + (f"\n原因：{reason}" if reason else "")
        return f"{year} 年度报告已撤销公开", body
    return None


def _own(user: dict) -> Any:
    """Messages addressed to `user`: to their unit, or to them."""
    mine = MessageRow.user_id == user["id"]
    if user.get("unit_id") is not None:
        return or_(MessageRow.unit_id == user["unit_id"], mine)
    return mine


class MessagesMixin:
    engine: Any

    def notify(self, conn, unit_id: int | None, kind: str, title: str, body: str, link: str | None = None,
               year: int | None = None, submission_id: int | None = None, *, user_id: int | None = None,
               email_to: str | None = None) -> int:
        """One message to a unit (or a user), inside the caller's transaction; its id."""
        from fazhi.cycle.accounts import now

        done = conn.execute(insert(MessageRow), {
            "unit_id": unit_id, "user_id": user_id, "kind": kind, "title": title[:255], "body": body,
            "link": (link or None) and link[:255], "year": year, "submission_id": submission_id,
            "created_at": now(), "email_to": email_to})
        return done.inserted_primary_key[0]

    def messages(self, user: dict | None, *, unread_only: bool = False, limit: int = MAX_LIST) -> list[dict]:
        """`user`'s messages, unread first, newest first within each."""
        actor = self._actor(user)
        if actor is None:
            return []
        q = (select(MessageRow).where(_own(actor)).order_by(MessageRow.read_at.is_not(None),
                                                              MessageRow.id.desc()).limit(limit))
        if unread_only:
            q = q.where(MessageRow.read_at.is_(None))
        with self.engine.connect() as conn:
            return [_row(m) for m in conn.execute(q)]

    def unread_count(self, user: dict | None) -> int:
        """Unread in-app messages of `user` (a unit account: its unit's; the page header shows it)."""
        actor = self._actor(user)
        if actor is None:
            return 0
        q = select(func.count()).select_from(MessageRow).where(_own(actor), MessageRow.read_at.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def mark_read(self, user: dict | None, ids: list[int] | None = None, *, kind: str | None = None,
                  year: int | None = None) -> int:
        """Mark `user`'s unread messages read (all of them when `ids` is None; else those ids;
        optionally only of `kind` / `year`); the number marked. Another unit's ids are ignored."""
        from fazhi.cycle.accounts import now

        actor = self._require(user)
        where = [_own(actor), MessageRow.read_at.is_(None)]
        if ids is not None:
            if not ids:
                return 0
            where.append(MessageRow.id.in_([int(i) for i in ids][:MAX_LIST]))
        if kind is not None:
            where.append(MessageRow.kind == kind)
        if year is not None:
            where.append(MessageRow.year == year)
        with self.engine.begin() as conn:
            found = list(conn.execute(select(MessageRow.id).where(*where)).scalars())
            if found:
                conn.execute(update(MessageRow).where(MessageRow.id.in_(found)).values(read_at=now()))
                self._audit(conn, actor, "message.read", f"user:{actor['id']}", {"messages": found[:50],
                                                                                  "count": len(found)})
        return len(found)

    def unit_messages(self, unit_id: int, *, limit: int = 200) -> list[dict]:
        """Messages sent to one unit, newest first (reviewers' view on the board)."""
        q = (select(MessageRow, UnitRow.name.label("unit_name")).join(UnitRow, MessageRow.unit_id == UnitRow.id)
             .where(MessageRow.unit_id == unit_id).order_by(MessageRow.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [_row(r, r.unit_name) for r in conn.execute(q)]

    def message_stats(self, year: int | None = None) -> dict[int, dict]:
        """Per unit: messages sent, unread, when it was last reminded (催报) — for `year`'s reminders
        when given — and that reminder's e-mail (to, sent_at, error), in three grouped queries."""
        sent = (select(MessageRow.unit_id, func.count(), func.sum(case((MessageRow.read_at.is_(None), 1), else_=0)))
                .where(MessageRow.unit_id.is_not(None)).group_by(MessageRow.unit_id))
        late = [MessageRow.kind == "late", MessageRow.unit_id.is_not(None)]
        if year is not None:
            late.append(MessageRow.year == year)
        reminded = (select(MessageRow.unit_id, func.max(MessageRow.created_at), func.count(),
                           func.max(MessageRow.id).label("last_id"))
                    .where(and_(*late)).group_by(MessageRow.unit_id).subquery())
        last = (select(reminded, MessageRow.email_to, MessageRow.email_sent_at, MessageRow.email_error)
                .join(MessageRow, MessageRow.id == reminded.c.last_id))
        out: dict[int, dict] = {}
        with self.engine.connect() as conn:
            for uid, n, unread in conn.execute(sent):
                out[uid] = {"sent": int(n), "unread": int(unread or 0), "last_reminded": None, "reminders": 0,
                            "last_email": None}
            for uid, at, n, _, to, sent_at, error in conn.execute(last):
                out.setdefault(uid, {"sent": 0, "unread": 0})
                out[uid].update(last_reminded=at, reminders=int(n),
                                last_email={"to": to, "sent_at": sent_at, "error": error} if to else None)
        return out

    def record_email(self, results: list[tuple[int, datetime | None, str | None]]) -> None:
        """Store each message's e-mail outcome: (message id, sent at, error)."""
        if not results:
            return
        with self.engine.begin() as conn:
            for mid, sent_at, error in results:
                conn.execute(update(MessageRow).where(MessageRow.id == mid).values(
                    email_sent_at=sent_at, email_error=error))


def on_event(cycle: Any, conn: Any, event: dict) -> None:
    """Listener of fazhi.cycle.events (runs inside the event's transaction): a message to the unit
    for return / approve / publish / withdraw / unpublish; other actions are ignored."""
    action = event.get("action")
    if action not in EVENT_KINDS or event.get("unit_id") is None:
        return
    unit = conn.execute(select(UnitRow.name).where(UnitRow.id == event["unit_id"])).scalar() or ""
    comments, overall = 0, None
    if action == "return":
        ids = list(event.get("comment_ids") or [])
        overall, notes = _overall(conn, event["submission_id"], ids)
        comments = len(ids) - notes
    text = event_text(action, unit, event["year"], comments, overall, event.get("reason"))
    if text is None:
        return
    sid = event.get("submission_id")
    link = f"/reports/{event['report_id']}" if event.get("report_id") else (f"/submissions/{sid}" if sid else None)
    cycle.notify(conn, event["unit_id"], EVENT_KINDS[action], text[0], text[1], link, event["year"], sid)


def _overall(conn, submission_id: int, comment_ids: list[int]) -> tuple[str | None, int]:
    """(the 总体意见 of a return, how many of its comments that is): the reviewer's opinion's
    (fazhi.cycle.opinion) when written, else the return's comments on the whole report (its note),
    which then do not count as comments on the text."""
    from fazhi.cycle.models_office import OpinionRow

    notes = conn.execute(select(CommentRow.body).where(CommentRow.id.in_(comment_ids), CommentRow.start.is_(None))
                         .order_by(CommentRow.id)).scalars().all() if comment_ids else []
    written = conn.execute(select(OpinionRow.overall).where(OpinionRow.submission_id == submission_id)).scalar()
    if written and written.strip():
        return written.strip(), 0
    return ("\n".join(notes) or None), len(notes)
