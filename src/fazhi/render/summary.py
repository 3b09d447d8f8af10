"""The readable summary that `fazhi analyze` prints without --json (rich)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from fazhi.report import PART_KEYS, Report

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

SEVERITY_LABEL = {"error": "[bold red]错误[/]", "warning": "[yellow]警告[/]", "info": "[blue]提示[/]"}
CATEGORY_LABEL = {"structure": "结构", "metadata": "要素", "format": "格式", "formulation": "表述",
                  "timeliness": "时效", "content": "内容", "duplication": "重复"}


def _quote(report: Report, start: int | None, end: int | None, width: int = 30) -> str:
    if start is None or end is None:
        return ""
    s = report.text[start:end].replace("\n", " ")
    return "“" + (s if len(s) <= width else s[:width] + "…") + "”"


def metadata_table(report: Report) -> "RenderableType":
    from rich.table import Table

    m = report.metadata
    place = "".join(p for p in (m.place.province, m.place.city if m.place.city != m.place.province else None,
                                m.place.county, m.place.town) if p)
    rows = [("标题", m.title), ("发文机关", m.issuer), ("主送机关", m.addressee),
            ("报告年度", str(m.report_year) if m.report_year else None), ("成文日期", m.sign_date),
            ("发布日期", m.publish_date), ("层级", m.level), ("地区", place or None)]
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    for k, v in rows:
        t.add_row(k, v if v else "[dim]（未识别）[/]")
    return t


def outline_tree(report: Report) -> "RenderableType":
    from rich.tree import Tree

    root = Tree("[bold]提纲[/]")
    stack: list[tuple[int, Tree]] = [(0, root)]
    for h in report.outline:
        while stack[-1][0] >= h.level:
            stack.pop()
        mark = h.marker or "[red]（序号缺失）[/]"
        node = stack[-1][1].add(f"{mark}{h.title}")
        stack.append((h.level, node))
    if not report.outline:
        root.add("[dim]未识别到编号标题[/]")
    return root


def parts_table(report: Report) -> "RenderableType":
    from rich.table import Table

    from fazhi.structure.parts import part_rules

    names = part_rules()["parts"]
    t = Table(title="法定内容", title_justify="left", show_header=False, box=None)
    for key in PART_KEYS:
        idx = report.parts.get(key)
        place = (report.facts.get("part_content") or {}).get(key)
        if idx is None and place is not None:
            t.add_row("[yellow]△[/]", names[key]["name"], f"[yellow]未设标题，见{place.where}[/]")
        elif idx is None:
            t.add_row("[red]✗[/]", names[key]["name"], "[red]缺失[/]")
        else:
            h = report.outline[idx]
            t.add_row("[green]✓[/]", names[key]["name"], f"{h.marker}{h.title}")
    return t


def findings_table(report: Report) -> "RenderableType":
    from rich.table import Table

    t = Table(title=f"发现问题（{len(report.findings)}）", title_justify="left", show_header=True,
              header_style="bold")
    t.add_column("级别", no_wrap=True)
    t.add_column("类别", no_wrap=True)
    t.add_column("说明")
    t.add_column("原文")
    for f in report.findings:
        t.add_row(SEVERITY_LABEL.get(f.severity, f.severity), CATEGORY_LABEL.get(f.category, f.category), f.message,
                  _quote(report, f.start, f.end))
    return t


def print_summary(report: Report, console: "Console") -> None:
    from rich.rule import Rule

    title = report.metadata.title or report.metadata.issuer or report.source.path
    console.print(Rule(f"[bold]{title}[/]"))
    enc = f"，{report.source.encoding}" if report.source.encoding else ""
    console.print(f"[dim]{report.source.path}（{report.source.format}{enc}，正文 {len(report.body)} 字）[/]")
    console.print(metadata_table(report))
    console.print(outline_tree(report))
    console.print(parts_table(report))
    for extra in _extra_sections() + EXTRA_SECTIONS:
        if (r := extra(report)) is not None:
            console.print(r)
    if report.findings:
        console.print(findings_table(report))
    else:
        console.print("[green]未发现问题[/]")


def _extra_sections() -> list:
    from fazhi.render import facts

    return [facts.indicators_table, facts.areas_table, facts.citations_line, facts.copies_table,
            facts.score_table]


# sections after the parts table, in order; each returns None when it has nothing to show
EXTRA_SECTIONS: list = []
