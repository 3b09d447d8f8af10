"""公开、保密审查、撤回、分配与两级审核 (issue 14 items 7, 8, 10) — part of `Cycle` (mixed into
fazhi.cycle.service.Cycle); a unit's self-check drafts are in fazhi.cycle.drafts.

- Publication: a unit (or a reviewer) records the 公开网址 (http/https) and 公开日期 of an approved or
  published submission; the date is checked against the rubric's `deadlines.<level>.publish` of the
  year after the report year (`publication`: late, days late). 公开 needs the reviewer's 保密审查
  confirmation (Cycle.publish(..., secrecy_checked=True), recorded with who and when); `unpublish`
  takes it back (published → approved) with a mandatory reason, and a new 公开 needs a new 保密审查.
- Withdrawal: a unit withdraws its own submitted report before any decision on it (→ withdrawn):
  only while the submission was never returned (a returned one is already under review: the unit
  uploads a new version instead); the versions stay, submitted_at is cleared so lateness counts
  from the resubmission.
- Two-step review (setting "two_step_review"): `review_step` turns "approve" of a submitted report
  into "first_pass" (初审通过) and lets only another reviewer approve it (复审). Reviewers may be
  assigned (reviewer_id: 初审, second_reviewer_id: 复审); an assigned step is the assignee's (or an
  admin's). `review_queue`: what waits for my step, oldest first.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update

from fazhi.cycle.drafts import DraftsMixin
from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models import AuditRow, CommentRow, SubmissionRow, UnitRow, UserRow
from fazhi.cycle.models_office import SettingRow
from fazhi.cycle.status import REVIEW_ROLES

TWO_STEP = "two_step_review"
MAX_URL = 1000
MAX_REASON = 2000


def check_url(url: str) -> str:
    """A 公开网址: http or https with a host, no spaces, at most MAX_URL characters."""
    url = (url or "").strip()
    if not url:
        raise CycleError("请填写公开网址。")
    parts = urlsplit(url) if len(url) <= MAX_URL and not any(c.isspace() for c in url) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or "." not in parts.hostname and parts.hostname != "localhost":
        raise CycleError(f"公开网址无效：应以 http:// 或 https:// 开头、含网站域名，且不超过 {MAX_URL} 个字符。")
    return url


def check_publish_date(value: str | date, year: int, today: date) -> date:
    """A 公开日期 for report year `year`: a real date, in year+1 or later, not in the future."""
    from fazhi.cycle.deadlines import parse_date

    if isinstance(value, date):
        day = value
    else:
        try:
            day = parse_date(str(value or "").strip())
        except ValueError as e:
            raise CycleError(f"公开日期：{e}") from None
    if day > today:
        raise CycleError(f"公开日期 {day.isoformat()} 晚于今天，请填写实际公开的日期。")
    if day.year <= year:
        raise CycleError(f"公开日期 {day.isoformat()} 早于 {year + 1} 年：{year} 年度的报告应在次年公开。")
    return day


def publish_deadline(level: str | None, year: int) -> date:
    """The rubric's publication deadline (deadlines.<level>.publish, MM-DD of year+1)."""
    from fazhi.cycle.deadlines import DEFAULT_LEVEL
    from fazhi.review.rubric import default_rubric

    table = default_rubric().deadlines
    found = table.get(level) if level else None
    return date.fromisoformat(f"{year + 1}-{(found or table[DEFAULT_LEVEL]).publish}")


def publish_lateness(published: date | None, deadline: date) -> tuple[bool, int | None]:
    if published is None:
        return False, None
    days = (published - deadline).days
    return days > 0, days if days > 0 else None


