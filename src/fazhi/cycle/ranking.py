"""沿用比例、排名、单位画像 (issue 14 items 4 and 6) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

    cycle.year_board(user, 2024)            # one row per submission of the year: score, lateness, 沿用比例, issues
    cycle.ranking(user, 2024, level="乡镇街道")   # {level: rows ranked by score}
    cycle.unit_profile(user, unit_id)       # a unit's reports, scores and open issues over the years

The score of a report is the reviewer's final score (opinions.final_score, after 误报, 沿用 and the
reviewer's adjustment) when set, else the machine score stored with the analysis (read from the
stored JSON by the database: no analysis is loaded or recomputed) less the 沿用/抄用 deduction. Ranks are competition ranks per
level (equal scores share a rank: 1, 2, 2, 4). Inactive units are left out of boards and rankings;
a reviewer attached to an office sees its branch (`branch_unit_ids`, when organisation provides it).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from fazhi.corpus.models import ReportRow
from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models import SubmissionRow, UnitRow, UserRow
from fazhi.cycle.models_office import OpinionRow
from fazhi.cycle.recycling import RecyclingMixin

NO_LEVEL = "未定层级"
OPEN_STATES = ("open", "unfixed")  # 待整改, 未整改: what the unit still has to fix
UNRANKED = frozenset({"pending", "withdrawn"})  # no report to rank (statuses: fazhi.cycle.status)


def competition_ranks(scores: list[float | None]) -> list[int | None]:
    """Ranks of scores already sorted best first: equal scores share a rank (1, 2, 2, 4); None unranked."""
    out: list[int | None] = []
    prev: float | None = None
    rank = 0
    for i, s in enumerate(scores):
        if s is None:
            out.append(None)
            continue
        if prev is None or s != prev:
            rank = i + 1
        prev = s
        out.append(rank)
    return out


def best_score(final: float | None, machine: float | None, recycling: dict | None) -> float | None:
    """The reviewer's final score when set, else the machine score less the 沿用/抄用 deduction."""
    if final is not None:
        return round(float(final), 1)
    if machine is None:
        return None
    return round(max(0.0, float(machine) - float((recycling or {}).get("deduction") or 0)), 1)


def sort_by_score(rows: list[dict]) -> list[dict]:
    """Best score first; unscored last; ties by lateness (on time first), then unit name."""
    return sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r.get("days_late") or 0,
                                       r.get("unit_name") or ""))


