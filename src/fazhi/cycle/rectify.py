"""整改销号与问题池 (issue 14 item 2) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

Every reviewer comment (a span comment or the 总体意见) and every machine finding the reviewer
accepted (finding_reviews verdict "accepted") becomes an issue of the unit when the submission is
returned (`on_event`, inside the return's transaction); reviewers may add issues by hand. An
issue has a deadline (`due`: the return's Beijing date + setting "rectify_days", default 15) and a
state set only by reviewers: 待整改 open → 已整改 fixed / 未整改 unfixed → 销号 closed (销号 only
from 已整改). Open and unfixed issues are outstanding: they follow the unit into its next versions
and next years' reports, where fazhi.cycle.rectify_match finds what the new text has in their place.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, insert, select, update

from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models import SubmissionRow, UnitRow
from fazhi.cycle.models_office import RectificationRow, SettingRow

STATE_LABELS: dict[str, str] = {"open": "待整改", "fixed": "已整改", "unfixed": "未整改", "closed": "销号"}
OUTSTANDING = ("open", "unfixed")  # not yet fixed: carried into later versions and years
# state -> the states a reviewer may move it to
STATE_MOVES: dict[str, frozenset[str]] = {
    "open": frozenset({"fixed", "unfixed"}),
    "unfixed": frozenset({"fixed", "open"}),
    "fixed": frozenset({"closed", "unfixed", "open"}),
    "closed": frozenset({"open"}),
}
SOURCE_LABELS = {"comment": "审查意见", "finding": "机器发现", "manual": "手工添加"}
DEFAULT_DAYS = 15
MAX_BODY = 2000
MAX_NOTE = 1000


def issue_dict(r: Any, today: date) -> dict[str, Any]:
    """One issue (a row of the rectifications table with its unit_name) as the pages and the API show it."""
    overdue = r.state in OUTSTANDING and r.due is not None and r.due < today
    return {"id": r.id, "unit_id": r.unit_id, "unit_name": r.unit_name, "year": r.year,
            "submission_id": r.submission_id, "source": r.source, "source_label": SOURCE_LABELS.get(r.source, r.source),
            "comment_id": r.comment_id, "rule": r.rule, "finding_key": r.finding_key, "report_id": r.report_id,
            "start": r.start, "end": r.end, "quote": r.quote, "body": r.body, "state": r.state,
            "state_label": STATE_LABELS.get(r.state, r.state), "due": r.due.isoformat() if r.due else None,
            "overdue": overdue, "fixed_report_id": r.fixed_report_id, "checked_report_id": r.checked_report_id,
            "created_by": r.created_by, "created_at": r.created_at, "updated_at": r.updated_at,
            "closed_at": r.closed_at, "closed_by": r.closed_by, "note": r.note}


def rectify_days(conn) -> int:
    """The setting "rectify_days" (days to fix an issue), read on the caller's connection."""
    value = conn.execute(select(SettingRow.value).where(SettingRow.key == "rectify_days")).scalar()
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if 0 < days <= 366 else DEFAULT_DAYS


def parse_due(value: str | date | None) -> date | None:
    """A deadline from a form or the API (YYYY-MM-DD); CycleError when malformed."""
    if value is None or isinstance(value, date):
        return value
    raw = str(value).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CycleError(f"整改期限“{raw[:20]}”格式有误，应写作 YYYY-MM-DD。") from None


def _issue_query():
    return select(RectificationRow.__table__, UnitRow.name.label("unit_name")).join(
        UnitRow, RectificationRow.unit_id == UnitRow.id)


