"""The report page's 整改 panel data: a unit's outstanding issues, each with what this version of
its report has where the issue's words were (fazhi.cycle.rectify_match, cached per version)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fazhi.cycle.rectify_match import CACHE, Located, locate


def cache_key(issue: dict, report_id: int, new_text: str) -> tuple:
    """What a located span depends on: the issue (its creation time tells databases apart) and the
    new version's text (a stored report's text never changes)."""
    return (issue["id"], issue["created_at"], issue["report_id"], issue["start"], issue["end"], issue["quote"],
            report_id, len(new_text), hash(new_text))


def located_in(issue: dict, report_id: int, new_text: str, old_texts: dict[int, str]) -> Located:
    """Where `issue`'s words are in report `report_id` (its own report: where it was raised)."""
    if issue["report_id"] == report_id:
        return Located(issue["start"], issue["end"], issue["quote"] or "", "same", None)
    key = cache_key(issue, report_id, new_text)
    found = CACHE.get(key)
    if found is None:
        found = locate(old_texts.get(issue["report_id"]), issue["start"], issue["end"], issue["quote"], new_text)
        CACHE.put(key, found)
    return found


def texts(cycle: Any, ids: set[int]) -> dict[int, str]:
    from fazhi.corpus.models import ReportRow

    if not ids:
        return {}
    with cycle.engine.connect() as conn:
        return dict(conn.execute(select(ReportRow.id, ReportRow.text).where(ReportRow.id.in_(ids))).all())


def build_view(cycle: Any, user: dict | None, sub: dict, report_id: int) -> dict:
    """{"items": outstanding issues located in this version, "done": this submission's fixed and
    closed issues, "reviewer", "submission_id", "year", "report_id", "counts"}."""
    from fazhi.cycle.rectify import STATE_LABELS, STATE_MOVES

    outstanding = cycle.rectifications(user, unit_id=sub["unit_id"], through_year=sub["year"], state="outstanding")
    done = [i for i in cycle.rectifications(user, submission_id=sub["id"]) if i["state"] in ("fixed", "closed")]
    new_text = texts(cycle, {report_id}).get(report_id, "")
    found = texts(cycle, {i["report_id"] for i in outstanding if i["quote"] and i["report_id"] not in (None, report_id)
                          and CACHE.get(cache_key(i, report_id, new_text)) is None})
    items = []
    for issue in outstanding:
        at = located_in(issue, report_id, new_text, found)
        items.append({**issue, "now": at.as_dict(), "earlier_year": issue["year"] < sub["year"],
                      "moves": [(s, STATE_LABELS[s]) for s in ("fixed", "unfixed", "open")
                                if s in STATE_MOVES[issue["state"]]]})
    for issue in done:
        issue["moves"] = [(s, STATE_LABELS[s]) for s in ("closed", "unfixed", "open")
                          if s in STATE_MOVES[issue["state"]]]
    counts = {s: 0 for s in STATE_LABELS}
    for i in items + done:
        counts[i["state"]] += 1
    return {"items": items, "done": done, "reviewer": cycle.can_review(user), "submission_id": sub["id"],
            "unit_id": sub["unit_id"],
            "year": sub["year"], "report_id": report_id, "current": sub.get("report_id") == report_id,
            "counts": counts, "overdue": sum(1 for i in items if i["overdue"])}
