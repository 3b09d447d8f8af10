"""Issues raised by a return (the listener's work, fazhi.cycle.rectify.on_event): the return's
comments and the report's accepted machine findings become open issues of the unit."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from fazhi.cycle.models_office import FindingReviewRow, RectificationRow
from fazhi.cycle.opinion_score import finding_key  # the key H3's verdicts are stored under
from fazhi.cycle.rectify import MAX_BODY, OUTSTANDING, rectify_days


def raise_issues(cycle: Any, conn: Any, event: dict) -> int:
    """Issues from a return's comments and the report's accepted findings; the number made."""
    from fazhi.cycle.accounts import now
    from fazhi.cycle.deadlines import today
    from fazhi.cycle.models import CommentRow

    at, actor = now(), event.get("actor") or {}
    due = today() + timedelta(days=rectify_days(conn))
    base = {"unit_id": event["unit_id"], "year": event["year"], "submission_id": event["submission_id"],
            "state": "open", "due": due, "created_by": actor.get("id"), "created_at": at, "updated_at": at,
            "rule": None, "finding_key": None, "comment_id": None}  # every row the same keys (one executemany)
    rows = []
    ids = list(event.get("comment_ids") or [])
    if ids:
        for c in conn.execute(select(CommentRow).where(CommentRow.id.in_(ids)).order_by(CommentRow.id)):
            rows.append({**base, "source": "comment", "comment_id": c.id, "report_id": c.report_id,
                         "start": c.start, "end": c.end, "quote": c.quote, "body": c.body})
    rows += finding_issues(conn, event, base)
    if rows:
        conn.execute(insert(RectificationRow), rows)
        cycle._audit(conn, actor or None, "rectify.raise", f"submission:{event['submission_id']}",
                     {"issues": len(rows), "comments": sum(r["source"] == "comment" for r in rows),
                      "findings": sum(r["source"] == "finding" for r in rows), "due": due.isoformat()})
    return len(rows)


def finding_issues(conn: Any, event: dict, base: dict) -> list[dict]:
    """Rows for the findings accepted on the returned report, less those already raised (the same
    finding of this report, or the same rule and words still outstanding for the unit)."""
    from fazhi.corpus.models import ReportRow

    rid = event.get("report_id")
    keys = dict(conn.execute(select(FindingReviewRow.finding_key, FindingReviewRow.rule).where(
        FindingReviewRow.report_id == rid, FindingReviewRow.verdict == "accepted")).all())
    if not keys:
        return []
    R = RectificationRow
    done = set(conn.execute(select(R.finding_key).where(R.report_id == rid, R.source == "finding")).scalars())
    outstanding = set(conn.execute(select(R.rule, R.quote).where(
        R.unit_id == event["unit_id"], R.source == "finding", R.state.in_(OUTSTANDING))).all())
    row = conn.execute(select(ReportRow.text, ReportRow.analysis).where(ReportRow.id == rid)).first()
    if row is None:
        return []
    out = []
    for f in (row.analysis or {}).get("findings") or []:
        key = finding_key(f)
        if key not in keys or key in done:
            continue
        start, end = f.get("start"), f.get("end")
        quote = row.text[start:end] if start is not None and end is not None else None
        if (f.get("rule"), quote) in outstanding:
            continue
        body = f.get("message") or f.get("rule") or ""
        if f.get("suggestion"):
            body += f"（建议：{f['suggestion']}）"
        out.append({**base, "source": "finding", "comment_id": None, "rule": f.get("rule"), "finding_key": key,
                    "report_id": rid, "start": start, "end": end, "quote": quote, "body": body[:MAX_BODY]})
        done.add(key)
    return out
