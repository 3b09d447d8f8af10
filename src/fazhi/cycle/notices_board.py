"""The status board of a report year (/periods) and the data of its 通报 draft — part of `Cycle`
through NoticesMixin (fazhi/cycle/notices.py).

Board counts (per level and in total), decided here:
- on_time / late: by the FIRST submission (submissions.submitted_at) against the unit's deadline;
  a unit that withdrew counts from its resubmission (withdrawing clears submitted_at, lifecycle.py).
- not_submitted: never submitted (no submitted_at); overdue: of those, past the deadline.
- per status: the submission's current status (every status of cycle/status.py, 待提交 when none).
- publish_overdue: 已通过 but not 已公开 after the level's publication deadline (rubric
  deadlines.<level>.publish of the next year).
A row's "late" is therefore "submitted late" (the overview's "late" also covers units not yet
submitted: those are "overdue" here); "days_late" keeps the overview's meaning for both.
Lateness counts only in a period opened by its deadline (fazhi.cycle.deadlines.tracked).
Inactive or merged units are left out; a reviewer limited to a branch (branch_unit_ids) sees it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from fazhi.cycle import deadlines as dl
from fazhi.cycle.lifecycle import publish_deadline  # the rubric's deadlines.<level>.publish
from fazhi.cycle.models import UnitRow
from fazhi.cycle.status import STATUS_LABELS

COUNT_LABELS: dict[str, str] = {"units": "单位数", "on_time": "按期报送", "late": "逾期报送",
                                "not_submitted": "未报送", "overdue": "逾期未报送",
                                "publish_overdue": "通过后逾期未公开"}
NO_LEVEL = "未定层级"


def row_flags(row: dict, today: date) -> dict[str, bool]:
    """The board's categories of one overview row (see the module docstring)."""
    from fazhi.cycle.notices import REMINDABLE

    submitted = row["submitted_at"] is not None
    tracked = row["lateness_tracked"]
    past = tracked and today > date.fromisoformat(row["deadline"])
    published_by = publish_deadline(row["level"], row["year"])
    return {"on_time": submitted and not row["late"], "late": submitted and row["late"],
            "not_submitted": not submitted, "overdue": not submitted and bool(row["late"]),
            "publish_overdue": tracked and row["status"] == "approved" and today > published_by,
            "due_reminder": past and row["status"] in REMINDABLE}


def empty_counts() -> dict[str, int]:
    return {**{k: 0 for k in COUNT_LABELS}, **{s: 0 for s in STATUS_LABELS}}


def add_counts(counts: dict[str, int], row: dict) -> None:
    counts["units"] += 1
    for key in ("on_time", "late", "not_submitted", "overdue", "publish_overdue"):
        counts[key] += int(row[key])
    counts[row["status"]] = counts.get(row["status"], 0) + 1


class NoticesBoardMixin:
    engine: Any

    def board(self, user: dict | None, year: int, today: date | None = None) -> dict:
        """The status board of `year`: one row per active unit (overview + flags + last 催报 + unread
        messages) and counts per level and in total."""
        actor = self._reviewer(user)
        today = today or dl.today()
        branch = self.branch_unit_ids(actor)
        with self.engine.connect() as conn:
            units = {u.id: u for u in conn.execute(select(UnitRow.id, UnitRow.active, UnitRow.merged_into_id,
                                                          UnitRow.email))}
        stats = self.message_stats(year)
        rows = []
        for r in self.overview(year, today):
            u = units.get(r["unit_id"])
            if u is None or not u.active or u.merged_into_id is not None or (branch is not None
                                                                              and r["unit_id"] not in branch):
                continue
            s = stats.get(r["unit_id"], {})
            row = {**r, "year": year, "email": u.email}
            row.update(row_flags(row, today), publish_deadline=publish_deadline(r["level"], year).isoformat(),
                       last_reminded=s.get("last_reminded"), reminders=s.get("reminders", 0),
                       last_email=s.get("last_email"),
                       messages_sent=s.get("sent", 0), unread=s.get("unread", 0))
            rows.append(row)
        total, levels = empty_counts(), {}
        for row in rows:
            add_counts(total, row)
            add_counts(levels.setdefault(row["level"] or NO_LEVEL, empty_counts()), row)
        order = [*dl.levels(), NO_LEVEL]
        return {"year": year, "today": today.isoformat(), "rows": rows, "total": total,
                "levels": [{"level": lv, **levels[lv]} for lv in order if lv in levels],
                "due_reminder": sum(r["due_reminder"] for r in rows)}

    def circular_data(self, user: dict | None, year: int, today: date | None = None) -> dict:
        """What the 通报 draft lists, by level: units that submitted late (days late), never submitted
        past the deadline, and 已通过 but unpublished past the publication deadline; with counts."""
        today = today or dl.today()
        board = self.board(user, year, today)
        groups = []
        for lv in [*dl.levels(), NO_LEVEL]:
            mine = [r for r in board["rows"] if (r["level"] or NO_LEVEL) == lv]
            if not mine:
                continue
            late = [{"unit": r["unit_name"], "deadline": r["deadline"], "days": r["days_late"],
                     "submitted_at": r["submitted_at"]} for r in mine if r["late"] and r["submitted_at"]]
            missing = [{"unit": r["unit_name"], "deadline": r["deadline"], "days": r["days_late"]}
                       for r in mine if r["overdue"]]
            unpublished = [{"unit": r["unit_name"], "deadline": r["publish_deadline"],
                            "days": (today - date.fromisoformat(r["publish_deadline"])).days}
                           for r in mine if r["publish_overdue"]]
            groups.append({"level": lv, "units": len(mine), "on_time": sum(r["on_time"] for r in mine),
                           "late": late, "missing": missing, "unpublished": unpublished})
        t = board["total"]
        return {"year": year, "today": today.isoformat(), "groups": groups, "units": t["units"],
                "on_time": t["on_time"], "late": t["late"], "missing": t["overdue"],
                "unpublished": t["publish_overdue"]}
