"""Who may read which report (mixed into fazhi.cycle.service.Cycle; rules in fazhi/cycle/__init__.py):
admins and reviewers every report; a unit account every version of its own submissions and the current
version of published ones; a visitor the current version of published submissions."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fazhi.corpus.models import ReportRow
from fazhi.cycle.models import SubmissionRow, VersionRow
from fazhi.cycle.status import REVIEW_ROLES


class AccessMixin:
    engine: Any

    def _published_ids(self, conn) -> set[int]:
        q = select(SubmissionRow.report_id).where(SubmissionRow.status == "published",
                                                  SubmissionRow.report_id.is_not(None))
        return set(conn.execute(q).scalars())

    def readable_report_ids(self, user: dict | None) -> set[int] | None:
        """Report ids `user` may read; None means every report (admin, reviewer)."""
        actor = self._actor(user)
        if actor is not None and actor["role"] in REVIEW_ROLES:
            return None
        with self.engine.connect() as conn:
            ids = self._published_ids(conn)
            if actor is not None and actor["role"] == "unit" and actor["unit_id"] is not None:
                own = select(VersionRow.report_id).join(SubmissionRow, VersionRow.submission_id == SubmissionRow.id
                                                        ).where(SubmissionRow.unit_id == actor["unit_id"])
                ids |= set(conn.execute(own).scalars())
        return ids

    def can_read(self, user: dict | None, report_id: int) -> bool:
        ids = self.readable_report_ids(user)
        if ids is None:
            with self.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(ReportRow)
                                    .where(ReportRow.id == report_id)).scalar_one() > 0
        return report_id in ids
