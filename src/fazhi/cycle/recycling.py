"""沿用比例 and 抄用比例 of a report in the cycle (issue 14 item 4), mixed into `Cycle` via RankingMixin.

    cycle.recycling(report_id)
    → {"previous_id", "previous_year", "recycled_share", "copied_share", "level", "message", "deduction", ...}

recycled_share: the share of the body's characters repeated from the same unit's previous report
(fazhi.corpus.yoy, as `fazhi corpus diff`); copied_share: the share repeated from other units'
reports (the stored copy matches, template passages left out: fazhi.corpus.copies.copy_ratios).
The previous report is the current report of the same unit's submission for the nearest earlier
year, else a stored report filed under that unit; for a report outside the cycle (imported with
`fazhi corpus add`), the corpus' guess by unit key and issuer (yoy.previous_report).
Both shares are computed once per report and kept in report_recycling; they are computed again
only when the previous report they were measured against is no longer the one found (a later
upload for an earlier year), or when either report was analysed again or this one's copy matches
were computed after them (passages of other units' reports stored later count from the next
recomputation: `recycling(id, refresh=True)`). Level, message and deduction come from the
rubric's `recycling` section at read time, so changing thresholds needs no recomputation.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from fazhi.corpus.models import ReportRow
from fazhi.cycle.models import SubmissionRow, VersionRow
from fazhi.cycle.models_office import RecyclingRow

LEVEL_LABELS = {"ok": "正常", "warning": "偏高", "error": "过高"}


def recycling_rules() -> dict[str, Any]:
    """The rubric's recycling section (thresholds and deductions)."""
    from fazhi.review.rubric import default_rubric

    return default_rubric().recycling


def grade(share: float | None, thresholds: dict[str, float]) -> str:
    """ok | warning | error for one share against {"warning", "error"} thresholds."""
    if share is None:
        return "ok"
    if "error" in thresholds and share >= thresholds["error"]:
        return "error"
    if "warning" in thresholds and share >= thresholds["warning"]:
        return "warning"
    return "ok"


def assess(recycled: float | None, copied: float | None, previous_year: int | None,
           rules: dict[str, Any]) -> dict[str, Any]:
    """Level (the worse of the two aspects), Chinese message and deduction (summed over aspects)."""
    ded = rules.get("deduction") or {}
    r_level = grade(recycled, rules.get("recycled") or {})
    c_level = grade(copied, rules.get("copied") or {})
    parts = []
    if recycled is not None:
        prev = f"{previous_year}年度" if previous_year else "上一年度"
        text = f"与本单位上一年度（{prev}）报告相同的内容占 {recycled:.1%}"
        if r_level != "ok":
            text += f"，达到{'过高' if r_level == 'error' else '偏高'}线 {rules['recycled'][r_level]:.0%}，" \
                    f"存在照搬往年报告的问题，扣 {_pts(ded.get(r_level, 0))} 分"
        parts.append(text)
    else:
        parts.append("本单位没有更早年度的报告，未计算沿用比例")
    if copied is not None:
        text = f"与其他单位报告雷同的内容占 {copied:.1%}"
        if c_level != "ok":
            text += f"，达到{'过高' if c_level == 'error' else '偏高'}线 {rules['copied'][c_level]:.0%}，" \
                    f"存在抄用他单位报告的问题，扣 {_pts(ded.get(c_level, 0))} 分"
        parts.append(text)
    order = ("ok", "warning", "error")
    level = max(r_level, c_level, key=order.index)
    deduction = sum(float(ded.get(lv, 0)) for lv in (r_level, c_level) if lv != "ok")
    return {"level": level, "level_label": LEVEL_LABELS[level], "recycled_level": r_level,
            "copied_level": c_level, "message": "；".join(parts) + "。", "deduction": deduction}


def _pts(x: float) -> str:
    return f"{x:g}"


