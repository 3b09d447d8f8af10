"""`Cycle`: the reviewing office's yearly cycle on a corpus database (no HTTP).

Uploads are analysed (fazhi.ingest.load_bytes + fazhi.pipeline.analyze_document) and stored in the
corpus; a unit's submission for a year keeps every version; reviewers return (with comments on
spans of the text), approve and publish; every upload and status change is audited. The web app
asks `can_read` / `readable_report_ids` on every route (rules in fazhi/cycle/__init__.py).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from fazhi.corpus.models import ReportRow
from fazhi.cycle import deadlines as dl
from fazhi.cycle.access import AccessMixin
from fazhi.cycle.accounts import AccountsMixin, now, orm_rows
from fazhi.cycle.diff import diff_findings
from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.events import dispatch
from fazhi.cycle.filing import MAX_COMMENT, _comment_row, _owner_key, _safe_name, analyse_and_store
from fazhi.cycle.lifecycle import LifecycleMixin
from fazhi.cycle.messages import MessagesMixin
from fazhi.cycle.models import CommentRow, SubmissionRow, UnitRow, UploadRow, UserRow, VersionRow
from fazhi.cycle.notices import NoticesMixin
from fazhi.cycle.opinion import OpinionMixin
from fazhi.cycle.org_filing import UnitUnknown
from fazhi.cycle.organisation import OrganisationMixin
from fazhi.cycle.ranking import RankingMixin
from fazhi.cycle.rectify import RectifyMixin
from fazhi.cycle.sessions import SessionsMixin
from fazhi.cycle.settings import SettingsMixin
from fazhi.cycle.status import STATUS_LABELS, check_transition
from fazhi.cycle.throttle import ThrottleMixin

__all__ = ["STATUS_LABELS", "AccessDenied", "Cycle", "CycleError"]


def ensure_tables(engine) -> None:
    """Cycle tables in a database that lacks them: migrate a migrated database, create them in a
    throw-away one (memory_corpus builds its schema from the models without Alembic)."""
    insp = inspect(engine)
    if insp.has_table("units") and insp.has_table("settings"):
        return
    if insp.has_table("alembic_version"):
        from fazhi.corpus.store import upgrade

        upgrade(engine)
    else:
        from fazhi.cycle.models import CYCLE_TABLES
        from fazhi.schema import metadata

        meta = metadata()
        meta.create_all(engine, tables=[meta.tables[t] for t in CYCLE_TABLES])


class Cycle(AccessMixin, AccountsMixin, SessionsMixin, ThrottleMixin, SettingsMixin, NoticesMixin, MessagesMixin, RectifyMixin,
            OpinionMixin, RankingMixin, LifecycleMixin, OrganisationMixin):
    def __init__(self, corpus):
        self.corpus = corpus
        self.engine = corpus.engine
        ensure_tables(self.engine)

    # ------------------------------------------------------------ uploading
    def upload(self, user: dict | None, filename: str, data: bytes, *, unit_id: int | None = None,
               year: int | None = None, ask_unit: bool = False) -> dict:
        """Analyse, store and file one uploaded file (the web app runs the analysis in a worker
        process instead: `prepare_upload`, then fazhi.web.worker, then `file_upload`). `ask_unit`:
        see `file_upload`."""
        actor, unit_id = self.prepare_upload(user, filename, unit_id, year)
        try:
            rid, added = self._analyse_and_store(_safe_name(filename), data)
        except CycleError as e:
            self.refused(actor, filename, str(e))
            raise
        return self.file_upload(actor, filename, data, rid, added, unit_id, year, ask_unit=ask_unit)

    def prepare_upload(self, user: dict | None, filename: str, unit_id: int | None = None,
                       year: int | None = None) -> tuple[dict, int | None]:
        """(the uploading user as the database knows it, the unit to file under) before any
        analysis; AccessDenied / CycleError (audited) when the upload is refused outright."""
        try:
            actor = self._require(user)
        except AccessDenied as e:
            self.refused(None, filename, str(e))
            raise
        try:
            if actor["role"] == "unit":
                if unit_id is not None and unit_id != actor["unit_id"]:
                    raise AccessDenied("报送单位账号只能为本单位提交报告。")
                unit_id = actor["unit_id"]
            elif unit_id is not None and self.unit(unit_id) is None:
                raise CycleError(f"单位不存在（编号 {unit_id}）。")
            if year is not None and not dl.valid_year(year):
                low, high = dl.year_range()
                raise CycleError(f"{_safe_name(filename)}：报告年度 {year} 无效（应在 {low}–{high} 之间）。")
        except CycleError as e:
            self.refused(actor, filename, str(e))
            raise
        return actor, unit_id

    def file_upload(self, actor: dict, filename: str, data: bytes, rid: int, added: bool,
                    unit_id: int | None = None, year: int | None = None, *, ask_unit: bool = False) -> dict:
        """File stored report `rid` (just analysed from `data`) as a new version of its unit's
        submission; a refused filing removes a report it added and is audited. With `ask_unit` (the
        web app) an issuer that is no unit's exact name is not made a unit: the report waits unfiled
        and the answer is {"needs_unit": True, "candidates": [...], ...} (fazhi.cycle.org_filing)."""
        try:
            return self._file(actor, _safe_name(filename), data, rid, added, unit_id, year, ask_unit)
        except UnitUnknown as e:
            return self.hold_upload(actor, _safe_name(filename), data, rid, year, e, added=added)
        except CycleError as e:
            if added:  # refused: a report nobody submitted does not stay behind in the corpus
                self.corpus.remove(rid, audit=False)
            self.refused(actor, filename, str(e))
            raise

    def refused(self, user: dict | None, filename: str, reason: str) -> None:
        """Audit a refused upload."""
        self.audit(user, "upload.refused", f"file:{_safe_name(filename)}"[:255],
                   {"filename": _safe_name(filename), "reason": reason[:500]})

    def _file(self, actor: dict, name: str, data: bytes, rid: int, added: bool, unit_id: int | None,
              year: int | None, ask_unit: bool = False) -> dict:
        """Attach stored report `rid` to its unit's submission for the year (a new version)."""
        row = self.corpus.rows(("unit_key", "issuer", "level", "report_year", "unit_id"), id=rid)[0]
        key = row["unit_key"] if not row["unit_key"].startswith("sha:") else None
        unit = self._unit_for_report(row, key, ask_unit) if unit_id is None else self.unit(unit_id)
        if key and (unit["unit_key"] is None or unit["level"] is None) and actor["role"] != "unit":
            unit = self.add_unit(unit["name"], level=unit["level"] or row["level"], unit_key=unit["unit_key"] or key)
        year = year if year is not None else row["report_year"]
        if not dl.valid_year(year):
            raise CycleError(f"{name}：未能识别报告年度，请指定年度。")
        with self.engine.begin() as conn:
            sub = self._lock_or_create(conn, unit["id"], year)
            other = conn.execute(select(UnitRow.id).join(SubmissionRow, SubmissionRow.unit_id == UnitRow.id)
                                 .join(VersionRow, VersionRow.submission_id == SubmissionRow.id)
                                 .where(VersionRow.report_id == rid, UnitRow.id != unit["id"])).first()
            if other is not None:
                raise CycleError(f"{name}：与其他单位已提交的报告内容完全相同，不能作为本单位的报告提交。")
            try:
                to = check_transition("submit", sub.status)
            except ValueError:
                raise CycleError(f"{unit['name']} {year} 年度的报告{STATUS_LABELS[sub.status]}，不能再上传新版本。") from None
            last = conn.execute(select(VersionRow.seq, VersionRow.report_id).where(
                VersionRow.submission_id == sub.id).order_by(VersionRow.seq.desc()).limit(1)).first()
            seq = last.seq if last else 0
            if not (last and last.report_id == rid and sub.status == "submitted"):
                seq += 1
                conn.execute(insert(VersionRow), {"submission_id": sub.id, "report_id": rid, "seq": seq,
                                                  "submitted_at": now(), "submitted_by": actor["id"]})
            at = now()
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == sub.id).values(
                status=to, report_id=rid, updated_at=at, submitted_at=sub.submitted_at or at))
            owned = {"unit_id": unit["id"]}
            if actor["role"] == "unit" and (key := _owner_key(unit, row)):
                owned["unit_key"] = key  # another unit's text, submitted by this unit: this unit's report
            conn.execute(update(ReportRow).where(ReportRow.id == rid, ReportRow.unit_id.is_(None)).values(**owned))
            if conn.execute(select(UploadRow.report_id).where(UploadRow.report_id == rid)).first() is None:
                conn.execute(insert(UploadRow), {"report_id": rid, "filename": name,
                                                 "content": bytes(data)})
            detail = {"filename": name, "report_id": rid, "unit": unit["name"], "year": year,
                      "version": seq, "duplicate": not added, "from": sub.status, "to": to}
            self._audit(conn, actor, "upload", f"submission:{sub.id}", detail)
            if sub.status != to:
                self._audit(conn, actor, "status", f"submission:{sub.id}",
                            {"from": sub.status, "to": to, "via": "upload", "report_id": rid})
            dispatch(self, conn, {"action": "submit", "submission_id": sub.id, "unit_id": unit["id"], "year": year,
                                  "report_id": rid, "previous_report_id": sub.report_id, "from": sub.status,
                                  "to": to, "actor": actor})
        return {"report_id": rid, "submission_id": sub.id, "unit_id": unit["id"], "unit_name": unit["name"],
                "year": year, "status": to, "version": seq, "duplicate": not added}

    def _analyse_and_store(self, name: str, data: bytes) -> tuple[int, bool]:
        return analyse_and_store(self.corpus, name, data)

    def _unit_for_report(self, row: dict, key: str | None, ask: bool = False) -> dict:
        """The unit named as the report's issuer, else the only unit with its unit_key, else a new one.
        With `ask`: the unit already holding it or named exactly as its issuer, else UnitUnknown."""
        if ask:
            return self._ask_unit(row, key)
        issuer = (row["issuer"] or "").strip()
        with self.engine.connect() as conn:
            if issuer:
                found = conn.execute(select(UnitRow.id).where(UnitRow.name == issuer)).scalar()
                if found is not None:
                    return self.unit(found)
            if key:
                same = conn.execute(select(UnitRow.id).where(UnitRow.unit_key == key)).scalars().all()
                if len(same) == 1:
                    return self.unit(same[0])
        if not issuer:
            raise CycleError("未能从报告中识别报送单位（落款或发文机关），请指定单位。")
        return self.add_unit(issuer[:255], level=row["level"] if row["level"] in dl.levels() else None,
                             unit_key=key)

    def _lock_or_create(self, conn, unit_id: int, year: int):
        q = select(SubmissionRow).where(SubmissionRow.unit_id == unit_id, SubmissionRow.year == year)
        sub = conn.execute(q.with_for_update()).first()
        if sub is None:
            at = now()
            try:
                conn.execute(insert(SubmissionRow), {"unit_id": unit_id, "year": year, "status": "pending",
                                                     "created_at": at, "updated_at": at})
            except IntegrityError:
                raise CycleError("同一单位的报告正在被另一请求提交，请稍后重试。") from None
            sub = conn.execute(q.with_for_update()).one()
        return sub

    # ------------------------------------------------------------ reviewing
    def return_(self, user: dict | None, submission_id: int, comments: list[dict],
                note: str | None = None) -> dict:
        """Back to the unit (退回修改) with comments [{"start","end","body"}] on the current report's
        text (start/end None: on the whole report) and an optional general note."""
        actor = self._reviewer(user)
        note = (note or "").strip()
        if not comments and not note:
            raise CycleError("退回时请至少写一条修改意见。")

        def add_comments(conn, sub) -> dict:
            text = conn.execute(select(ReportRow.text).where(ReportRow.id == sub.report_id)).scalar() or ""
            rows = [_comment_row(c, text) for c in comments]
            if note:
                rows.append({"start": None, "end": None, "quote": None, "body": note[:MAX_COMMENT]})
            at = now()
            ids = []
            for r in rows:
                done = conn.execute(insert(CommentRow), {**r, "submission_id": sub.id, "report_id": sub.report_id,
                                                         "author_id": actor["id"], "created_at": at})
                ids.append(done.inserted_primary_key[0])
            return {"comments": len(rows), "comment_ids": ids}

        return self._change(actor, submission_id, "return", add_comments)

    def approve(self, user: dict | None, submission_id: int) -> dict:
        """通过; with two-step review on, 初审 then 复审 by another reviewer (LifecycleMixin.review_step)."""
        return self._change(self._reviewer(user), submission_id, "approve")

    def publish(self, user: dict | None, submission_id: int, *, secrecy_checked: bool = False) -> dict:
        """公开, only once the reviewer confirms the 保密审查 (recorded with who and when)."""
        actor = self._reviewer(user)
        if not secrecy_checked:
            raise CycleError("公开前须完成保密审查：请确认“已完成保密审查”后再公开。")
        return self._change(actor, submission_id, "publish",
                            values={"secrecy_checked_by": actor["id"], "secrecy_checked_at": now()})

    def _change(self, actor: dict, submission_id: int, action: str, extra=None, values: dict | None = None) -> dict:
        with self.engine.begin() as conn:
            sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == submission_id)
                               .with_for_update()).first()
            if sub is None:
                raise CycleError(f"报送记录不存在（编号 {submission_id}）。")
            if actor["role"] != "unit":
                self._check_branch(actor, sub.unit_id)  # a branch office's reviewer decides on its branch only
            action, values = self.review_step(conn, actor, sub, action, values or {})
            try:
                to = check_transition(action, sub.status)
            except ValueError as e:
                raise CycleError(str(e)) from None
            if sub.report_id is None:
                raise CycleError("该报送记录没有报告，不能审核。")
            detail = {"from": sub.status, "to": to, "report_id": sub.report_id}
            if extra is not None:
                detail.update(extra(conn, sub))
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == sub.id).values(status=to,
                                                                                       updated_at=now(), **values))
            self._audit(conn, actor, "status", f"submission:{sub.id}", detail)
            dispatch(self, conn, {**detail, "action": action, "submission_id": sub.id, "unit_id": sub.unit_id,
                                  "year": sub.year, "actor": actor})
        return self.submission(submission_id)

    # ------------------------------------------------------------ reading
    def submission(self, submission_id: int, today: date | None = None) -> dict | None:
        found = self._submissions([SubmissionRow.id == submission_id], today)
        return found[0] if found else None

    def submission_of_report(self, report_id: int) -> dict | None:
        with self.engine.connect() as conn:
            sid = conn.execute(select(VersionRow.submission_id).where(VersionRow.report_id == report_id)
                               .order_by(VersionRow.id).limit(1)).scalar()
        return self.submission(sid) if sid is not None else None

    def submissions(self, *, year: int | None = None, status: str | None = None, unit_id: int | None = None,
                    level: str | None = None, today: date | None = None,
                    unit_ids: set[int] | None = None) -> list[dict]:
        """`unit_ids`: only these units' (a branch reviewer's: `branch_unit_ids`); None: every unit."""
        where = [c for c, v in ((SubmissionRow.year == year, year), (SubmissionRow.status == status, status),
                                (SubmissionRow.unit_id == unit_id, unit_id), (UnitRow.level == level, level),
                                (SubmissionRow.unit_id.in_(sorted(unit_ids or ())), unit_ids))
                 if v is not None]
        return self._submissions(where, today)

    def _submissions(self, where: list, today: date | None) -> list[dict]:
        today = today or dl.today()
        q = (select(SubmissionRow, UnitRow.name, UnitRow.level).join(UnitRow, SubmissionRow.unit_id == UnitRow.id)
             .where(*where).order_by(SubmissionRow.year.desc(), UnitRow.name, SubmissionRow.id))
        with self.engine.connect() as conn:
            rows = orm_rows(conn, q)
            ids = [r.SubmissionRow.id for r in rows]
            versions, comments = self._versions(conn, ids), self._comments(conn, ids)
            periods: dict[int, Any] = {}
            out = []
            for r in rows:
                s = r.SubmissionRow
                if s.year not in periods:
                    periods[s.year] = self._period_deadlines(conn, s.year)
                table, opened = periods[s.year]
                deadline = dl.deadline_for(r.level, s.year, table)
                counted = dl.tracked(opened, deadline)
                late, days = dl.lateness(deadline, s.submitted_at, today) if counted else (False, None)
                out.append({"id": s.id, "unit_id": s.unit_id, "unit_name": r.name, "level": r.level,
                            "year": s.year, "status": s.status, "status_label": STATUS_LABELS[s.status],
                            "report_id": s.report_id, "versions": versions.get(s.id, []),
                            "comments": comments.get(s.id, []), "submitted_at": s.submitted_at,
                            "updated_at": s.updated_at, "deadline": deadline.isoformat(), "late": late,
                            "days_late": days, "lateness_tracked": counted})
        return out

    def _versions(self, conn, ids: list[int]) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        if not ids:
            return out
        q = (select(VersionRow, UserRow.username).join(UserRow, VersionRow.submitted_by == UserRow.id, isouter=True)
             .where(VersionRow.submission_id.in_(ids)).order_by(VersionRow.seq))
        for r in orm_rows(conn, q):
            v = r.VersionRow
            out.setdefault(v.submission_id, []).append({"seq": v.seq, "report_id": v.report_id,
                                                        "submitted_at": v.submitted_at,
                                                        "submitted_by": r.username})
        return out

    def _comments(self, conn, ids: list[int]) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        if not ids:
            return out
        q = (select(CommentRow, UserRow.username).join(UserRow, CommentRow.author_id == UserRow.id, isouter=True)
             .where(CommentRow.submission_id.in_(ids)).order_by(CommentRow.id))
        for r in orm_rows(conn, q):
            c = r.CommentRow
            out.setdefault(c.submission_id, []).append({"id": c.id, "report_id": c.report_id, "start": c.start,
                                                        "end": c.end, "quote": c.quote, "body": c.body,
                                                        "author": r.username, "created_at": c.created_at})
        return out

    def findings_diff(self, old_report_id: int, new_report_id: int) -> dict:
        old, new = self.corpus.report_dict(old_report_id), self.corpus.report_dict(new_report_id)
        if old is None or new is None:
            raise CycleError("要比较的报告不存在。")
        return diff_findings(old, new)

    def overview(self, year: int, today: date | None = None, unit_ids: set[int] | None = None) -> list[dict]:
        """One row per active unit for report year `year`: status, deadline, lateness (counted only when the
        year's period was opened by the deadline: `lateness_tracked`, see deadlines.tracked). `unit_ids`:
        only these units (a branch reviewer's: `branch_unit_ids`); None: every active unit."""
        today = today or dl.today()
        q = (select(UnitRow, SubmissionRow).join(SubmissionRow, (SubmissionRow.unit_id == UnitRow.id)
                                                 & (SubmissionRow.year == year), isouter=True)
             .where(UnitRow.active.is_(True)).order_by(UnitRow.name, UnitRow.id))
        if unit_ids is not None:
            q = q.where(UnitRow.id.in_(sorted(unit_ids)))
        with self.engine.connect() as conn:
            rows = orm_rows(conn, q)
            period, opened = self._period_deadlines(conn, year)
        out = []
        for r in rows:
            u, s = r.UnitRow, r.SubmissionRow
            status = s.status if s is not None else "pending"
            deadline = dl.deadline_for(u.level, year, period)
            counted = dl.tracked(opened, deadline)
            late, days = (dl.lateness(deadline, s.submitted_at if s is not None else None, today) if counted
                          else (False, None))
            out.append({"unit_id": u.id, "unit_name": u.name, "level": u.level, "status": status,
                        "status_label": STATUS_LABELS[status], "deadline": deadline.isoformat(),
                        "submitted_at": s.submitted_at if s is not None else None, "late": late,
                        "days_late": days, "lateness_tracked": counted,
                        "submission_id": s.id if s is not None else None})
        rank = {lv: i for i, lv in enumerate(dl.levels())}
        return sorted(out, key=lambda r: rank.get(r["level"], len(rank)))  # 省 first, no level last

    def report_statuses(self) -> list[dict]:
        """Every submitted version in one query: report_id, submission_id, the submission's status,
        its current report (current_id) and unit name."""
        q = (select(VersionRow.report_id, VersionRow.submission_id, SubmissionRow.status,
                    SubmissionRow.report_id.label("current_id"), UnitRow.name.label("unit_name"))
             .join(SubmissionRow, VersionRow.submission_id == SubmissionRow.id)
             .join(UnitRow, SubmissionRow.unit_id == UnitRow.id).order_by(VersionRow.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def original_name(self, report_id: int) -> str | None:
        """The uploaded file's name (without reading its bytes), or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(UploadRow.filename).where(UploadRow.report_id == report_id)).scalar()

    def original(self, report_id: int) -> tuple[str, bytes] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UploadRow.filename, UploadRow.content)
                               .where(UploadRow.report_id == report_id)).first()
        return (row.filename, bytes(row.content)) if row else None
