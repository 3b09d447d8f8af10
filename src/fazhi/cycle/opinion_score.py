"""The score after the reviewer's verdicts (pure functions, no database).

A finding is named by `finding_key` ("rule:start:end", None as empty). `rescore` runs the rubric's
own scoring (fazhi.review.score.score_findings) over the findings left after 误报 are taken out;
`final_score` adds what that changed to the machine's stored score, takes off the recycling
deduction, adds the reviewer's adjustment and keeps the total within 0..max.
"""
from __future__ import annotations

from typing import Any

FALSE_POSITIVE, ACCEPTED = "false_positive", "accepted"
VERDICT_LABELS = {FALSE_POSITIVE: "误报", ACCEPTED: "采纳"}


def finding_key(f: dict) -> str:
    """The key of a finding dict: f"{rule}:{start}:{end}" with None written as empty."""
    def part(v: Any) -> str:
        return "" if v is None else str(v)

    return f"{f.get('rule') or ''}:{part(f.get('start'))}:{part(f.get('end'))}"


def _num(x: float) -> float | int:
    x = round(float(x), 1)
    return int(x) if x == int(x) else x


def to_findings(dicts: list[dict]) -> list:
    """Finding objects of stored finding dicts (what the rubric's scoring takes)."""
    from fazhi.report import Finding

    return [Finding(rule=d.get("rule") or "", category=d.get("category") or "", severity=d.get("severity") or "info",
                    message=d.get("message") or "", suggestion=d.get("suggestion"), start=d.get("start"),
                    end=d.get("end")) for d in dicts]


def rescore(findings: list[dict], dismissed: set[str], rubric=None) -> dict[str, Any]:
    """The rubric's score of the findings not in `dismissed` (keys)."""
    from fazhi.review.rubric import default_rubric
    from fazhi.review.score import score_findings

    kept = [f for f in findings if finding_key(f) not in dismissed]
    return score_findings(to_findings(kept), rubric or default_rubric())


def dismissal_gain(findings: list[dict], dismissed: set[str], rubric=None) -> tuple[float, dict | None]:
    """(points the 误报 give back, the rescored score or None when nothing was dismissed)."""
    hit = {finding_key(f) for f in findings} & dismissed
    if not hit:
        return 0.0, None
    before = rescore(findings, set(), rubric)["total"]
    after = rescore(findings, hit, rubric)
    return float(after["total"]) - float(before), after


def adjust_bounds(base: float, maximum: float) -> tuple[float, float]:
    """The adjustments that keep base + adjust within 0..maximum."""
    return -float(base), float(maximum) - float(base)


def final_score(machine: float | None, maximum: float, gain: float, recycling: float,
                adjust: float) -> dict[str, Any]:
    """{"machine", "dismissed", "recycling", "adjust", "total", "max"}: the machine's total, points
    given back by 误报, the recycling deduction, the reviewer's adjustment and the total (0..max)."""
    if machine is None:
        return {"machine": None, "dismissed": 0, "recycling": 0, "adjust": 0, "total": None, "max": _num(maximum)}
    total = float(machine) + gain - recycling + adjust
    total = min(max(total, 0.0), float(maximum))
    return {"machine": _num(machine), "dismissed": _num(gain), "recycling": _num(recycling),
            "adjust": _num(adjust), "total": _num(total), "max": _num(maximum)}


def recycling_deduction(found: Any) -> float:
    """The deduction of a `Cycle.recycling(report_id)` answer (0 when absent or not a number)."""
    if isinstance(found, dict):
        value = found.get("deduction")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
    return 0.0


def _signature(f: dict, text: str) -> tuple[str, str]:
    start, end = f.get("start"), f.get("end")
    words = text[start:end] if start is not None and end is not None else f.get("message") or ""
    return f.get("rule") or "", words


def carried(old: list[dict], old_text: str, new: list[dict], new_text: str, keys: set[str]) -> dict[str, str]:
    """old key -> new key for the findings of `keys` that a newer version raises again: the same rule
    on the same words (or with the same message, for a finding without a span), found once in each."""
    from collections import Counter

    old_sig = {finding_key(f): _signature(f, old_text) for f in old}
    new_sig = [(finding_key(f), _signature(f, new_text)) for f in new]
    once_old = Counter(old_sig.values())
    once_new = Counter(sig for _, sig in new_sig)
    by_sig = {sig: key for key, sig in new_sig if once_new[sig] == 1}
    return {k: by_sig[old_sig[k]] for k in keys
            if k in old_sig and once_old[old_sig[k]] == 1 and old_sig[k] in by_sig}