class LifecycleMixin(DraftsMixin):
    engine: Any

    # ------------------------------------------------------------ two-step review
    def two_step(self) -> bool:
        return bool(self.setting(TWO_STEP, False))

    def set_two_step(self, user: dict | None, on: bool) -> bool:
        actor = self._require(user)
        if actor["role"] != "admin":
            raise AccessDenied("只有管理员可以开启或关闭两级审核。")
        self.set_setting(TWO_STEP, bool(on), by=actor)
        return bool(on)

    def review_step(self, conn, actor: dict, sub, action: str, values: dict) -> tuple[str, dict]:
        """The action `action` really is on locked submission row `sub`, and the extra columns it sets
        (called by Cycle._change inside its transaction); AccessDenied / CycleError when refused."""
        if action == "withdraw":
            if actor["role"] != "unit" or actor["unit_id"] != sub.unit_id:
                raise AccessDenied("只有报送单位可以撤回本单位提交的报告。")
            if conn.execute(select(CommentRow.id).where(CommentRow.submission_id == sub.id).limit(1)).first():
                raise CycleError("该报告已经审核退回过，不能撤回；如需修改，请直接上传新版本。")
        if action == "return":
            return action, {**values, "first_passed_by": None}
        if action != "approve":
            return action, values
        admin = actor["role"] == "admin"
        if sub.status == "first_passed":  # 复审
            if sub.first_passed_by == actor["id"]:
                raise CycleError("复审须由初审以外的审核人员进行。")
            if sub.second_reviewer_id not in (None, actor["id"]) and not admin:
                raise CycleError(f"该报告的复审已分配给 {self._username(conn, sub.second_reviewer_id)}。")
            return action, values
        two = conn.execute(select(SettingRow.value).where(SettingRow.key == TWO_STEP)).scalar()
        if sub.status == "submitted" and two:
            if sub.reviewer_id not in (None, actor["id"]) and not admin:
                raise CycleError(f"该报告的初审已分配给 {self._username(conn, sub.reviewer_id)}。")
            return "first_pass", {**values, "first_passed_by": actor["id"]}
        return action, values

    @staticmethod
    def _username(conn, user_id: int | None) -> str:
        return conn.execute(select(UserRow.username).where(UserRow.id == user_id)).scalar() or "其他人员"

    def reviewers(self) -> list[dict]:
        """Active admins and reviewers (who may be assigned)."""
        return [u for u in self.users() if u["role"] in REVIEW_ROLES and u["active"]]

    def assign(self, user: dict | None, submission_id: int, reviewer_id: int | None,
               second_reviewer_id: int | None = None) -> dict:
        """Assign 初审 (reviewer_id) and 复审 (second_reviewer_id) reviewers; None leaves a step open."""
        from fazhi.cycle.accounts import now
        from fazhi.cycle.events import dispatch

        actor = self._reviewer(user)
        allowed = {u["id"] for u in self.reviewers()}
        for uid in (reviewer_id, second_reviewer_id):
            if uid is not None and uid not in allowed:
                raise CycleError(f"用户（编号 {uid}）不是在用的审核人员，不能分配。")
        if reviewer_id is not None and reviewer_id == second_reviewer_id:
            raise CycleError("初审和复审须由不同的审核人员承担。")
        with self.engine.begin() as conn:
            sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == submission_id)
                               .with_for_update()).first()
            if sub is None:
                raise CycleError(f"报送记录不存在（编号 {submission_id}）。")
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == sub.id).values(
                reviewer_id=reviewer_id, second_reviewer_id=second_reviewer_id, updated_at=sub.updated_at or now()))
            detail = {"reviewer_id": reviewer_id, "second_reviewer_id": second_reviewer_id,
                      "before": [sub.reviewer_id, sub.second_reviewer_id]}
            self._audit(conn, actor, "assign", f"submission:{sub.id}", detail)
            dispatch(self, conn, {**detail, "action": "assign", "submission_id": sub.id, "unit_id": sub.unit_id,
                                  "year": sub.year, "report_id": sub.report_id, "from": sub.status,
                                  "to": sub.status, "actor": actor})
        return self.lifecycle(submission_id)

    def claim(self, user: dict | None, submission_id: int) -> dict:
        """领取: assign myself the next step of a submission waiting for review (初审, or the 复审 of
        one first-passed by someone else), keeping the other step's assignee."""
        actor = self._reviewer(user)
        with self.engine.connect() as conn:
            sub = conn.execute(select(SubmissionRow.status, SubmissionRow.reviewer_id, SubmissionRow.second_reviewer_id,
                                      SubmissionRow.first_passed_by).where(SubmissionRow.id == submission_id)).first()
        if sub is None or sub.status not in ("submitted", "first_passed"):
            raise CycleError("该报告当前不在待审核状态，不能领取。")
        if sub.status == "first_passed":
            if sub.first_passed_by == actor["id"]:
                raise CycleError("复审须由初审以外的审核人员进行。")
            return self.assign(actor, submission_id, sub.reviewer_id, actor["id"])
        second = None if sub.second_reviewer_id == actor["id"] else sub.second_reviewer_id
        return self.assign(actor, submission_id, actor["id"], second)

    def review_queue(self, user: dict | None, today: date | None = None) -> dict[str, list[dict]]:
        """{"mine": submissions assigned to me for their next step, "open": those nobody is assigned
        to}, each oldest first (waiting since its last change), with lateness and the step's name."""
        actor = self._reviewer(user)
        two = self.two_step()
        subs = self.submissions(status="submitted", today=today) + self.submissions(status="first_passed", today=today)
        branch = self.branch_unit_ids(actor)
        with self.engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(select(
                SubmissionRow.id, SubmissionRow.reviewer_id, SubmissionRow.second_reviewer_id,
                SubmissionRow.first_passed_by).where(SubmissionRow.status.in_(("submitted", "first_passed"))))}
            active = {r.id for r in conn.execute(select(UnitRow.id).where(UnitRow.active.is_not(False)))}
        names = {u["id"]: u["username"] for u in self.users()}
        out: dict[str, list[dict]] = {"mine": [], "open": []}
        for s in sorted(subs, key=lambda s: (s["updated_at"], s["id"])):
            r = rows.get(s["id"])
            if r is None or s["unit_id"] not in active or (branch is not None and s["unit_id"] not in branch):
                continue
            second = s["status"] == "first_passed"
            if second and r.first_passed_by == actor["id"]:
                continue  # my own 初审: the 复审 is someone else's
            assignee = r.second_reviewer_id if second else r.reviewer_id
            step = "复审" if second else ("初审" if two else "审核")
            item = {**s, "step": step, "assignee": names.get(assignee), "first_passed_by": names.get(r.first_passed_by),
                    "waiting_since": s["updated_at"]}
            if assignee == actor["id"]:
                out["mine"].append(item)
            elif assignee is None:
                out["open"].append(item)
        return out

    # ------------------------------------------------------------ withdrawal and publication
    def withdraw(self, user: dict | None, submission_id: int) -> dict:
        """撤回 by the unit before any decision: submitted → withdrawn, versions kept, submitted_at cleared."""
        return self._change(self._require(user), submission_id, "withdraw", values={"submitted_at": None})

    def unpublish(self, user: dict | None, submission_id: int, reason: str) -> dict:
        """撤回公开 (published → approved) with a reason; the 保密审查 must be confirmed again."""
        actor = self._reviewer(user)
        reason = (reason or "").strip()
        if not reason:
            raise CycleError("撤回公开须写明原因。")
        if len(reason) > MAX_REASON:
            raise CycleError(f"撤回公开的原因过长（上限 {MAX_REASON} 字）。")
        return self._change(actor, submission_id, "unpublish", lambda conn, sub: {"reason": reason},
                            values={"secrecy_checked_by": None, "secrecy_checked_at": None})

    def record_publication(self, user: dict | None, submission_id: int, url: str, on: str | date,
                           today: date | None = None) -> dict:
        """The 公开网址 and 公开日期 of an approved or published submission (its unit or a reviewer)."""
        from fazhi.cycle import deadlines as dl

        actor = self._require(user)
        url = check_url(url)
        with self.engine.begin() as conn:
            sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == submission_id)
                               .with_for_update()).first()
            if sub is None or (actor["role"] not in REVIEW_ROLES and actor["unit_id"] != sub.unit_id):
                raise AccessDenied("只能登记本单位报告的公开情况。")
            if sub.status not in ("approved", "published"):
                raise CycleError("报告通过审核后才能登记公开网址和公开日期。")
            day = check_publish_date(on, sub.year, today or dl.today())
            level = conn.execute(select(UnitRow.level).where(UnitRow.id == sub.unit_id)).scalar()
            late, days = publish_lateness(day, publish_deadline(level, sub.year))
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == sub.id).values(
                publish_url=url, publish_date=day))
            self._audit(conn, actor, "publication", f"submission:{sub.id}",
                        {"url": url, "date": day.isoformat(), "late": late, "days_late": days})
        return self.lifecycle(submission_id)

    def lifecycle(self, submission_id: int) -> dict | None:
        """Publication, 保密审查, assignment and two-step state of one submission."""
        from fazhi.cycle.accounts import orm_rows

        with self.engine.connect() as conn:
            found = orm_rows(conn, select(SubmissionRow, UnitRow.level).join(UnitRow, SubmissionRow.unit_id == UnitRow.id)
                             .where(SubmissionRow.id == submission_id))
            if not found:
                return None
            row = found[0]
            s = row.SubmissionRow
            ids = {s.reviewer_id, s.second_reviewer_id, s.first_passed_by, s.secrecy_checked_by} - {None}
            names = dict(conn.execute(select(UserRow.id, UserRow.username).where(UserRow.id.in_(ids))).all()) \
                if ids else {}
            pulled = conn.execute(select(AuditRow.at, AuditRow.username, AuditRow.detail).where(
                AuditRow.target == f"submission:{s.id}", AuditRow.action == "status").order_by(AuditRow.id.desc())).all()
        from fazhi.cycle.deadlines import today

        deadline = publish_deadline(row.level, s.year)
        late, days = publish_lateness(s.publish_date, deadline)
        overdue = s.publish_date is None and s.status in ("approved", "published") and today() > deadline
        back = next(({"at": a.at, "by": a.username, "reason": (a.detail or {}).get("reason")} for a in pulled
                     if (a.detail or {}).get("from") == "published" and (a.detail or {}).get("to") == "approved"), None)
        return {"submission_id": s.id, "status": s.status, "two_step": self.two_step(),
                "reviewer_id": s.reviewer_id, "reviewer": names.get(s.reviewer_id),
                "second_reviewer_id": s.second_reviewer_id, "second_reviewer": names.get(s.second_reviewer_id),
                "first_passed_by": names.get(s.first_passed_by), "first_passed_by_id": s.first_passed_by,
                "publish_url": s.publish_url, "publish_date": s.publish_date.isoformat() if s.publish_date else None,
                "publish_deadline": deadline.isoformat(), "publish_late": late, "publish_days_late": days,
                "publish_overdue": overdue,  # approved, past the publication deadline, no 公开日期 recorded
                "secrecy_checked_by": names.get(s.secrecy_checked_by), "secrecy_checked_at": s.secrecy_checked_at,
                "unpublished": back}