class RecyclingMixin:
    engine: Any
    corpus: Any

    def previous_report_id(self, report_id: int) -> int | None:
        """The report this one is compared with: the same unit's report of the nearest earlier year."""
        with self.engine.connect() as conn:
            found, filed = _previous_in_cycle(conn, report_id)
        return found if filed else _previous_in_corpus(self.corpus, report_id)

    def recycling(self, report_id: int, *, refresh: bool = False) -> dict | None:
        """沿用比例 / 抄用比例 of a stored report with level, message and deduction; None when the
        report is not stored. Computed once and stored (again when the previous report changed)."""
        with self.engine.connect() as conn:
            year = conn.execute(select(ReportRow.report_year).where(ReportRow.id == report_id)).first()
            if year is None:
                return None
            row = conn.execute(select(RecyclingRow).where(RecyclingRow.report_id == report_id)).first()
        previous = self.previous_report_id(report_id)
        if row is None or refresh or row.previous_id != previous or self._changed_since(row, report_id, previous):
            row = self._store_recycling(report_id, previous)
            self._recycling_changed(report_id)
        return self._recycling_out(report_id, row.previous_id, row.recycled_share, row.copied_share,
                                   row.computed_at)

    def _recycling_changed(self, report_id: int) -> None:
        """New shares may change the deduction: the final score of the submission whose current
        report this is follows (opinions.final_score)."""
        with self.engine.connect() as conn:
            sid = conn.execute(select(SubmissionRow.id).where(SubmissionRow.report_id == report_id)).scalar()
        if sid is not None:
            self.refresh_final_score(sid)

    def _changed_since(self, row, report_id: int, previous: int | None) -> bool:
        """Whether either report was analysed again, or this one's copy matches computed, after the
        shares were measured (`fazhi corpus reanalyze`, `reindex`, an old database's first matching)."""
        ids = [report_id] + ([previous] if previous is not None else [])
        with self.engine.connect() as conn:
            stamps = conn.execute(select(ReportRow.analyzed_at, ReportRow.copies_at).where(ReportRow.id.in_(ids))).all()
        return any(t is not None and t > row.computed_at for r in stamps for t in r)

    def recycling_stored(self, report_ids: list[int]) -> dict[int, dict]:
        """The stored shares of many reports (nothing computed): report id → recycling dict."""
        out: dict[int, dict] = {}
        ids = list(report_ids)
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                q = select(RecyclingRow).where(RecyclingRow.report_id.in_(ids[i:i + 500]))
                for r in conn.execute(q):
                    out[r.report_id] = (r.previous_id, r.recycled_share, r.copied_share, r.computed_at)
            years = _years(conn, {p for p, *_ in out.values() if p is not None})
        rules = recycling_rules()
        return {rid: {"report_id": rid, "previous_id": p, "previous_year": years.get(p), "recycled_share": rs,
                      "copied_share": cs, "computed_at": at, **assess(rs, cs, years.get(p), rules)}
                for rid, (p, rs, cs, at) in out.items()}

    def recycling_missing(self, report_ids: list[int]) -> list[int]:
        """Which of `report_ids` have no stored shares yet."""
        have = set(self.recycling_stored(report_ids))
        return [r for r in report_ids if r not in have]

    def _recycling_out(self, report_id: int, previous: int | None, recycled: float | None,
                       copied: float | None, at) -> dict:
        with self.engine.connect() as conn:
            years = _years(conn, {previous} if previous else set())
        py = years.get(previous)
        return {"report_id": report_id, "previous_id": previous, "previous_year": py, "recycled_share": recycled,
                "copied_share": copied, "computed_at": at, **assess(recycled, copied, py, recycling_rules())}

    def _store_recycling(self, report_id: int, previous: int | None):
        from fazhi.cycle.accounts import now

        recycled, copied = measure(self.corpus, report_id, previous)
        values = {"report_id": report_id, "previous_id": previous, "recycled_share": recycled,
                  "copied_share": copied, "computed_at": now()}
        with self.engine.begin() as conn:
            conn.execute(delete(RecyclingRow).where(RecyclingRow.report_id == report_id))
            try:
                with conn.begin_nested():
                    conn.execute(insert(RecyclingRow), values)
            except IntegrityError:  # another request stored it meanwhile: the same numbers
                pass
        return _Row(**values)


