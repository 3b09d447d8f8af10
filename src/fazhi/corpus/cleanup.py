"""Removing a report without leaving its submission behind (fazhi.cycle tables live in the same
database): the submission points at its latest remaining version, or goes back to 待提交 with no
report; each change and the removal itself are written to the audit log, naming who did it (the
operating-system user when it is a command)."""
from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "未知用户"


def cli_actor() -> str:
    """How a command-line action is named in the audit log."""
    return f"{os_user()}（命令行）"[:64]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def remove_report(conn, report_id: int, *, by: str | None = None, audit: bool = True) -> bool:
    """Delete report `report_id` on `conn` (inside a transaction) and repair its submissions."""
    from sqlalchemy import delete, insert, select, update

    from fazhi.corpus.models import ReportRow
    from fazhi.cycle.models import AuditRow, SubmissionRow, VersionRow

    sids = set(conn.execute(select(VersionRow.submission_id).where(VersionRow.report_id == report_id)).scalars())
    sids |= set(conn.execute(select(SubmissionRow.id).where(SubmissionRow.report_id == report_id)).scalars())
    gone = conn.execute(delete(ReportRow).where(ReportRow.id == report_id)).rowcount > 0
    if not gone:
        return False
    at = _now()
    actor = by or cli_actor()
    log = []
    for sid in sorted(sids):
        sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == sid)).first()
        if sub is None:
            continue
        latest = conn.execute(select(VersionRow.report_id).where(VersionRow.submission_id == sid)
                              .order_by(VersionRow.seq.desc()).limit(1)).scalar()
        if latest is None:
            values = {"report_id": None, "status": "pending", "submitted_at": None, "updated_at": at}
        elif sub.report_id in (None, report_id):
            status = "submitted" if sub.status in ("approved", "published") else sub.status
            values = {"report_id": latest, "status": status, "updated_at": at}
        else:
            continue
        conn.execute(update(SubmissionRow).where(SubmissionRow.id == sid).values(**values))
        if values["status"] != sub.status:
            log.append((f"submission:{sid}", "status", {"from": sub.status, "to": values["status"],
                                                         "via": "remove", "report_id": report_id}))
    if audit:
        log.insert(0, (f"report:{report_id}", "report.remove", {"report_id": report_id,
                                                                "submissions": sorted(sids)}))
        ua = "fazhi 命令行" if by is None else None
        conn.execute(insert(AuditRow), [{"at": at, "user_id": None, "username": actor, "action": action,
                                         "target": target, "detail": detail, "ip": None, "user_agent": ua}
                                        for target, action, detail in log])
    return True
