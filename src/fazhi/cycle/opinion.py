"""审查人员的审查意见：误报、意见条目、调分 (issue 14 item 3) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

Verdicts: a reviewer marks a machine finding of a report 误报 (false_positive, with a reason) or
采纳 (accepted: the 问题池 takes it at the next return), or restores it (the verdict row goes; the
audit log keeps every change). The stored analysis is never changed: a dismissed finding stays in
the report's JSON and is only left out of the score (`final_score`) and of the opinion's items.

Score: `final_score(report_id)` = the machine's total + what the 误报 give back under the rubric
+ the reviewer's adjustment − the recycling deduction (`self.recycling`, when that area exists),
within 0..max; kept in opinions.final_score by every write here and lazily when stale.

The opinion's items, 总体意见, sending and reopening: fazhi.cycle.opinion_items.
Which rules misfire across the corpus: `rule_misfires()` (fazhi.cycle.opinion_misfires).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from fazhi.corpus.models import ReportRow
from fazhi.cycle.errors import CycleError
from fazhi.cycle.models import SubmissionRow
from fazhi.cycle.models_office import FindingReviewRow, OpinionRow
from fazhi.cycle.opinion_items import OpinionItemsMixin
from fazhi.cycle.opinion_score import (ACCEPTED, FALSE_POSITIVE, VERDICT_LABELS, dismissal_gain, final_score,
                                       finding_key, recycling_deduction)

MAX_REASON = 2000


class OpinionMixin(OpinionItemsMixin):
    engine: Any

    # ------------------------------------------------------------ verdicts
    def finding_verdicts(self, report_id: int) -> dict[str, str]:
        """finding key -> verdict ("false_positive" 误报 or "accepted") of one report."""
        with self.engine.connect() as conn:
            return self._verdicts(conn, report_id)

    def _verdicts(self, conn, report_id: int) -> dict[str, str]:
        q = select(FindingReviewRow.finding_key, FindingReviewRow.verdict).where(FindingReviewRow.report_id == report_id)
        return {r.finding_key: r.verdict for r in conn.execute(q)}

    def finding_reviews(self, report_id: int) -> dict[str, dict]:
        """finding key -> {verdict, label, reason, by (username), at} of one report."""
        from fazhi.cycle.models import UserRow

        q = (select(FindingReviewRow, UserRow.username)
             .join(UserRow, FindingReviewRow.by == UserRow.id, isouter=True)
             .where(FindingReviewRow.report_id == report_id))
        from fazhi.cycle.accounts import orm_rows

        with self.engine.connect() as conn:
            rows = orm_rows(conn, q)
        return {r.FindingReviewRow.finding_key: {"verdict": r.FindingReviewRow.verdict,
                                                 "label": VERDICT_LABELS.get(r.FindingReviewRow.verdict, ""),
                                                 "reason": r.FindingReviewRow.reason, "by": r.username,
                                                 "at": r.FindingReviewRow.at} for r in rows}

    def set_verdict(self, user: dict | None, report_id: int, key: str, verdict: str | None,
                    reason: str | None = None) -> dict:
        """误报 / 采纳 / restore (verdict None) one finding of a report; audited; the opinion's items
        and the final score follow when the report is a submission's current version."""
        from fazhi.cycle.accounts import now

        actor = self._reviewer(user)
        if verdict not in (FALSE_POSITIVE, ACCEPTED, None):
            raise CycleError("审查结论应为“误报”或“采纳”。")
        reason = " ".join((reason or "").split())
        if verdict == FALSE_POSITIVE and not reason:
            raise CycleError("认定误报时请写明理由。")
        if len(reason) > MAX_REASON:
            raise CycleError(f"理由过长（上限 {MAX_REASON} 字）。")
        findings, _, _ = self._stored_analysis(report_id)
        found = next((f for f in findings if finding_key(f) == key), None)
        if found is None:
            raise CycleError("该报告没有这条问题（可能已重新分析），请刷新页面。")
        points = self._recycling_points(report_id)
        with self.engine.begin() as conn:
            q = select(FindingReviewRow).where(FindingReviewRow.report_id == report_id,
                                               FindingReviewRow.finding_key == key)
            old = conn.execute(q.with_for_update()).first()
            previous = old.verdict if old is not None else None
            if verdict is None:
                conn.execute(delete(FindingReviewRow).where(FindingReviewRow.report_id == report_id,
                                                            FindingReviewRow.finding_key == key))
            else:
                values = {"verdict": verdict, "reason": reason or None, "by": actor["id"], "at": now()}
                if old is None:
                    conn.execute(insert(FindingReviewRow), {**values, "report_id": report_id, "finding_key": key,
                                                            "rule": (found.get("rule") or "")[:64]})
                else:
                    conn.execute(update(FindingReviewRow).where(FindingReviewRow.id == old.id).values(**values))
            self._audit(conn, actor, "finding.verdict", f"report:{report_id}",
                        {"key": key, "rule": found.get("rule"), "message": (found.get("message") or "")[:200],
                         "from": previous, "to": verdict, "reason": reason or None})
            sid = conn.execute(select(SubmissionRow.id).where(SubmissionRow.report_id == report_id)).scalar()
            score = None
            if sid is not None:
                self._items_follow_verdict(conn, sid, report_id, found, previous, verdict, actor)
                score = self._refresh_score(conn, sid, points)
        return {"report_id": report_id, "key": key, "verdict": verdict, "reason": reason or None,
                "final_score": score or self.final_score(report_id)}

    def _carry_verdicts(self, conn, old_id: int | None, new_id: int | None, actor: dict | None) -> int:
        """误报 on a version carried to a newer one where the same rule flags the same words (each
        audited); verdicts already given on the newer version are kept."""
        from fazhi.cycle.accounts import now
        from fazhi.cycle.opinion_score import carried

        if old_id is None or new_id is None or old_id == new_id:
            return 0
        old = conn.execute(select(FindingReviewRow).where(FindingReviewRow.report_id == old_id,
                                                          FindingReviewRow.verdict == FALSE_POSITIVE)).all()
        if not old:
            return 0
        rows = {r.id: r for r in conn.execute(select(ReportRow.id, ReportRow.text, ReportRow.analysis)
                                              .where(ReportRow.id.in_([old_id, new_id])))}
        if len(rows) < 2:
            return 0
        found = carried((rows[old_id].analysis or {}).get("findings") or [], rows[old_id].text or "",
                        (rows[new_id].analysis or {}).get("findings") or [], rows[new_id].text or "",
                        {r.finding_key for r in old})
        have = set(self._verdicts(conn, new_id))
        n = 0
        for r in old:
            key = found.get(r.finding_key)
            if key is None or key in have:
                continue
            conn.execute(insert(FindingReviewRow), {"report_id": new_id, "finding_key": key, "rule": r.rule,
                                                    "verdict": FALSE_POSITIVE, "reason": r.reason, "by": r.by,
                                                    "at": now()})
            self._audit(conn, actor, "finding.verdict", f"report:{new_id}",
                        {"key": key, "rule": r.rule, "from": None, "to": FALSE_POSITIVE, "reason": r.reason,
                         "via": "carried", "report_id": old_id})
            have.add(key)
            n += 1
        return n

    # ------------------------------------------------------------ score
    def final_score(self, report_id: int) -> dict:
        """{"machine", "dismissed", "recycling", "adjust", "total", "max"} of one report (adjustment:
        the reviewer's, when the submission's opinion is on this version); kept in opinions.final_score."""
        return self.final_score_detail(report_id)[0]

    def final_score_detail(self, report_id: int) -> tuple[dict, dict | None]:
        """(final_score, the rubric's score after 误报 or None when nothing was dismissed)."""
        points = self._recycling_points(report_id)
        with self.engine.connect() as conn:
            sub = conn.execute(select(SubmissionRow.id).where(SubmissionRow.report_id == report_id)).scalar()
            op = conn.execute(select(OpinionRow).where(OpinionRow.submission_id == sub)).first() if sub else None
            score, rescored = self._compute_final(conn, report_id, sub, points)
        if op is not None and (op.report_id != report_id or op.final_score != score["total"]):
            self.refresh_final_score(sub)  # stale: kept current (an opinion on an older version moves here)
        return score, rescored

    def refresh_final_score(self, submission_id: int) -> dict | None:
        """Bring opinions.final_score (and an opinion left on an older version) up to date."""
        with self.engine.connect() as conn:
            rid = conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == submission_id)).scalar()
        if rid is None:
            return None
        points = self._recycling_points(rid)
        with self.engine.begin() as conn:
            conn.execute(select(SubmissionRow.id).where(SubmissionRow.id == submission_id).with_for_update())
            return self._refresh_score(conn, submission_id, points)

    def _refresh_score(self, conn, submission_id: int, recycling: float | None = None) -> dict | None:
        """Inside a transaction: the opinion follows the current version (made on first need) and
        its final_score is recomputed. `recycling`: the deduction, looked up before the transaction."""
        from fazhi.cycle.accounts import now

        rid = conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == submission_id)).scalar()
        if rid is None:
            return None
        self._ensure_opinion(conn, submission_id, None)
        score, _ = self._compute_final(conn, rid, submission_id, recycling or 0.0)
        conn.execute(update(OpinionRow).where(OpinionRow.submission_id == submission_id)
                     .values(final_score=score["total"], updated_at=now()))
        return score

    def _compute_final(self, conn, report_id: int, submission_id: int | None,
                       recycling: float) -> tuple[dict, dict | None]:
        """(the final score, the rubric's score after 误报 or None when nothing was dismissed)."""
        analysis = conn.execute(select(ReportRow.analysis).where(ReportRow.id == report_id)).scalar() or {}
        machine = analysis.get("score") or {}
        dismissed = {k for k, v in self._verdicts(conn, report_id).items() if v == FALSE_POSITIVE}
        gain, rescored = dismissal_gain(analysis.get("findings") or [], dismissed)
        adjust = 0.0
        if submission_id is not None:
            op = conn.execute(select(OpinionRow.report_id, OpinionRow.score_adjust)
                              .where(OpinionRow.submission_id == submission_id)).first()
            if op is not None and op.report_id == report_id and op.score_adjust:
                adjust = float(op.score_adjust)
        return final_score(machine.get("total"), machine.get("max") or 100, gain, recycling, adjust), rescored

    def _recycling_points(self, report_id: int) -> float:
        """The recycling area's deduction for a report (0 while that area is absent). Called outside
        any transaction of ours: that area may compute and store its figure on first use."""
        found = getattr(self, "recycling", None)
        if not callable(found):
            return 0.0
        try:
            return recycling_deduction(found(report_id))
        except CycleError:
            return 0.0

    def _stored_analysis(self, report_id: int) -> tuple[list[dict], str, dict]:
        """(findings, text, machine score) of a stored report; CycleError when there is none."""
        row = self.corpus.rows(("id", "text", "analysis"), id=report_id)
        if not row:
            raise CycleError(f"报告不存在（编号 {report_id}）。")
        analysis = row[0]["analysis"] or {}
        return analysis.get("findings") or [], row[0]["text"] or "", analysis.get("score") or {}

    def document_opinion(self, report_id: int, reviewer: bool = False) -> dict | None:
        """What the Word 审查意见 of a report takes from the office, or None (nothing: the machine's
        opinion as it is). items / overall: the reviewer's opinion on this version once sent (a
        reviewer also sees the draft); dismissed: keys of the 误报 (left out of findings and score);
        score: the final score (the reviewer's unsent adjustment left out for other readers);
        recycling: the 沿用/抄用 sentence when measured."""
        from fazhi.cycle.opinion_score import final_score as combine

        with self.engine.connect() as conn:
            sid = conn.execute(select(SubmissionRow.id).where(SubmissionRow.report_id == report_id)).scalar()
        op = self.opinion(sid) if sid is not None else None
        mine = op is not None and op["report_id"] == report_id and (op["sent"] or reviewer)
        score, rescored = self.final_score_detail(report_id)
        if score["adjust"] and not mine:
            score = combine(score["machine"], score["max"], score["dismissed"], score["recycling"], 0.0)
        dismissed = {k for k, v in self.finding_verdicts(report_id).items() if v == FALSE_POSITIVE}
        rec = self.recycling(report_id) if sid is not None else None
        measured = isinstance(rec, dict) and (rec.get("recycled_share") is not None
                                               or rec.get("copied_share") is not None)
        changed = score["total"] != score["machine"]
        if not (mine or dismissed or changed or measured):
            return None
        return {"items": [i["body"] for i in op["items"]] if mine else None,
                "overall": op["overall"] if mine else None, "adjust_reason": op["adjust_reason"] if mine else None,
                "score": score if (mine or changed) else None, "rescored": rescored, "dismissed": dismissed,
                "recycling": rec.get("message") if measured else None}

    # ------------------------------------------------------------ misfires
    def rule_misfires(self) -> dict:
        """Per rule over every submitted report: findings raised, dismissed as 误报, accepted, share."""
        from fazhi.cycle.opinion_misfires import misfires

        return misfires(self)


def on_event(cycle: Any, conn: Any, event: dict) -> None:
    """Listener (fazhi.cycle.events): a new version leaves the stored final score stale (NULL; the
    next page or `final_score` call recomputes it, with the recycling deduction, outside this
    transaction) and the 误报 of the previous version are carried to it where the same words are flagged
again; a return's comments join an unsent opinion on that version."""
    if event.get("action") == "submit" and event.get("report_id") != event.get("previous_report_id"):
        cycle._carry_verdicts(conn, event.get("previous_report_id"), event.get("report_id"), event.get("actor"))
        conn.execute(update(OpinionRow).where(OpinionRow.submission_id == event["submission_id"])
                     .values(final_score=None))
    elif event.get("action") == "return" and event.get("comment_ids"):
        cycle._comments_join_opinion(conn, event["submission_id"], event.get("report_id"), event["comment_ids"],
                                     event.get("actor"))
