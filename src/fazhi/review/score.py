"""The score: per rubric item, points kept and the findings that cost them; a total out of
100, capped at `rubric.cap_on_blocker` when a blocker item fails (an error-severity finding
in an item marked `blocker`, e.g. a mandated part missing or publication late)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fazhi.report import Finding, Report
from fazhi.review.rubric import Item, Rubric

MAX = 100
_SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}


def _num(x: float) -> float | int:
    x = round(x, 1)
    return int(x) if x == int(x) else x


def _rule_titles() -> dict[str, str]:
    from fazhi.review.registry import RULES

    return {rid: r.title for rid, r in RULES.items()}


def _explain(item: Item, lost: dict[str, tuple[int, float]], blocking: bool, cap: float,
             titles: dict[str, str]) -> str:
    veto = f"属否决项，总分不超过{_num(cap)}分。" if blocking else ""
    if not lost:
        return veto or f"未发现扣分问题，得满分{_num(item.points)}分。"
    parts = [f"{titles.get(rid, rid)}{n}处（-{_num(pts)}）" for rid, (n, pts) in lost.items()]
    total_lost = sum(p for _, p in lost.values())
    floor = "，扣至0分为止" if total_lost > item.points else ""
    return f"扣{_num(min(total_lost, item.points))}分：{'；'.join(parts)}{floor}。{veto}"


def score_findings(findings: Iterable[Finding], rubric: Rubric) -> dict[str, Any]:
    titles = _rule_titles()
    items = [it for it in rubric.items if it.enabled]
    by_item: dict[str, list[Finding]] = {it.id: [] for it in items}
    for f in findings:
        it = rubric.item_for(f.rule, f.category)
        if it is not None:
            by_item[it.id].append(f)
    full = sum(it.points for it in items) or 1.0
    out_items, total, capped_by = [], 0.0, []
    for it in items:
        lost: dict[str, tuple[int, float]] = {}
        for f in by_item[it.id]:
            n, pts = lost.get(f.rule, (0, 0.0))
            lost[f.rule] = (n + 1, pts + rubric.deduction_for(f.rule, f.severity, it))
        lost = {rid: v for rid, v in lost.items() if v[1] > 0}
        kept = max(0.0, it.points - sum(p for _, p in lost.values()))
        blocking = it.blocker and any(f.severity == "error" for f in by_item[it.id])
        if blocking:
            capped_by.append(it.id)
        total += _num(kept * MAX / full)  # the total is the sum of the points shown
        out_items.append({
            "id": it.id, "name": it.name, "points": _num(kept * MAX / full), "max": _num(it.points * MAX / full),
            "blocker": it.blocker, "failed": blocking,
            "why": _explain(it, lost, blocking, rubric.cap_on_blocker, titles),
            "evidence": [{"rule": f.rule, "severity": f.severity, "start": f.start, "end": f.end,
                          "message": f.message} for f in by_item[it.id]],
        })
    capped = bool(capped_by) and total > rubric.cap_on_blocker
    if capped_by:
        total = min(total, rubric.cap_on_blocker)
    return {"total": _num(total), "max": MAX, "capped": capped, "cap": _num(rubric.cap_on_blocker),
            "capped_by": capped_by, "items": out_items, "summary": _summary(out_items, total, capped_by)}


def _summary(items: list[dict[str, Any]], total: float, capped_by: list[str]) -> str:
    lost = [f"{it['name']}扣{_num(it['max'] - it['points'])}分" for it in items if it["points"] < it["max"]]
    s = f"总分{_num(total)}分（满分{MAX}分）"
    s += "；" + "，".join(lost) if lost else "；各项均得满分"
    if capped_by:
        names = "、".join(it["name"] for it in items if it["id"] in capped_by)
        s += f"；{names}存在否决项，总分封顶"
    return s + "。"


def score_report(report: Report, rubric: Rubric | None = None) -> dict[str, Any]:
    """Score `report.findings` against `rubric` (default: the shipped rubric)."""
    if rubric is None:
        from fazhi.review.rubric import default_rubric

        rubric = default_rubric()
    return score_findings(report.findings, rubric)
