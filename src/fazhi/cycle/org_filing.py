"""Filing a reviewer's upload whose issuer names no known unit (issue 14 item 9): the analysed report stays
stored but unfiled (its original bytes kept in `uploads`, no submission version) until a reviewer puts it
under an existing unit or a new one — nothing is created silently, nothing is lost (`pending_filings`).

Part of `Cycle` through OrganisationMixin. The upload's requested year and uploader are kept in the audit
row "upload.pending" (target report:<id>).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from fazhi.cycle import deadlines as dl
from fazhi.cycle.errors import CycleError
from fazhi.cycle.models import AuditRow, UnitRow, UploadRow, VersionRow

MAX_CANDIDATES = 5
MIN_SCORE = 45.0


class UnitUnknown(CycleError):
    """The report's issuer is no unit's exact name: the reviewer must choose (candidates best first)."""

    def __init__(self, issuer: str, candidates: list[dict]):
        shown = issuer or "（未识别）"
        super().__init__(f"未找到单位「{shown}」：请归入已有单位或新建单位。")
        self.issuer = issuer
        self.candidates = candidates


def rank_candidates(issuer: str, key: str | None, units: list[dict], limit: int = MAX_CANDIDATES) -> list[dict]:
    """Units that may be the issuer, best first: the same unit_key, then names alike (rapidfuzz)."""
    from rapidfuzz import fuzz

    scored = []
    for u in units:
        same_key = bool(key) and u.get("unit_key") == key
        score = 100.0 if same_key else (fuzz.WRatio(issuer, u["name"]) if issuer else 0.0)
        if same_key or score >= MIN_SCORE:
            scored.append({"id": u["id"], "name": u["name"], "level": u["level"], "score": round(score, 1),
                           "reason": "同一单位标识" if same_key else f"名称相似度 {round(score)}%"})
    scored.sort(key=lambda c: (-c["score"], c["name"]))
    return scored[:limit]


class FilingMixin:
    engine: Any

    def unit_candidates(self, issuer: str, key: str | None = None) -> list[dict]:
        """Active units that may be `issuer` (see rank_candidates)."""
        units = [u for u in self.units() if u["active"] and u["merged_into_id"] is None]
        return rank_candidates((issuer or "").strip(), key, units)

    def _known_unit(self, conn, row: dict) -> dict | None:
        """The unit a report goes to without asking: the one it is already filed under, else the unit whose
        name is exactly its issuer (followed to the unit it was merged into)."""
        uid = row.get("unit_id")
        issuer = (row.get("issuer") or "").strip()
        if uid is None and issuer:
            uid = conn.execute(select(UnitRow.id).where(UnitRow.name == issuer)).scalar()
        seen: set[int] = set()
        while uid is not None and uid not in seen:
            seen.add(uid)
            nxt = conn.execute(select(UnitRow.merged_into_id).where(UnitRow.id == uid)).scalar()
            if nxt is None:
                return self.unit(uid)
            uid = nxt
        return None

    def _ask_unit(self, row: dict, key: str | None) -> dict:
        """The unit to file under, else UnitUnknown with the candidates (a reviewer upload never makes a unit)."""
        with self.engine.connect() as conn:
            found = self._known_unit(conn, row)
        if found is not None:
            return found
        issuer = (row.get("issuer") or "").strip()
        raise UnitUnknown(issuer, self.unit_candidates(issuer, key))

    def hold_upload(self, actor: dict, name: str, data: bytes, rid: int, year: int | None, why: UnitUnknown,
                    added: bool = True) -> dict:
        """Keep an analysed upload unfiled until a reviewer chooses its unit; what the upload answers.
        `added`: the upload stored the report (False: the corpus had it already, so discarding keeps it)."""
        with self.engine.begin() as conn:
            if conn.execute(select(UploadRow.report_id).where(UploadRow.report_id == rid)).first() is None:
                conn.execute(insert(UploadRow), {"report_id": rid, "filename": name, "content": bytes(data)})
            self._audit(conn, actor, "upload.pending", f"report:{rid}",
                        {"filename": name, "report_id": rid, "year": year, "issuer": why.issuer, "added": added})
        return {"needs_unit": True, "report_id": rid, "issuer": why.issuer, "candidates": why.candidates,
                "year": year, "message": str(why)}

    def pending_filings(self, user: dict | None, *, report_id: int | None = None) -> list[dict]:
        """Uploads waiting for a reviewer to choose their unit, newest first (reviewers only); `report_id`:
        that one only."""
        self._reviewer(user)
        from fazhi.corpus.models import ReportRow

        filed = select(VersionRow.report_id).where(VersionRow.report_id == UploadRow.report_id).exists()
        q = (select(UploadRow.report_id, UploadRow.filename, ReportRow.issuer, ReportRow.unit_key,
                    ReportRow.report_year, ReportRow.title)
             .join(ReportRow, ReportRow.id == UploadRow.report_id).where(~filed).order_by(UploadRow.report_id.desc()))
        if report_id is not None:
            q = q.where(UploadRow.report_id == report_id)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
            notes = self._pending_notes(conn, [r["report_id"] for r in rows])
        out = []
        for r in rows:
            note = notes.get(r["report_id"], {})
            key = r["unit_key"] if r["unit_key"] and not r["unit_key"].startswith("sha:") else None
            out.append({**r, "year": note.get("year") or r["report_year"], "uploaded_by": note.get("username"),
                        "uploaded_at": note.get("at"), "candidates": self.unit_candidates(r["issuer"] or "", key)})
        return out

    def _pending_notes(self, conn, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        q = (select(AuditRow.target, AuditRow.detail, AuditRow.username, AuditRow.at)
             .where(AuditRow.action == "upload.pending", AuditRow.target.in_([f"report:{i}" for i in ids]))
             .order_by(AuditRow.id))
        out = {}
        for r in conn.execute(q):
            out[int(r.target.split(":")[1])] = {**(r.detail or {}), "username": r.username, "at": r.at}
        return out

    def _pending(self, conn, report_id: int) -> tuple[str, bytes, dict]:
        from fazhi.corpus.models import ReportRow

        up = conn.execute(select(UploadRow.filename, UploadRow.content).where(UploadRow.report_id == report_id)).first()
        filed = conn.execute(select(VersionRow.id).where(VersionRow.report_id == report_id).limit(1)).first()
        if up is None or filed is not None:
            raise CycleError(f"报告 {report_id} 不在待归档列表中（已归档或不存在）。")
        row = conn.execute(select(ReportRow.issuer, ReportRow.level, ReportRow.unit_key, ReportRow.report_year)
                           .where(ReportRow.id == report_id)).one()
        return up.filename, bytes(up.content), dict(row._mapping)

    def file_pending(self, user: dict | None, report_id: int, *, unit_id: int | None = None, new_unit: bool = False,
                     name: str | None = None, year: int | None = None) -> dict:
        """File a waiting upload under unit `unit_id`, or under a new unit (`new_unit`: named `name`, else
        the report's issuer) — the reviewer's choice. Refused filings leave it waiting."""
        actor = self._reviewer(user)
        if (unit_id is None) == (not new_unit):
            raise CycleError("请选择归入的单位，或选择新建单位。")
        with self.engine.connect() as conn:
            filename, data, row = self._pending(conn, report_id)
            year = year or self._pending_notes(conn, [report_id]).get(report_id, {}).get("year") or row["report_year"]
        if not dl.valid_year(year):
            raise CycleError(f"{filename}：未能识别报告年度，请指定年度。")
        if new_unit:
            title = (name or row["issuer"] or "").strip()
            if not title:
                raise CycleError("请填写新单位的名称。")
            key = row["unit_key"] if row["unit_key"] and not row["unit_key"].startswith("sha:") else None
            unit_id = self.add_unit(title[:255], level=row["level"] if row["level"] in dl.levels() else None,
                                    unit_key=key, by=actor)["id"]
        elif self.unit(unit_id) is None:
            raise CycleError(f"单位不存在（编号 {unit_id}）。")
        return self._file(actor, filename, data, report_id, True, unit_id, year)

    def discard_pending(self, user: dict | None, report_id: int) -> None:
        """Delete a waiting upload (reviewers): the report leaves the corpus (unless it was there before the
        upload: then only the uploaded file goes), audited."""
        actor = self._reviewer(user)
        from fazhi.corpus.cleanup import remove_report

        with self.engine.begin() as conn:
            filename, _, _ = self._pending(conn, report_id)
            if self._pending_notes(conn, [report_id]).get(report_id, {}).get("added", True):
                self.corpus._delete_units(conn, report_id)  # as CorpusStore.remove, in this action's transaction
                remove_report(conn, report_id, audit=False)
            else:
                conn.execute(delete(UploadRow).where(UploadRow.report_id == report_id))
            self._audit(conn, actor, "upload.discard", f"report:{report_id}", {"filename": filename,
                                                                             "report_id": report_id})
