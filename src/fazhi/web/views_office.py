"""The office's numbers on the report list (issue 14 item 6): final score, lateness, version, 沿用比例,
抄用比例 and open issues added to fazhi.web.views.corpus_rows' rows, filtered and sorted on the server
by the list's Filters (views.Filters). Lateness, versions, shares and issues are the office's: shown to
reviewers and to the unit itself. Shares not stored yet are computed once each in the background.
"""
from __future__ import annotations

from typing import Any

from fazhi.cycle.ranking import best_score

# column → (label, value of a row to sort by); None values sort last whatever the order
SORT_KEYS: dict[str, tuple[str, Any]] = {
    "score": ("得分", lambda r: r.get("score")),
    "late": ("逾期天数", lambda r: r["days_late"] if r.get("days_late") is not None
             else 0 if r.get("submission_id") else None),
    "recycled": ("沿用比例", lambda r: r.get("recycled_share")),
    "issues": ("待整改问题", lambda r: r.get("open_issues")),
    "year": ("年度", lambda r: r.get("report_year")),
}


def office_numbers(cycle: Any, user: dict | None, rows: list[dict]) -> None:
    """Add to each row: machine_score, final score (score), lateness, version, 沿用/抄用比例, open issues.
    Lateness, versions and open issues are the office's: shown to reviewers and to the unit itself."""
    subs = {s["id"]: s for s in cycle.submissions()} if any(r.get("submission_id") for r in rows) else {}
    final = cycle.final_scores([r["submission_id"] for r in rows if r.get("submission_id")])
    rec = cycle.recycling_stored([r["id"] for r in rows])
    missing = [r["id"] for r in rows if r.get("submission_id") and r["id"] not in rec]
    if missing:  # computed once each, in the background (fazhi.web.outputs_batch)
        from fazhi.web.outputs_batch import BACKFILL

        BACKFILL.queue(cycle, missing)
    reviewer = bool(user and cycle.can_review(user))
    own = user.get("unit_id") if user else None
    unit_ids = {s["unit_id"] for s in subs.values()}
    issues = cycle.open_issue_counts(sorted(unit_ids)) if unit_ids and (reviewer or own) else None
    for r in rows:
        s = subs.get(r.get("submission_id"))
        mine = s is not None and (reviewer or s["unit_id"] == own)
        r["machine_score"] = r.get("score")
        x = rec.get(r["id"]) if (reviewer or mine) else None
        if r.get("submission_id") in final or x is not None:
            r["score"] = best_score(final.get(r.get("submission_id")), r["machine_score"], x)
        r["unit_id"] = s["unit_id"] if s else None
        r["late"] = bool(s and mine and s["late"])
        r["days_late"] = s["days_late"] if s and mine else None
        r["lateness_tracked"] = bool(s and mine and s["lateness_tracked"])
        r["version"] = len(s["versions"]) if s and mine else None
        r["recycled_share"] = x["recycled_share"] if x else None
        r["copied_share"] = x["copied_share"] if x else None
        r["recycling_level"] = x["level"] if x else None  # set once the shares are computed
        r["open_issues"] = (issues or {}).get(s["unit_id"], 0) if s and mine and issues is not None else None


def office_filtered(rows: list[dict], flt: Any) -> list[dict]:
    def keep(r: dict) -> bool:
        score = r.get("score")
        if flt.min_score is not None and (score is None or score < flt.min_score):
            return False
        if flt.max_score is not None and (score is None or score > flt.max_score):
            return False
        if flt.late is not None and bool(r.get("late")) != flt.late:
            return False
        if flt.min_recycled is not None and (r.get("recycled_share") is None
                                             or r["recycled_share"] * 100 < flt.min_recycled - 1e-9):
            return False
        if flt.issues is not None and bool(r.get("open_issues")) != flt.issues:
            return False
        return True

    return [r for r in rows if keep(r)]


def sort_rows(rows: list[dict], flt: Any) -> list[dict]:
    """Rows by the chosen column (rows without a value last, either order), else as stored."""
    if flt.sort not in SORT_KEYS:
        return rows
    value = SORT_KEYS[flt.sort][1]
    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    known.sort(key=lambda r: (value(r), -r["id"]), reverse=flt.order_of(flt.sort) == "desc")
    return known + unknown
