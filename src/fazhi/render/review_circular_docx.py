"""The county-wide 审查情况通报 of a report year as .docx (issue 14 item 5): "关于{year}年度法治政府建设
年度报告审查情况的通报" — who submitted, who was late or never submitted, scores and ranking per
level, and the most common problems with one quoted example each. Same look as the 审查意见
(fazhi.render.opinion_docx: GB/T 9704 page, fonts, tables).

    render_review_circular(cycle.review_circular_data(user, 2025)) -> bytes
"""
from __future__ import annotations

from fazhi.render.opinion import Table
from fazhi.render.opinion_docx import (CN_NUM, _body_para, captioned_table, cn_date, new_document, sign_off,
                                       to_bytes)

SIGNER = "依法治县办"


def title(year: int) -> str:
    return f"关于{year}年度法治政府建设年度报告审查情况的通报"


def overall_sentence(data: dict) -> str:
    avg = f"，平均得分{data['average']:g}分" if data.get("average") is not None else ""
    return (f"截至{cn_date(data['today'])}，应报送{data['year']}年度法治政府建设年度报告的单位共{data['units']}个，"
            f"已报送{data['submitted']}个（其中逾期报送{data['late']}个），未报送{data['missing']}个{avg}。")


def share(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def ranking_table(g: dict) -> Table:
    return Table(["名次", "单位", "得分", "报送情况", "沿用比例"],
                 [[str(r["rank"]) if r.get("rank") else "—", r["unit_name"],
                   "" if r["score"] is None else f"{r['score']:g}",
                   f"逾期{r['days_late']}天" if r.get("late") else "按时", share(r.get("recycled_share"))]
                  for r in g["ranked"]], f"{g['level']}得分排名")


def late_table(g: dict) -> Table | None:
    if not g["late"]:
        return None
    return Table(["序号", "单位", "报送期限", "逾期天数"],
                 [[str(i), r["unit"], r["deadline"], f"{r['days']}天"] for i, r in enumerate(g["late"], 1)],
                 "逾期报送")


def missing_table(g: dict) -> Table | None:
    if not g["missing"]:
        return None
    return Table(["序号", "单位", "报送期限", "状态"],
                 [[str(i), r["unit"], r["deadline"], f"已逾期{r['days']}天" if r.get("late") and r.get("days") else "未报送"]
                  for i, r in enumerate(g["missing"], 1)], "未报送")


def problems_table(problems: list[dict]) -> Table:
    return Table(["序号", "问题", "涉及报告", "问题数", "示例"],
                 [[str(i), p["title"], f"{p['reports']}份", str(p["findings"]),
                   f"{p['example']['unit']}：“{p['example']['quote']}”" if p["example"]["quote"]
                   else f"{p['example']['unit']}：{p['example']['message']}"]
                  for i, p in enumerate(problems, 1)], "常见问题")


def render_review_circular(data: dict) -> bytes:
    """The 通报 as .docx bytes."""
    document = new_document(title(data["year"]))
    _body_para(document, indent=False).add_run("各有关单位：")
    _body_para(document).add_run(overall_sentence(data) + "现将审查情况通报如下：")
    n = 0

    def heading(text: str) -> None:
        nonlocal n
        document.add_heading(f"{CN_NUM[n % len(CN_NUM)]}、{text}", level=1)
        n += 1

    heading("报送情况")
    for g in data["groups"]:
        _body_para(document).add_run(f"{g['level']}应报送{g['units']}个单位，已报送{g['submitted']}个，"
                                     f"逾期报送{len(g['late'])}个，未报送{len(g['missing'])}个。")
        for table in (late_table(g), missing_table(g)):
            if table is not None:
                captioned_table(document, table)
    heading("得分与排名")
    ranked = [g for g in data["groups"] if g["ranked"]]
    if not ranked:
        _body_para(document).add_run("本年度尚无可排名的报告。")
    for g in ranked:
        captioned_table(document, ranking_table(g))
    heading("主要问题")
    if data["problems"]:
        _body_para(document).add_run("审查中发现的问题按涉及报告数排列如下，各单位可对照自查：")
        captioned_table(document, problems_table(data["problems"]))
    else:
        _body_para(document).add_run("本年度审查未发现共性问题。")
    heading("工作要求")
    _body_para(document).add_run("请逾期报送和未报送的单位认真查找原因，立即报送；请各单位对照审查意见和上述问题"
                                 "逐项整改，整改情况书面报送依法治县办。")
    sign_off(document, SIGNER, cn_date(data["today"]))
    return to_bytes(document)


