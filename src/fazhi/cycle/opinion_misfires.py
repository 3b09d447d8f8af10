"""Which rules misfire: per rule, the findings raised on the reports the office reviewed (every
submitted version, and any report with a verdict), how many reviewers dismissed as 误报 or
accepted, and the share dismissed.

Each report's findings are counted once per analysis (a cache keyed by report id and analysis
time, like fazhi.web.views.Summaries), so a page view reads only analyses it has not counted.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from fazhi.cycle.models import VersionRow
from fazhi.cycle.models_office import FindingReviewRow
from fazhi.cycle.opinion_score import ACCEPTED, FALSE_POSITIVE

_LOCK = threading.Lock()
_COUNTS: dict[tuple, Counter] = {}
_LIMIT = 200_000


def rule_counts(corpus, ids: list[int]) -> Counter:
    """Findings per rule over the reports `ids` (each analysis read once per process)."""
    tag = id(corpus.engine)
    total: Counter = Counter()
    stamps = {r["id"]: str(r["analyzed_at"]) for i in range(0, len(ids), 500)
              for r in corpus.rows(("id", "analyzed_at"), id=ids[i:i + 500])}
    with _LOCK:
        have = {rid: _COUNTS.get((tag, rid, at)) for rid, at in stamps.items()}
    missing = [rid for rid, c in have.items() if c is None]
    for i in range(0, len(missing), 200):
        for r in corpus.rows(("id", "analysis"), id=missing[i:i + 200]):
            c = Counter(f.get("rule") or "" for f in (r["analysis"] or {}).get("findings") or [])
            have[r["id"]] = c
            with _LOCK:
                if len(_COUNTS) >= _LIMIT:
                    _COUNTS.clear()
                _COUNTS[(tag, r["id"], stamps[r["id"]])] = c
    for c in have.values():
        total.update(c or {})
    return total


def rule_info() -> dict[str, dict[str, str]]:
    from fazhi.review import checks  # noqa: F401  (registers the rules)
    from fazhi.review.registry import RULES

    return {rid: {"title": r.title, "category": getattr(r, "category", "")} for rid, r in RULES.items()}


def misfire_rows(raised: Counter, verdicts: dict[tuple[str, str], int], info: dict[str, dict]) -> list[dict]:
    """One row per rule raised or judged: most dismissed (share, then count) first."""
    from fazhi.render.opinion import CATEGORY_LABEL

    rules = set(raised) | {rule for rule, _ in verdicts}
    rows = []
    for rule in rules:
        n = raised.get(rule, 0)
        fp, ok = verdicts.get((rule, FALSE_POSITIVE), 0), verdicts.get((rule, ACCEPTED), 0)
        meta = info.get(rule, {})
        rows.append({"rule": rule, "title": meta.get("title") or rule,
                     "category": CATEGORY_LABEL.get(meta.get("category") or "", meta.get("category") or ""),
                     "raised": n, "dismissed": fp, "accepted": ok,
                     "share": round(fp / n, 4) if n else None})
    return sorted(rows, key=lambda r: (-(r["share"] or 0), -r["dismissed"], -r["raised"], r["rule"]))


def misfires(cycle: Any) -> dict:
    """{"reports": n reviewed reports, "rules": [rows of misfire_rows]}."""
    with cycle.engine.connect() as conn:
        ids = set(conn.execute(select(VersionRow.report_id).distinct()).scalars())
        ids |= set(conn.execute(select(FindingReviewRow.report_id).distinct()).scalars())
        q = select(FindingReviewRow.rule, FindingReviewRow.verdict, func.count()).group_by(
            FindingReviewRow.rule, FindingReviewRow.verdict)
        verdicts = {(r[0], r[1]): int(r[2]) for r in conn.execute(q)}
    raised = rule_counts(cycle.corpus, sorted(ids))
    return {"reports": len(ids), "rules": misfire_rows(raised, verdicts, rule_info())}