class RankingMixin(RecyclingMixin):
    engine: Any

    # ------------------------------------------------------------ scores
    def machine_scores(self, report_ids: list[int]) -> dict[int, float | None]:
        """The score total stored with each report (its own column: the analysis is stored packed)."""
        out: dict[int, float | None] = {}
        ids = sorted(set(report_ids))
        total = ReportRow.score_total
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                for r in conn.execute(select(ReportRow.id, total).where(ReportRow.id.in_(ids[i:i + 500]))):
                    out[r[0]] = r[1]
        return out

    def final_scores(self, submission_ids: list[int]) -> dict[int, float]:
        """submission id → opinions.final_score, where the reviewer's opinion set one."""
        ids = sorted(set(submission_ids))
        out: dict[int, float] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = select(OpinionRow.submission_id, OpinionRow.final_score).where(
                    OpinionRow.submission_id.in_(ids[i:i + 500]), OpinionRow.final_score.is_not(None))
                out.update({r.submission_id: r.final_score for r in conn.execute(q)})
        return out

    def open_issue_counts(self, unit_ids: list[int] | None = None, year: int | None = None) -> dict[int, int] | None:
        """unit id → issues still to fix (待整改 + 未整改) from the 问题池."""
        counts = self.rectification_counts(unit_ids=unit_ids, year=year)
        return {uid: sum(c.get(s, 0) for s in OPEN_STATES) for uid, c in counts.items()}

    # ------------------------------------------------------------ the year's board
    def inactive_unit_ids(self) -> set[int]:
        """Units switched off (left out of boards, rankings and the 通报)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(UnitRow.id).where(UnitRow.active.is_(False))).scalars())

    def review_circular_data(self, user: dict | None, year: int, today: date | None = None) -> dict:
        """The 审查情况通报 of `year` as data (fazhi.cycle.ranking_circular; reviewers only)."""
        from fazhi.cycle.ranking_circular import circular_data

        return circular_data(self, user, year, today)

    def year_board(self, user: dict | None, year: int, *, level: str | None = None,
                   today: date | None = None) -> list[dict]:
        """One row per submitted report of `year` (active units this user may see): status, submitted
        time, lateness, version, reviewer, machine / final score, 沿用比例, 抄用比例, open issues."""
        visible = self.visible_unit_ids(user)
        subs = [s for s in self.submissions(year=year, level=level, today=today)
                if s["report_id"] is not None and (visible is None or s["unit_id"] in visible)]
        inactive = self.inactive_unit_ids()
        with self.engine.connect() as conn:
            reviewers = _reviewers(conn, [s["id"] for s in subs])
        subs = [s for s in subs if s["unit_id"] not in inactive]
        machine = self.machine_scores([s["report_id"] for s in subs])
        final = self.final_scores([s["id"] for s in subs])
        rec = self.recycling_stored([s["report_id"] for s in subs])
        issues = self.open_issue_counts([s["unit_id"] for s in subs]) if subs else {}
        rows = []
        for s in subs:
            r = rec.get(s["report_id"]) or {}
            score = best_score(final.get(s["id"]), machine.get(s["report_id"]), r)
            rows.append({"submission_id": s["id"], "unit_id": s["unit_id"], "unit_name": s["unit_name"],
                         "level": s["level"] or NO_LEVEL, "year": s["year"], "status": s["status"],
                         "status_label": s["status_label"], "report_id": s["report_id"],
                         "submitted_at": s["submitted_at"], "deadline": s["deadline"], "late": s["late"],
                         "days_late": s["days_late"], "lateness_tracked": s["lateness_tracked"],
                         "version": len(s["versions"]), "reviewer": reviewers.get(s["id"]),
                         "machine_score": machine.get(s["report_id"]), "final_score": final.get(s["id"]),
                         "score": score,
                         "recycled_share": r.get("recycled_share"), "copied_share": r.get("copied_share"),
                         "recycling_level": r.get("level"), "recycling_known": bool(r),
                         "open_issues": None if issues is None else issues.get(s["unit_id"], 0)})
        return rows

    def ranking(self, user: dict | None, year: int, *, level: str | None = None,
                today: date | None = None) -> dict[str, list[dict]]:
        """{level: rows best first, each with "rank"} for the submitted reports of `year` (reviewers only)."""
        self._reviewer(user)
        rows = [r for r in self.year_board(user, year, level=level, today=today) if r["status"] not in UNRANKED]
        by_level: dict[str, list[dict]] = {}
        for r in rows:
            by_level.setdefault(r["level"], []).append(r)
        order = [*_levels(), NO_LEVEL]
        out: dict[str, list[dict]] = {}
        for lv in sorted(by_level, key=lambda x: order.index(x) if x in order else len(order)):
            ranked = sort_by_score(by_level[lv])
            for r, rank in zip(ranked, competition_ranks([r["score"] for r in ranked])):
                r["rank"] = rank
            out[lv] = ranked
        return out

    # ------------------------------------------------------------ one unit over the years
    def unit_profile(self, user: dict | None, unit_id: int, today: date | None = None) -> dict:
        """A unit's picture: its reports per year (status, score, lateness, 沿用比例) and open issues.
        Reviewers see any unit (of their branch); a unit account only its own."""
        visible = self.visible_unit_ids(user)
        if visible is not None and unit_id not in visible:
            raise AccessDenied("无权查看该单位。")
        unit = self.unit(unit_id)
        if unit is None:
            raise CycleError(f"单位不存在（编号 {unit_id}）。")
        subs = [s for s in self.submissions(unit_id=unit_id, today=today) if s["report_id"] is not None]
        machine = self.machine_scores([s["report_id"] for s in subs])
        final = self.final_scores([s["id"] for s in subs])
        rec = self.recycling_stored([s["report_id"] for s in subs])
        issues = self.open_issue_counts([unit_id])
        years = []
        for s in sorted(subs, key=lambda s: s["year"]):
            r = rec.get(s["report_id"]) or {}
            score = best_score(final.get(s["id"]), machine.get(s["report_id"]), r)
            years.append({"year": s["year"], "submission_id": s["id"], "report_id": s["report_id"],
                          "status": s["status"], "status_label": s["status_label"],
                          "submitted_at": s["submitted_at"], "late": s["late"], "days_late": s["days_late"],
                          "version": len(s["versions"]), "machine_score": machine.get(s["report_id"]),
                          "final_score": final.get(s["id"]), "score": score,
                          "recycled_share": r.get("recycled_share"), "copied_share": r.get("copied_share"),
                          "recycling_level": r.get("level")})
        issue_list = [i for i in self.rectifications(user, unit_id=unit_id) if i.get("state") in OPEN_STATES]
        return {"unit": unit, "years": years, "open_issues": None if issues is None else issues.get(unit_id, 0),
                "issues": issue_list}


def _reviewers(conn, submission_ids: list[int]) -> dict[int, str]:
    """submission id → the assigned reviewer's display name (or user name)."""
    out: dict[int, str] = {}
    ids = sorted(set(submission_ids))
    for i in range(0, len(ids), 500):
        q = (select(SubmissionRow.id, UserRow.username, UserRow.display_name)
             .join(UserRow, SubmissionRow.reviewer_id == UserRow.id).where(SubmissionRow.id.in_(ids[i:i + 500])))
        out.update({r.id: r.display_name or r.username for r in conn.execute(q)})
    return out


def _levels() -> list[str]:
    from fazhi.cycle.deadlines import levels

    return levels()