class RectifyMixin:
    engine: Any

    # ------------------------------------------------------------ reading
    def rectifications(self, user: dict | None, *, unit_id: int | None = None, year: int | None = None,
                       state: str | None = None, submission_id: int | None = None,
                       overdue: bool | None = None, through_year: int | None = None,
                       today: date | None = None) -> list[dict]:
        """Issues `user` may see, filtered; state may also be "outstanding" (待整改 + 未整改);
        through_year: raised in that year or before."""
        from fazhi.cycle.deadlines import today as beijing_today

        today = today or beijing_today()
        units = self.visible_unit_ids(user)
        R = RectificationRow
        where = [R.unit_id == unit_id] if unit_id is not None else []
        where += [R.year == year] if year is not None else []
        where += [R.submission_id == submission_id] if submission_id is not None else []
        where += [R.year <= through_year] if through_year is not None else []
        if state == "outstanding":
            where.append(R.state.in_(OUTSTANDING))
        elif state:
            if state not in STATE_LABELS:
                raise CycleError(f"未知整改状态“{state[:20]}”（可用：{'、'.join(STATE_LABELS)}、outstanding）。")
            where.append(R.state == state)
        if overdue:
            where += [R.state.in_(OUTSTANDING), R.due < today]
        if units is not None:
            where.append(R.unit_id.in_(units or {-1}))
        q = (_issue_query().where(*where).order_by(R.year.desc(), UnitRow.name, R.id))
        with self.engine.connect() as conn:
            return [issue_dict(r, today) for r in conn.execute(q)]

    def rectification_years(self, user: dict | None) -> list[int]:
        """The years of the issues `user` may see, newest first (the 问题池's year filter)."""
        units = self.visible_unit_ids(user)
        q = select(RectificationRow.year).distinct().order_by(RectificationRow.year.desc())
        if units is not None:
            q = q.where(RectificationRow.unit_id.in_(units or {-1}))
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    def rectification(self, user: dict | None, issue_id: int) -> dict | None:
        """One issue if `user` may see it, else None."""
        units = self.visible_unit_ids(user)
        found = self._issue(issue_id)
        if found is None or (units is not None and found["unit_id"] not in units):
            return None
        return found

    def _issue(self, issue_id: int) -> dict | None:
        from fazhi.cycle.deadlines import today

        with self.engine.connect() as conn:
            row = conn.execute(_issue_query().where(RectificationRow.id == issue_id)).first()
        return issue_dict(row, today()) if row else None

    def rectification_counts(self, *, unit_ids: set[int] | list[int] | None = None, year: int | None = None,
                             today: date | None = None) -> dict[int, dict[str, int]]:
        """unit_id -> {state: n, "overdue": n} (every state present, zeros included)."""
        from fazhi.cycle.deadlines import today as beijing_today

        today = today or beijing_today()
        R = RectificationRow
        where = [R.year == year] if year is not None else []
        if unit_ids is not None:
            where.append(R.unit_id.in_(set(unit_ids) or {-1}))
        overdue = func.sum(case((and_(R.state.in_(OUTSTANDING), R.due < today), 1), else_=0))
        q = select(R.unit_id, R.state, func.count(), overdue).where(*where).group_by(R.unit_id, R.state)
        out: dict[int, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for unit_id, state, n, late in conn.execute(q):
                row = out.setdefault(unit_id, {**{s: 0 for s in STATE_LABELS}, "overdue": 0})
                row[state] = row.get(state, 0) + n
                row["overdue"] += int(late or 0)
        return out

    # ------------------------------------------------------------ writing (reviewers)
    def add_rectification(self, user: dict | None, submission_id: int, body: str, *, quote: str | None = None,
                          start: int | None = None, end: int | None = None,
                          due: str | date | None = None) -> dict:
        """A reviewer's issue added by hand on a submission's current report (span optional: the
        words `quote` are looked up in the report when no span is given)."""
        from fazhi.corpus.models import ReportRow
        from fazhi.cycle.accounts import now
        from fazhi.cycle.deadlines import today

        actor = self._reviewer(user)
        body = (body or "").strip()
        if not body:
            raise CycleError("请填写整改问题的内容。")
        due_day = parse_due(due)
        with self.engine.begin() as conn:
            sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == submission_id)).first()
            if sub is None:
                raise CycleError(f"报送记录不存在（编号 {submission_id}）。")
            self._check_branch(actor, sub.unit_id)
            text = conn.execute(select(ReportRow.text).where(ReportRow.id == sub.report_id)).scalar() or ""
            start, end, quote = _span(text, start, end, (quote or "").strip() or None)
            at = now()
            values = {"unit_id": sub.unit_id, "year": sub.year, "submission_id": sub.id, "source": "manual",
                      "report_id": sub.report_id, "start": start, "end": end, "quote": quote,
                      "body": body[:MAX_BODY], "state": "open",
                      "due": due_day or today() + timedelta(days=rectify_days(conn)),
                      "created_by": actor["id"], "created_at": at, "updated_at": at}
            iid = conn.execute(insert(RectificationRow).returning(RectificationRow.id), values).scalar_one()
            self._audit(conn, actor, "rectify.add", f"rectification:{iid}",
                        {"submission_id": sub.id, "unit_id": sub.unit_id, "quote": quote, "body": body[:200]})
        return self._issue(iid)

    def set_rectification_state(self, user: dict | None, issue_id: int, state: str, *, note: str | None = None,
                                report_id: int | None = None) -> dict:
        """A reviewer's decision on an issue (checked on version `report_id`, default the unit's
        current report of the issue's submission)."""
        from fazhi.cycle.accounts import now

        actor = self._reviewer(user)
        if state not in STATE_LABELS:
            raise CycleError(f"未知整改状态“{str(state)[:20]}”（可用：{'、'.join(STATE_LABELS.values())}）。")
        note = (note or "").strip()[:MAX_NOTE] or None
        with self.engine.begin() as conn:
            row = conn.execute(select(RectificationRow).where(RectificationRow.id == issue_id)
                               .with_for_update()).first()
            if row is None:
                raise CycleError(f"整改问题不存在（编号 {issue_id}）。")
            self._check_branch(actor, row.unit_id)
            if state == row.state:
                raise CycleError(f"该问题已是“{STATE_LABELS[state]}”。")
            if state not in STATE_MOVES[row.state]:
                raise CycleError(f"“{STATE_LABELS[row.state]}”的问题不能改为“{STATE_LABELS[state]}”"
                                 + ("（须先确认已整改）。" if state == "closed" else "。"))
            checked = report_id if report_id is not None else self._current_report(conn, row)
            if report_id is not None and not self._unit_version(conn, row.unit_id, report_id):
                raise CycleError(f"报告 {report_id} 不是该单位报送的版本。")
            at = now()
            values: dict[str, Any] = {"state": state, "updated_at": at, "checked_report_id": checked}
            if note is not None:
                values["note"] = note
            if state == "fixed":
                values["fixed_report_id"] = checked
            elif state in ("open", "unfixed"):
                values["fixed_report_id"] = None
            if state == "closed":
                values.update(closed_at=at, closed_by=actor["id"])
            else:
                values.update(closed_at=None, closed_by=None)
            conn.execute(update(RectificationRow).where(RectificationRow.id == issue_id).values(**values))
            self._audit(conn, actor, "rectify.state", f"rectification:{issue_id}",
                        {"from": row.state, "to": state, "note": note, "report_id": checked})
            title, body = state_message(row, state, note)  # the unit hears of the decision
            self.notify(conn, row.unit_id, "rectify", title, body, f"/reports/{checked}" if checked else "/issues",
                        row.year, row.submission_id)
        return self._issue(issue_id)

    def set_rectification_due(self, user: dict | None, issue_id: int, due: str | date | None) -> dict:
        """A reviewer changes an issue's rectification deadline."""
        from fazhi.cycle.accounts import now

        actor = self._reviewer(user)
        day = parse_due(due)
        if day is None:
            raise CycleError("请填写整改期限（YYYY-MM-DD）。")
        with self.engine.begin() as conn:
            row = conn.execute(select(RectificationRow.due, RectificationRow.unit_id)
                               .where(RectificationRow.id == issue_id).with_for_update()).first()
            if row is None:
                raise CycleError(f"整改问题不存在（编号 {issue_id}）。")
            self._check_branch(actor, row.unit_id)
            conn.execute(update(RectificationRow).where(RectificationRow.id == issue_id)
                         .values(due=day, updated_at=now()))
            self._audit(conn, actor, "rectify.due", f"rectification:{issue_id}",
                        {"from": row.due.isoformat() if row.due else None, "to": day.isoformat()})
        return self._issue(issue_id)

    def set_rectify_days(self, user: dict | None, days: int) -> int:
        """The default number of days a unit has to fix an issue (setting "rectify_days")."""
        actor = self._reviewer(user)
        if not isinstance(days, int) or not 0 < days <= 366:
            raise CycleError("整改期限天数应为 1–366 之间的整数。")
        self.set_setting("rectify_days", days, by=actor)
        return days

    def _unit_version(self, conn, unit_id: int, report_id: int) -> bool:
        from fazhi.cycle.models import VersionRow

        q = (select(VersionRow.id).join(SubmissionRow, VersionRow.submission_id == SubmissionRow.id)
             .where(VersionRow.report_id == report_id, SubmissionRow.unit_id == unit_id).limit(1))
        return conn.execute(q).first() is not None

    def _current_report(self, conn, row) -> int | None:
        if row.submission_id is None:
            return row.report_id
        return conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == row.submission_id)).scalar()

    # ------------------------------------------------------------ the report page
    def rectification_view(self, user: dict | None, report_id: int) -> dict | None:
        """The report page's 整改 panel: the unit's outstanding issues up to this report's year, each
        located in this version's text, plus this submission's fixed and closed ones; None when the
        report is not in a submission or `user` may not see its unit's issues."""
        from fazhi.cycle.rectify_view import build_view

        sub = self.submission_of_report(report_id)
        if sub is None:
            return None
        try:
            units = self.visible_unit_ids(user)
        except AccessDenied:
            return None
        if units is not None and sub["unit_id"] not in units:
            return None
        return build_view(self, user, sub, report_id)


