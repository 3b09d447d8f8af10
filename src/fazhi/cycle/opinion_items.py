"""The opinion of a submission (part of `Cycle` through OpinionMixin): its ordered items, 总体意见,
the reviewer's score adjustment, sending (which freezes it) and reopening.

An opinion is about the submission's current version: made on first need with one item per
finding not dismissed (in the machine opinion's order) and one per reviewer comment on that
version; when a newer version arrives, the old opinion is written to the audit log
("opinion.archive") and a new one is made. Every change is one transaction, audited.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import delete, func, insert, select, update

from fazhi.corpus.models import ReportRow
from fazhi.cycle.errors import CycleError
from fazhi.cycle.models import CommentRow, SubmissionRow, UserRow
from fazhi.cycle.models_office import OpinionItemRow, OpinionRow
from fazhi.cycle.opinion_score import FALSE_POSITIVE, adjust_bounds, finding_key

MAX_ITEM, MAX_OVERALL, MAX_REASON = 4000, 10000, 2000
FROZEN = "审查意见已发送，如需修改请先点击“重新编辑”。"


class OpinionItemsMixin:
    engine: Any

    # ------------------------------------------------------------ reading
    def opinion(self, submission_id: int) -> dict | None:
        """The opinion of a submission with its items in order, or None when none was made."""
        q = (select(OpinionRow, UserRow.username).join(UserRow, OpinionRow.updated_by == UserRow.id, isouter=True)
             .where(OpinionRow.submission_id == submission_id))
        from fazhi.cycle.accounts import orm_rows

        with self.engine.connect() as conn:
            found = orm_rows(conn, q)
            row = found[0] if found else None
            if row is None:
                return None
            current = conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == submission_id)).scalar()
            items = conn.execute(select(OpinionItemRow).where(OpinionItemRow.submission_id == submission_id)
                                 .order_by(OpinionItemRow.position, OpinionItemRow.id)).all()
            unlisted = self._unlisted_comments(conn, submission_id, row.OpinionRow.report_id)
        op = row.OpinionRow
        return {"submission_id": submission_id, "report_id": op.report_id, "current_report_id": current,
                "stale": op.report_id != current, "overall": op.overall, "score_adjust": op.score_adjust,
                "adjust_reason": op.adjust_reason, "final_score": op.final_score, "sent_at": op.sent_at,
                "sent": op.sent_at is not None, "updated_at": op.updated_at, "updated_by": row.username,
                "unlisted_comments": len(unlisted),
                "items": [{"id": i.id, "position": i.position, "body": i.body, "source": i.source, "ref": i.ref}
                          for i in items]}

    def _unlisted_comments(self, conn, submission_id: int, report_id: int | None) -> list:
        """Comments on the opinion's version that no item names yet."""
        listed = set(conn.execute(select(OpinionItemRow.ref).where(OpinionItemRow.submission_id == submission_id,
                                                                    OpinionItemRow.source == "comment")).scalars())
        q = (select(CommentRow).where(CommentRow.submission_id == submission_id, CommentRow.report_id == report_id)
             .order_by(CommentRow.id))
        return [c for c in conn.execute(q) if str(c.id) not in listed]

    # ------------------------------------------------------------ writing
    def open_opinion(self, user: dict | None, submission_id: int) -> dict:
        """The opinion, made (or moved to the current version) when needed."""
        return self._edit_opinion(user, submission_id, None, lambda conn, sub, op, ctx: None, frozen_ok=True)

    def add_opinion_item(self, user: dict | None, submission_id: int, body: str) -> dict:
        text = _item_text(body)

        def add(conn, sub, op, ctx) -> dict:
            pos = conn.execute(select(func.max(OpinionItemRow.position))
                               .where(OpinionItemRow.submission_id == sub.id)).scalar() or 0
            done = self._insert_item(conn, sub.id, pos + 1, text, "manual", None, ctx["actor"])
            return {"item_id": done, "body": text[:200]}

        return self._edit_opinion(user, submission_id, "opinion.item_add", add)

    def edit_opinion_item(self, user: dict | None, submission_id: int, item_id: int, body: str) -> dict:
        text = _item_text(body)

        def edit(conn, sub, op, ctx) -> dict:
            old = self._item(conn, sub.id, item_id)
            conn.execute(update(OpinionItemRow).where(OpinionItemRow.id == item_id)
                         .values(body=text, updated_by=ctx["actor"]["id"], updated_at=_now()))
            return {"item_id": item_id, "before": old.body[:500], "after": text[:500]}

        return self._edit_opinion(user, submission_id, "opinion.item_edit", edit)

    def delete_opinion_item(self, user: dict | None, submission_id: int, item_id: int) -> dict:
        def drop(conn, sub, op, ctx) -> dict:
            old = self._item(conn, sub.id, item_id)
            conn.execute(delete(OpinionItemRow).where(OpinionItemRow.id == item_id))
            self._renumber(conn, sub.id)
            return {"item_id": item_id, "body": old.body[:500], "source": old.source, "ref": old.ref}

        return self._edit_opinion(user, submission_id, "opinion.item_delete", drop)

    def move_opinion_item(self, user: dict | None, submission_id: int, item_id: int, step: int) -> dict:
        """Move an item one place up (step -1) or down (+1)."""
        if step not in (-1, 1):
            raise CycleError("只能上移或下移一位。")

        def move(conn, sub, op, ctx) -> dict:
            self._item(conn, sub.id, item_id)
            ids = self._item_ids(conn, sub.id)
            i = ids.index(item_id)
            j = i + step
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
                self._place(conn, ids)
            return {"item_id": item_id, "step": step, "position": max(0, min(j, len(ids) - 1)) + 1}

        return self._edit_opinion(user, submission_id, "opinion.item_move", move)

    def reorder_opinion(self, user: dict | None, submission_id: int, item_ids: list[int]) -> dict:
        """Put the items in the order of `item_ids` (every item, each once)."""
        def order(conn, sub, op, ctx) -> dict:
            ids = self._item_ids(conn, sub.id)
            if sorted(ids) != sorted(item_ids) or len(set(item_ids)) != len(item_ids):
                raise CycleError("意见条目已被修改，请刷新页面后重试。")
            self._place(conn, list(item_ids))
            return {"order": list(item_ids)}

        return self._edit_opinion(user, submission_id, "opinion.reorder", order)

    def set_overall(self, user: dict | None, submission_id: int, text: str) -> dict:
        """总体意见 (empty: none)."""
        overall = (text or "").strip()
        if len(overall) > MAX_OVERALL:
            raise CycleError(f"总体意见过长（上限 {MAX_OVERALL} 字）。")

        def write(conn, sub, op, ctx) -> dict:
            conn.execute(update(OpinionRow).where(OpinionRow.submission_id == sub.id).values(overall=overall or None))
            return {"before": (op.overall or "")[:500], "after": overall[:500]}

        return self._edit_opinion(user, submission_id, "opinion.overall", write)

    def adjust_score(self, user: dict | None, submission_id: int, adjust: float, reason: str) -> dict:
        """The reviewer's adjustment of the score (0: none), with a reason, keeping the total in 0..max."""
        reason = " ".join((reason or "").split())
        try:
            adjust = round(float(adjust), 1)
        except (TypeError, ValueError):
            raise CycleError("调整分值应为数字。") from None
        if adjust != adjust or adjust in (float("inf"), float("-inf")):
            raise CycleError("调整分值应为数字。")
        if adjust and not reason:
            raise CycleError("调整分数时请写明理由。")
        if len(reason) > MAX_REASON:
            raise CycleError(f"理由过长（上限 {MAX_REASON} 字）。")

        def write(conn, sub, op, ctx) -> dict:
            score, _ = self._compute_final(conn, sub.report_id, None, ctx["points"])
            if score["total"] is None:
                raise CycleError("该报告没有系统评分，不能调整分数。")
            base = float(score["machine"]) + float(score["dismissed"]) - float(score["recycling"])
            low, high = adjust_bounds(base, score["max"])
            if not low - 1e-9 <= adjust <= high + 1e-9:
                raise CycleError(f"调整后总分应在 0–{score['max']} 分之间（可调整 {low:g} 至 +{high:g} 分）。")
            conn.execute(update(OpinionRow).where(OpinionRow.submission_id == sub.id)
                         .values(score_adjust=adjust or None, adjust_reason=reason if adjust else None))
            return {"before": op.score_adjust, "after": adjust, "reason": reason or None}

        return self._edit_opinion(user, submission_id, "opinion.adjust", write)

    def send_opinion(self, user: dict | None, submission_id: int) -> dict:
        """Send the opinion to the unit: frozen from now on (in-app message when messages exist)."""
        def send(conn, sub, op, ctx) -> dict:
            if op.sent_at is not None:
                raise CycleError("审查意见已发送。")
            conn.execute(update(OpinionRow).where(OpinionRow.submission_id == sub.id).values(sent_at=_now()))
            self.notify(conn, sub.unit_id, "opinion", f"{sub.year} 年度报告的审查意见已发送",
                        "审查人员已发送审查意见，请在报告页面下载《审查意见》（Word）。",
                        link=f"/reports/{sub.report_id}", year=sub.year, submission_id=sub.id)
            return {"report_id": sub.report_id}

        return self._edit_opinion(user, submission_id, "opinion.send", send, frozen_ok=True)

    def reopen_opinion(self, user: dict | None, submission_id: int) -> dict:
        """重新编辑: a sent opinion becomes editable again."""
        def reopen(conn, sub, op, ctx) -> dict:
            if op.sent_at is None:
                raise CycleError("审查意见尚未发送，可直接编辑。")
            conn.execute(update(OpinionRow).where(OpinionRow.submission_id == sub.id).values(sent_at=None))
            return {"sent_at": op.sent_at.isoformat()}

        return self._edit_opinion(user, submission_id, "opinion.reopen", reopen, frozen_ok=True)

    def regenerate_opinion(self, user: dict | None, submission_id: int) -> dict:
        """Items made again from the findings not dismissed and the comments (edits are lost; audited)."""
        def again(conn, sub, op, ctx) -> dict:
            old = [i.body for i in conn.execute(select(OpinionItemRow.body).where(
                OpinionItemRow.submission_id == sub.id).order_by(OpinionItemRow.position))]
            conn.execute(delete(OpinionItemRow).where(OpinionItemRow.submission_id == sub.id))
            n = self._generate_items(conn, sub.id, sub.report_id, ctx["actor"])
            return {"before": old, "items": n}

        return self._edit_opinion(user, submission_id, "opinion.regenerate", again)

    def import_comments(self, user: dict | None, submission_id: int) -> dict:
        """Append the comments on the opinion's version that no item names yet."""
        def add(conn, sub, op, ctx) -> dict:
            ids = [c.id for c in self._unlisted_comments(conn, sub.id, op.report_id)]
            return {"comments": self._comments_join_opinion(conn, sub.id, op.report_id, ids, ctx["actor"])}

        return self._edit_opinion(user, submission_id, "opinion.import", add)

    # ------------------------------------------------------------ inside a transaction
    def _edit_opinion(self, user: dict | None, submission_id: int, action: str | None,
                      change: Callable[..., dict | None], *, frozen_ok: bool = False) -> dict:
        actor = self._reviewer(user)
        with self.engine.connect() as conn:
            rid = conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == submission_id)).scalar()
        if rid is None:
            raise CycleError(f"报送记录不存在或尚无报告（编号 {submission_id}）。")
        # the recycling deduction is looked up outside the transaction (that area may store it)
        ctx = {"actor": actor, "points": self._recycling_points(rid)}
        with self.engine.begin() as conn:
            sub = conn.execute(select(SubmissionRow).where(SubmissionRow.id == submission_id).with_for_update()).first()
            if sub is None or sub.report_id is None:
                raise CycleError(f"报送记录不存在或尚无报告（编号 {submission_id}）。")
            op = self._ensure_opinion(conn, sub.id, actor)
            if op.sent_at is not None and not frozen_ok:
                raise CycleError(FROZEN)
            detail = change(conn, sub, op, ctx)
            if action is not None:
                conn.execute(update(OpinionRow).where(OpinionRow.submission_id == sub.id)
                             .values(updated_by=actor["id"], updated_at=_now()))
                self._audit(conn, actor, action, f"submission:{sub.id}", detail)
            self._refresh_score(conn, sub.id, ctx["points"])
        return self.opinion(submission_id)

    def _ensure_opinion(self, conn, submission_id: int, actor: dict | None):
        """The opinion row of a submission, made with its items on first need, or made again for
        a newer version (the old one archived in the audit log)."""
        rid = conn.execute(select(SubmissionRow.report_id).where(SubmissionRow.id == submission_id)).scalar()
        q = select(OpinionRow).where(OpinionRow.submission_id == submission_id)
        op = conn.execute(q).first()
        if op is not None and op.report_id == rid:
            return op
        if op is None:
            made = _insert_once(conn, OpinionRow, {"submission_id": submission_id, "report_id": rid,
                                                   "updated_by": actor["id"] if actor else None,
                                                   "updated_at": _now()})
            if not made:  # another request made it at the same moment (two page views): theirs, items and all
                return conn.execute(q).first()
        else:
            items = [i.body for i in conn.execute(select(OpinionItemRow.body).where(
                OpinionItemRow.submission_id == submission_id).order_by(OpinionItemRow.position))]
            self._audit(conn, actor, "opinion.archive", f"submission:{submission_id}",
                        {"report_id": op.report_id, "overall": op.overall, "score_adjust": op.score_adjust,
                         "adjust_reason": op.adjust_reason, "final_score": op.final_score,
                         "sent_at": op.sent_at.isoformat() if op.sent_at else None, "items": items})
            conn.execute(delete(OpinionItemRow).where(OpinionItemRow.submission_id == submission_id))
            self._carry_verdicts(conn, op.report_id, rid, actor)  # the 误报 of the old version, where raised again
            conn.execute(update(OpinionRow).where(OpinionRow.submission_id == submission_id).values(
                report_id=rid, overall=None, score_adjust=None, adjust_reason=None, sent_at=None, final_score=None,
                updated_at=_now()))
        self._generate_items(conn, submission_id, rid, actor)
        return conn.execute(q).first()

    def _generate_items(self, conn, submission_id: int, report_id: int, actor: dict | None) -> int:
        from fazhi.render.opinion_edit import initial_items

        row = conn.execute(select(ReportRow.text, ReportRow.analysis).where(ReportRow.id == report_id)).first()
        if row is None:
            return 0
        dismissed = {k for k, v in self._verdicts(conn, report_id).items() if v == FALSE_POSITIVE}
        comments = [dict(c._mapping) for c in conn.execute(select(CommentRow.id, CommentRow.body, CommentRow.quote)
                    .where(CommentRow.submission_id == submission_id, CommentRow.report_id == report_id)
                    .order_by(CommentRow.id))]
        drafts = initial_items((row.analysis or {}).get("findings") or [], row.text or "", comments,
                               keep=lambda f: finding_key(f) not in dismissed)
        for n, d in enumerate(drafts, 1):
            self._insert_item(conn, submission_id, n, d.body, d.source, d.ref, actor)
        return len(drafts)

    def _comments_join_opinion(self, conn, submission_id: int, report_id: int | None, comment_ids: list[int],
                               actor: dict | None) -> int:
        """Append new comments to an unsent opinion on their version (a return's listener)."""
        from fazhi.render.opinion_edit import comment_text

        op = conn.execute(select(OpinionRow).where(OpinionRow.submission_id == submission_id)).first()
        if op is None or op.report_id != report_id or op.sent_at is not None:
            return 0
        found = [c for c in self._unlisted_comments(conn, submission_id, report_id) if c.id in set(comment_ids)]
        pos = conn.execute(select(func.max(OpinionItemRow.position))
                           .where(OpinionItemRow.submission_id == submission_id)).scalar() or 0
        for n, c in enumerate(found, 1):
            self._insert_item(conn, submission_id, pos + n, comment_text(c._mapping)[:MAX_ITEM], "comment", str(c.id),
                              actor)
        return len(found)

    def _items_follow_verdict(self, conn, submission_id: int, report_id: int, finding: dict,
                              previous: str | None, verdict: str | None, actor: dict) -> None:
        """A dismissed finding leaves an unsent opinion on its version; a restored one comes back last."""
        from fazhi.render.opinion_edit import finding_text

        op = conn.execute(select(OpinionRow).where(OpinionRow.submission_id == submission_id)).first()
        if op is None or op.report_id != report_id or op.sent_at is not None:
            return
        key = finding_key(finding)
        mine = (OpinionItemRow.submission_id == submission_id, OpinionItemRow.source == "finding",
                OpinionItemRow.ref == key)
        if verdict == FALSE_POSITIVE:
            conn.execute(delete(OpinionItemRow).where(*mine))
            self._renumber(conn, submission_id)
        elif previous == FALSE_POSITIVE and conn.execute(select(OpinionItemRow.id).where(*mine)).first() is None:
            text = conn.execute(select(ReportRow.text).where(ReportRow.id == report_id)).scalar() or ""
            pos = conn.execute(select(func.max(OpinionItemRow.position))
                               .where(OpinionItemRow.submission_id == submission_id)).scalar() or 0
            self._insert_item(conn, submission_id, pos + 1, finding_text(finding, text)[:MAX_ITEM], "finding", key,
                              actor)

    def _insert_item(self, conn, submission_id: int, position: int, body: str, source: str, ref: str | None,
                     actor: dict | None) -> int:
        done = conn.execute(insert(OpinionItemRow), {"submission_id": submission_id, "position": position,
                                                     "body": body, "source": source, "ref": ref,
                                                     "updated_by": actor["id"] if actor else None,
                                                     "updated_at": _now()})
        return done.inserted_primary_key[0]

    def _item(self, conn, submission_id: int, item_id: int):
        row = conn.execute(select(OpinionItemRow).where(OpinionItemRow.id == item_id,
                                                        OpinionItemRow.submission_id == submission_id)).first()
        if row is None:
            raise CycleError("该意见条目不存在（可能已被删除），请刷新页面。")
        return row

    def _item_ids(self, conn, submission_id: int) -> list[int]:
        return list(conn.execute(select(OpinionItemRow.id).where(OpinionItemRow.submission_id == submission_id)
                                 .order_by(OpinionItemRow.position, OpinionItemRow.id)).scalars())

    def _place(self, conn, ids: list[int]) -> None:
        for pos, iid in enumerate(ids, 1):
            conn.execute(update(OpinionItemRow).where(OpinionItemRow.id == iid).values(position=pos))

    def _renumber(self, conn, submission_id: int) -> None:
        self._place(conn, self._item_ids(conn, submission_id))


def _item_text(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise CycleError("意见条目不能为空。")
    if len(text) > MAX_ITEM:
        raise CycleError(f"意见条目过长（上限 {MAX_ITEM} 字）。")
    return text


def _now():
    from fazhi.cycle.accounts import now

    return now()


def _insert_once(conn, model, values: dict) -> bool:
    """Insert a row unless one with its key exists (also when a concurrent transaction has just made
    it: the insert waits for that one and then does nothing); whether this call made it."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    key = model.__table__.primary_key.columns.values()[0]
    made = conn.execute(dialect_insert(model).values(**values).on_conflict_do_nothing().returning(key)).first()
    return made is not None
