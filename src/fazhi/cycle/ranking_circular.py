"""The data of a year's 审查情况通报 (issue 14 item 5): who submitted, who was late, scores and ranking
per level, and the most common problems with one quoted example each. Rendered by
fazhi.render.review_circular_docx; no HTTP, no rendering here.

Problems are the findings of the year's current reports (one per submission), counted by rule;
findings a reviewer dismissed as 误报 (`finding_verdicts`, when the opinion module provides it) are
left out. Each problem names how many findings and how many reports, and quotes the words of the
first report (in ranking order) that has it.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

TOP_PROBLEMS = 10
QUOTE_CHARS = 60


def problem_counts(reports: list[dict], titles: dict[str, str], limit: int = TOP_PROBLEMS) -> list[dict]:
    """[{rule, title, findings, reports, example: {unit, quote, message}}] most frequent first, from
    reports [{"unit_name", "text", "findings"}] (each finding with rule/start/end/message)."""
    count: dict[str, int] = defaultdict(int)
    units: dict[str, set[int]] = defaultdict(set)
    example: dict[str, dict] = {}
    for i, rep in enumerate(reports):
        for f in rep["findings"]:
            rule = f.get("rule") or "?"
            count[rule] += 1
            units[rule].add(i)
            if rule not in example or (not example[rule]["quote"] and f.get("start") is not None):
                example[rule] = {"unit": rep["unit_name"], "quote": quote(rep["text"], f.get("start"), f.get("end")),
                                 "message": f.get("message") or ""}
    order = sorted(count, key=lambda r: (-len(units[r]), -count[r], r))[:limit]
    return [{"rule": r, "title": titles.get(r, r), "findings": count[r], "reports": len(units[r]),
             "example": example[r]} for r in order]


def quote(text: str, start: int | None, end: int | None) -> str:
    if start is None or end is None or end <= start:
        return ""
    q = " ".join(text[start:end].split())
    return q if len(q) <= QUOTE_CHARS else q[:QUOTE_CHARS - 1] + "…"


def rule_titles() -> dict[str, str]:
    from fazhi.review import checks  # noqa: F401  (registers the rules)
    from fazhi.review.registry import RULES

    return {rid: r.title for rid, r in RULES.items()}


def circular_data(cycle: Any, user: dict | None, year: int, today: date | None = None) -> dict:
    """Everything the 通报 says about report year `year` (reviewers only)."""
    from fazhi.cycle import deadlines as dl

    cycle._reviewer(user)
    today = today or dl.today()
    visible = cycle.visible_unit_ids(user)
    inactive = cycle.inactive_unit_ids()
    overview = [o for o in cycle.overview(year, today) if o["unit_id"] not in inactive
                and (visible is None or o["unit_id"] in visible)]
    ranking = cycle.ranking(user, year, today=today)
    levels: dict[str, dict] = {}
    for o in overview:
        g = levels.setdefault(o["level"] or "未定层级", {"level": o["level"] or "未定层级", "units": 0, "submitted": 0,
                                                          "late": [], "missing": [], "ranked": []})
        g["units"] += 1
        submitted = o["submitted_at"] is not None and o["status"] != "withdrawn"
        g["submitted"] += submitted
        if o["late"] and submitted:
            g["late"].append({"unit": o["unit_name"], "days": o["days_late"], "deadline": o["deadline"]})
        elif not submitted:
            g["missing"].append({"unit": o["unit_name"], "deadline": o["deadline"], "late": o["late"],
                                 "days": o["days_late"]})
    for lv, rows in ranking.items():
        levels.setdefault(lv, {"level": lv, "units": 0, "submitted": 0, "late": [], "missing": [], "ranked": []})
        levels[lv]["ranked"] = rows
    order = [*dl.levels(), "未定层级"]
    groups = sorted(levels.values(), key=lambda g: order.index(g["level"]) if g["level"] in order else len(order))
    ranked = [r for rows in ranking.values() for r in rows]
    reports = _reports_of(cycle, ranked)
    scores = [r["score"] for r in ranked if r["score"] is not None]
    return {"year": year, "today": today.isoformat(), "groups": groups,
            "units": sum(g["units"] for g in groups), "submitted": sum(g["submitted"] for g in groups),
            "late": sum(len(g["late"]) for g in groups), "missing": sum(len(g["missing"]) for g in groups),
            "average": round(sum(scores) / len(scores), 1) if scores else None,
            "problems": recycling_problems(ranked) + problem_counts(reports, rule_titles())}


def recycling_problems(ranked: list[dict]) -> list[dict]:
    """照搬往年 / 抄用他单位 as problems of the 通报 (reports whose share reached a threshold)."""
    out = []
    for key, title in (("recycled", "照搬往年报告（沿用比例偏高）"), ("copied", "抄用其他单位报告（抄用比例偏高）")):
        hit = [r for r in ranked if r.get(f"{key}_share") is not None and _over(r, key)]
        if hit:
            worst = max(hit, key=lambda r: r[f"{key}_share"])
            out.append({"rule": f"recycling-{key}", "title": title, "findings": len(hit), "reports": len(hit),
                        "example": {"unit": worst["unit_name"], "quote": "",
                                    "message": f"{'沿用' if key == 'recycled' else '抄用'}比例 {worst[f'{key}_share']:.1%}"}})
    return out


def _over(row: dict, key: str) -> bool:
    from fazhi.cycle.recycling import grade, recycling_rules

    return grade(row[f"{key}_share"], recycling_rules().get(key) or {}) != "ok"


def _reports_of(cycle: Any, ranked: list[dict]) -> list[dict]:
    """The current reports' texts and findings (误报 left out), in ranking order."""
    verdicts_of = getattr(cycle, "finding_verdicts", None)
    out = []
    for r in ranked:
        row = cycle.corpus.get(r["report_id"])
        if row is None:
            continue
        findings = (row["analysis"] or {}).get("findings") or []
        if verdicts_of is not None:
            verdicts = verdicts_of(r["report_id"]) or {}
            findings = [f for f in findings if verdicts.get(finding_key(f)) != "false_positive"]
        out.append({"unit_name": r["unit_name"], "text": row["text"], "findings": findings})
    return out


def finding_key(f: dict) -> str:
    """The key the opinion module files a verdict under: rule:start:end (None as empty)."""
    return ":".join("" if v is None else str(v) for v in (f.get("rule"), f.get("start"), f.get("end")))