def state_message(row: Any, state: str, note: str | None) -> tuple[str, str]:
    """(title, body) of the message telling the unit a reviewer's decision on one of its issues."""
    what = f"“{row.quote}”" if row.quote else f"“{row.body[:30]}”"
    body = f"问题：{row.body}\n" + (f"原文字：“{row.quote}”\n" if row.quote else "")
    body += f"审查人员确认为“{STATE_LABELS[state]}”。"
    if note:
        body += f"\n说明：{note}"
    if state in OUTSTANDING and row.due is not None:
        body += f"\n请在 {row.due.isoformat()} 前整改。"
    return f"整改问题{STATE_LABELS[state]}：{what}", body


def _span(text: str, start: int | None, end: int | None, quote: str | None) -> tuple[int | None, int | None, str | None]:
    """(start, end, quote) of a hand-added issue: a given span must lie in the text (its words become
    the quote); else the quote's first occurrence, when it occurs."""
    if start is not None or end is not None:
        if start is None or end is None or not 0 <= start < end <= len(text):
            raise CycleError("批注位置超出报告正文范围。")
        return start, end, text[start:end]
    if quote:
        i = text.find(quote)
        if i >= 0:
            return i, i + len(quote), quote
    return None, None, quote


# ---------------------------------------------------------------- the event listener
def on_event(cycle: Any, conn: Any, event: dict) -> None:
    """Listener of fazhi.cycle.events (runs inside the event's transaction): a return turns its
    comments and the report's accepted findings into issues."""
    if event.get("action") == "return":
        from fazhi.cycle.rectify_raise import raise_issues

        raise_issues(cycle, conn, event)


__all__ = ["OUTSTANDING", "RectifyMixin", "STATE_LABELS", "STATE_MOVES", "on_event"]
