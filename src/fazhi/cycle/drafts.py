"""A unit's self-check drafts (自查草稿, issue 14 item 8): analysed like a report (in a worker
process: fazhi.web.worker "draft"), stored in `drafts` with the text and the analysis, and never
filed: not in the corpus, copies, rankings or any office page. Only the unit's own accounts read,
list or delete them; for anyone else a draft does not exist (None → 404)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select

from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models_office import DraftRow

MAX_DRAFTS = 50  # per unit: old drafts must be deleted before more are checked


def draft_summary(analysis: dict) -> dict[str, Any]:
    findings = analysis.get("findings") or []
    meta = analysis.get("metadata") or {}
    return {"score": (analysis.get("score") or {}).get("total"), "findings": len(findings),
            "errors": sum(1 for f in findings if f.get("severity") == "error"),
            "title": meta.get("title"), "report_year": meta.get("report_year")}


class DraftsMixin:
    engine: Any

    def _draft_unit(self, user: dict | None) -> dict:
        actor = self._require(user)
        if actor["role"] != "unit" or actor["unit_id"] is None:
            raise AccessDenied("只有报送单位账号可以使用自查草稿。")
        return actor

    def add_draft(self, user: dict | None, filename: str, text: str, analysis: dict) -> dict:
        """Store an analysed draft of the user's unit (analysis without text: fazhi.web.worker)."""
        from fazhi.cycle.accounts import now
        from fazhi.cycle.filing import _safe_name

        actor = self._draft_unit(user)
        with self.engine.begin() as conn:
            held = conn.execute(select(func.count()).select_from(DraftRow)
                                .where(DraftRow.unit_id == actor["unit_id"])).scalar_one()
            if held >= MAX_DRAFTS:
                raise CycleError(f"自查草稿已达 {MAX_DRAFTS} 份上限，请先删除不再需要的草稿。")
            did = conn.execute(insert(DraftRow).returning(DraftRow.id), {
                "unit_id": actor["unit_id"], "user_id": actor["id"], "filename": _safe_name(filename),
                "text": text, "analysis": analysis, "created_at": now()}).scalar_one()
            self._audit(conn, actor, "draft.add", f"draft:{did}", {"chars": len(text)})
        return {"id": did, "filename": _safe_name(filename), **draft_summary(analysis)}

    def drafts(self, user: dict | None) -> list[dict]:
        """The unit's drafts, newest first (no text)."""
        actor = self._draft_unit(user)
        with self.engine.connect() as conn:
            rows = conn.execute(select(DraftRow.id, DraftRow.filename, DraftRow.created_at, DraftRow.analysis)
                                .where(DraftRow.unit_id == actor["unit_id"]).order_by(DraftRow.id.desc())).all()
        return [{"id": r.id, "filename": r.filename, "created_at": r.created_at, **draft_summary(r.analysis or {})}
                for r in rows]

    def draft(self, user: dict | None, draft_id: int) -> dict | None:
        """One draft (text and analysis) for its unit's accounts; None for anyone else."""
        actor = self._actor(user)
        if actor is None or actor["role"] != "unit" or actor["unit_id"] is None:
            return None
        with self.engine.connect() as conn:
            d = conn.execute(select(*DraftRow.__table__.columns).where(
                DraftRow.id == draft_id, DraftRow.unit_id == actor["unit_id"])).first()
        if d is None:
            return None
        return {"id": d.id, "filename": d.filename, "created_at": d.created_at, "text": d.text,
                "analysis": d.analysis, **draft_summary(d.analysis or {})}

    def delete_draft(self, user: dict | None, draft_id: int) -> None:
        actor = self._draft_unit(user)
        with self.engine.begin() as conn:
            gone = conn.execute(delete(DraftRow).where(DraftRow.id == draft_id,
                                                       DraftRow.unit_id == actor["unit_id"])).rowcount
            if not gone:
                raise CycleError("草稿不存在或已删除。")
            self._audit(conn, actor, "draft.delete", f"draft:{draft_id}", None)
