"""Summary sections for the extracted facts: indicators and 纲要 area coverage."""
from __future__ import annotations

from typing import TYPE_CHECKING

from fazhi.report import Report

if TYPE_CHECKING:
    from rich.console import RenderableType

MAX_ROWS = 30


def _area_names(report: Report) -> dict[str, str]:
    cov = report.areas.get("coverage", {}) if report.areas else {}
    return {k: v.get("short") or v.get("name", k) for k, v in cov.items()}


def _fmt_value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def indicators_table(report: Report) -> "RenderableType | None":
    from rich.table import Table

    if not report.indicators:
        return None
    names = _area_names(report)
    t = Table(title=f"量化指标（{len(report.indicators)}）", title_justify="left", header_style="bold")
    for col in ("事项", "数值", "统一口径", "纲要领域"):
        t.add_column(col)
    for ind in report.indicators[:MAX_ROWS]:
        value = f"{ind.qualifier or ''}{_fmt_value(ind.value)}{ind.unit or ''}"
        t.add_row(ind.subject, value, ind.measure or "", names.get(ind.area or "", ""))
    if len(report.indicators) > MAX_ROWS:
        t.caption = f"另有 {len(report.indicators) - MAX_ROWS} 项，完整列表见 --json"
    return t


def areas_table(report: Report) -> "RenderableType | None":
    from rich.table import Table

    cov = report.areas.get("coverage") if report.areas else None
    if not cov:
        return None
    scheme = report.areas.get("scheme", "")
    t = Table(title=f"纲要领域覆盖（{scheme}）", title_justify="left", header_style="bold")
    for col in ("领域", "段落", "字数", "指标"):
        t.add_column(col, justify="right" if col != "领域" else "left")
    for area_id, c in cov.items():
        name = c.get("short") or c.get("name", area_id)
        if c.get("paragraphs", 0) == 0:
            t.add_row(f"[red]{name}（未涉及）[/]", "0", "0", str(c.get("indicators", 0)))
        else:
            t.add_row(name, str(c["paragraphs"]), str(c.get("chars", 0)), str(c.get("indicators", 0)))
    return t


def citations_line(report: Report) -> "RenderableType | None":
    if not report.citations:
        return None
    titles = "、".join(c.title + (f"（{c.doc_number}）" if c.doc_number else "") for c in report.citations[:8])
    more = f" 等 {len(report.citations)} 件" if len(report.citations) > 8 else ""
    return f"[bold]引用文件[/]：{titles}{more}"


def score_table(report: Report) -> "RenderableType | None":
    from rich.table import Table

    s = report.score
    if not s:
        return None
    capped = "（存在否决项，封顶）" if s.get("capped") else ""
    t = Table(title=f"评分：{s['total']:g} / {s['max']:g}{capped}", title_justify="left", header_style="bold")
    t.add_column("评分项")
    t.add_column("得分", justify="right")
    t.add_column("说明")
    for item in s.get("items", []):
        style = "red" if item.get("failed") and item.get("blocker") else ""
        t.add_row(item["name"], f"{item['points']:g}/{item['max']:g}", item.get("why", ""), style=style)
    return t


KIND_LABEL = {"copying": "抄用他单位", "recycling": "沿用往年", "template": "通用套话"}


def copies_table(report: Report) -> "RenderableType | None":
    from rich.table import Table

    if not report.copies:
        return None
    t = Table(title=f"重复内容（{len(report.copies)}）", title_justify="left", header_style="bold")
    for col in ("类型", "相似度", "本文", "对方"):
        t.add_column(col)
    for c in report.copies[:MAX_ROWS]:
        other = c.get("other", {})
        who = " ".join(str(x) for x in (other.get("issuer") or other.get("unit"), other.get("year")) if x)
        quote = report.text[c["start"]:c["end"]].replace("\n", " ")
        t.add_row(KIND_LABEL.get(c.get("kind", ""), c.get("kind", "")), f"{c['similarity']:.2f}",
                  quote[:40] + ("…" if len(quote) > 40 else ""), who or str(other.get("path", "")))
    return t