class _Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def measure(corpus, report_id: int, previous: int | None) -> tuple[float | None, float | None]:
    """(recycled share against `previous` or None without one, copied share) from the stored texts
    and the stored copy matches (nothing analysed again)."""
    from fazhi.corpus.copies import copy_ratios, match_stored
    from fazhi.corpus.yoy import year_over_year

    try:
        copies = by_owner(corpus, report_id, match_stored(corpus, report_id, compute_missing=False))
    except KeyError:
        copies = []
    body = corpus.rows(("id", "body_chars"), id=report_id)
    body_chars = body[0]["body_chars"] if body else 0
    copied = copy_ratios(copies, body_chars)["copying"] if body_chars else None
    recycled = None
    if previous is not None:
        diff = year_over_year(corpus, report_id, previous, copies=copies)
        recycled = diff.ratio if diff is not None else None
    return recycled, copied


def by_owner(corpus, report_id: int, copies: list[dict]) -> list[dict]:
    """Copy entries with the units the cycle filed the reports under deciding: a passage shared with a
    report filed under another unit is copying, whatever unit key or issuer the two texts name."""
    me = corpus.rows(("id", "unit_id"), id=report_id)
    owner = me[0]["unit_id"] if me else None
    if owner is None:
        return copies
    ids = sorted({c["other"]["id"] for c in copies if c.get("kind") == "recycling" and c["other"].get("id")})
    units = {r["id"]: r["unit_id"] for r in corpus.rows(("id", "unit_id"), id=ids)} if ids else {}
    def elsewhere(c: dict) -> bool:
        return c.get("kind") == "recycling" and units.get(c["other"].get("id")) not in (None, owner)

    return [{**c, "kind": "copying"} if elsewhere(c) else c for c in copies]


def _years(conn, ids: set[int]) -> dict[int, int | None]:
    if not ids:
        return {}
    q = select(ReportRow.id, ReportRow.report_year).where(ReportRow.id.in_(sorted(ids)))
    return {r.id: r.report_year for r in conn.execute(q)}


def _previous_in_cycle(conn, report_id: int) -> tuple[int | None, bool]:
    """(the current report of the same unit's submission for the nearest earlier year, else a stored
    report filed under the unit (reports.unit_id) of an earlier year; whether the report belongs to a
    unit at all). A report the cycle files under a unit is compared only with that unit's reports,
    whatever issuer its text names: another unit's text is copying, not recycling."""
    sub = conn.execute(select(SubmissionRow.unit_id, SubmissionRow.year)
                       .join(VersionRow, VersionRow.submission_id == SubmissionRow.id)
                       .where(VersionRow.report_id == report_id).limit(1)).first()
    if sub is None:
        row = conn.execute(select(ReportRow.unit_id, ReportRow.report_year).where(ReportRow.id == report_id)).first()
        if row is None or row.unit_id is None:
            return None, False
        if row.report_year is None:
            return None, True
        unit_id, year = row.unit_id, row.report_year
    else:
        unit_id, year = sub.unit_id, sub.year
    found = conn.execute(select(SubmissionRow.report_id, SubmissionRow.year)
                         .where(SubmissionRow.unit_id == unit_id, SubmissionRow.year < year,
                                SubmissionRow.report_id.is_not(None), SubmissionRow.report_id != report_id)
                         .order_by(SubmissionRow.year.desc()).limit(1)).first()
    stored = conn.execute(select(ReportRow.id, ReportRow.report_year)
                          .where(ReportRow.unit_id == unit_id, ReportRow.report_year < year, ReportRow.id != report_id)
                          .order_by(ReportRow.report_year.desc(), ReportRow.id.desc()).limit(1)).first()
    if found is not None and (stored is None or found.year >= stored.report_year):
        return found.report_id, True
    return (stored.id if stored is not None else None), True


def _previous_in_corpus(corpus, report_id: int) -> int | None:
    from fazhi.corpus.yoy import previous_report

    return previous_report(corpus, report_id)
