"""The reviewer's own opinion: its first items, made from the findings left after 误报 and the
reviewer's comments, and the `Opinion` tree of an edited opinion (same renderers as the machine's).

`initial_items` orders findings as `findings_section` of fazhi.render.opinion does (category, then
severity, then place) and words each one as the opinion's finding lines read (without the number).
`edited_opinion` keeps the machine opinion's basic sections and puts the reviewer's 总体意见, the
final score and the edited items, in their order, in place of the generated findings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fazhi.render.opinion import (CATEGORY_ORDER, SEVERITY_ORDER, FindingItem, Opinion, Para, Section,
                                  build_opinion, fmt_number, quote)

FINDINGS_TITLE = "发现的问题和修改建议"
ITEMS_TITLE = "审查意见和修改建议"
OVERALL_TITLE = "总体意见"
RECYCLING_TITLE = "沿用往年和抄用他单位情况"
MAX_ITEM = 4000


@dataclass
class Draft:
    """One opinion item before it is stored."""
    body: str
    source: str  # finding | comment | manual
    ref: str | None = None


@dataclass
class Edited:
    """What the office made of the machine's opinion (Cycle.document_opinion)."""
    items: list[str] | None = None  # the reviewer's items in order (None: the generated findings section)
    overall: str | None = None  # 总体意见
    score: dict[str, Any] | None = None  # Cycle.final_score(report_id) (None: the machine's score section)
    adjust_reason: str | None = None
    rescored: dict[str, Any] | None = None  # the rubric's score after 误报 (None: as the machine scored)
    dismissed: set[str] = field(default_factory=set)  # keys of the findings dismissed as 误报
    recycling: str | None = None  # the 沿用/抄用 sentence (fazhi.cycle.recycling)


def _category_rank(cat: str) -> int:
    return CATEGORY_ORDER.index(cat) if cat in CATEGORY_ORDER else len(CATEGORY_ORDER)


def ordered_findings(findings: list[dict]) -> list[dict]:
    """Finding dicts in the opinion's order: by category, then severity, then place."""
    return sorted(findings, key=lambda f: (_category_rank(f.get("category") or ""), f.get("category") or "",
                                           SEVERITY_ORDER.get(f.get("severity"), 3),
                                           f["start"] if f.get("start") is not None else -1))


def finding_text(f: dict, text: str) -> str:
    """One finding as an opinion line: 【错误】message 原文：“…”。建议：…"""
    from fazhi.render.opinion_text import finding_sentence

    item = FindingItem(f.get("severity") or "info", f.get("message") or "", quote(text, f.get("start"), f.get("end")),
                       f.get("suggestion"), f.get("rule") or "")
    return "".join(t for role, t in finding_sentence(item, 0) if role != "num")


def comment_text(c: dict) -> str:
    """A reviewer's comment as an opinion line."""
    body = " ".join(str(c.get("body") or "").split())
    q = c.get("quote")
    if q:
        q = " ".join(str(q).split())
        q = q if len(q) <= 60 else q[:60] + "…"
        return f"关于“{q}”：{body}"
    return body


def initial_items(findings: list[dict], text: str, comments: list[dict], keep=lambda f: True) -> list[Draft]:
    """The opinion's first items: findings `keep` lets through, in the opinion's order, then comments."""
    from fazhi.cycle.opinion_score import finding_key

    out = [Draft(finding_text(f, text)[:MAX_ITEM], "finding", finding_key(f))
           for f in ordered_findings([f for f in findings if keep(f)])]
    out += [Draft(comment_text(c)[:MAX_ITEM], "comment", str(c["id"])) for c in comments if c.get("body")]
    return out


def _score_section(base: Section, e: Edited) -> Section:
    s = e.score or {}
    if s.get("total") is None:
        return base
    head = Para(f"{fmt_number(s['total'])}分（满分{fmt_number(s['max'])}分）", label="审查得分：")
    notes = [f"系统评分{fmt_number(s['machine'])}分"]
    if s.get("dismissed"):
        notes.append(f"排除误报后{'加' if s['dismissed'] > 0 else '减'}{fmt_number(abs(s['dismissed']))}分")
    if s.get("recycling"):
        notes.append(f"沿用往年内容扣{fmt_number(s['recycling'])}分")
    if s.get("adjust"):
        why = f"（{e.adjust_reason}）" if e.adjust_reason else ""
        notes.append(f"审查人员{'加' if s['adjust'] > 0 else '减'}{fmt_number(abs(s['adjust']))}分{why}")
    blocks = [head, Para("；".join(notes) + "。", label="计分说明：")]
    blocks += [b for b in base.blocks if not (isinstance(b, Para) and b.label == "审查得分：")]
    return Section(base.title, blocks, base.subsections)


def edited_opinion(report, e: Edited, today=None) -> Opinion:
    """The opinion with what the office made of it (report: an analysed Report): 误报 left out, the
    reviewer's 总体意见 and items in place of the generated findings, the final score, 沿用/抄用."""
    from fazhi.cycle.opinion_score import finding_key

    if e.dismissed:
        report.findings = [f for f in report.findings if finding_key(f.to_dict()) not in e.dismissed]
    if e.rescored is not None:
        report.score = e.rescored
    op = build_opinion(report, today)
    sections: list[Section] = []
    for sec in op.sections:
        if sec.title == "评分情况":
            if e.overall and e.overall.strip():
                sections.append(Section(OVERALL_TITLE, [Para(p.strip()) for p in e.overall.splitlines() if p.strip()]))
            sections.append(_score_section(sec, e))
            if e.recycling:
                sections.append(Section(RECYCLING_TITLE, [Para(e.recycling)]))
        elif sec.title == FINDINGS_TITLE and e.items is not None:
            blocks = [Para(f"{n}．{body}") for n, body in enumerate(e.items, 1)]
            sections.append(Section(ITEMS_TITLE, blocks or [Para("经审查，未发现需要修改的问题。")]))
        else:
            sections.append(sec)
    op.sections = sections
    if e.items is not None:
        op.note = "本意见由审查人员在 fazhi 系统生成的意见基础上复核修改。"
    return op
