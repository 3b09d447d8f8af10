"""The 通报 draft of a report year as .docx: "关于{year}年度法治政府建设年度报告报送情况的通报（草稿）",
listing by level the units that submitted late (with days late), never submitted, and were approved
but not published by the publication deadline, with counts. Same look as the 审查意见
(fazhi.render.opinion_docx: GB/T 9704 page, fonts, tables), built from its helpers.

    render_circular(cycle.circular_data(user, 2025)) -> bytes
"""
from __future__ import annotations

from fazhi.render.opinion import Table
from fazhi.render.opinion_docx import (CN_NUM, _body_para, captioned_table, cn_date, new_document, sign_off,
                                       to_bytes)

SIGNER = "依法治县办"


def circular_title(year: int) -> str:
    return f"关于{year}年度法治政府建设年度报告报送情况的通报（草稿）"


def summary_sentence(data: dict) -> str:
    return (f"截至{cn_date(data['today'])}，应报送{data['year']}年度法治政府建设年度报告的单位共{data['units']}个，"
            f"按期报送{data['on_time']}个，逾期报送{data['late']}个，逾期未报送{data['missing']}个，"
            f"审查通过后逾期未公开{data['unpublished']}个。")


def level_sentence(g: dict) -> str:
    return (f"{g['level']}共{g['units']}个单位：按期报送{g['on_time']}个，逾期报送{len(g['late'])}个，"
            f"逾期未报送{len(g['missing'])}个，通过后逾期未公开{len(g['unpublished'])}个。")


def level_tables(g: dict) -> list[Table]:
    """The level's lists as tables (only those with units)."""
    out = []
    if g["late"]:
        out.append(Table(["序号", "单位", "报送期限", "逾期天数"],
                         [[str(i), r["unit"], r["deadline"], f"{r['days']}天"] for i, r in enumerate(g["late"], 1)],
                         "逾期报送"))
    if g["missing"]:
        out.append(Table(["序号", "单位", "报送期限", "已逾期"],
                         [[str(i), r["unit"], r["deadline"], f"{r['days']}天" if r["days"] else ""]
                          for i, r in enumerate(g["missing"], 1)], "逾期未报送"))
    if g["unpublished"]:
        out.append(Table(["序号", "单位", "公开期限", "已逾期"],
                         [[str(i), r["unit"], r["deadline"], f"{r['days']}天"]
                          for i, r in enumerate(g["unpublished"], 1)], "审查通过后逾期未公开"))
    return out


def render_circular(data: dict) -> bytes:
    """The draft as .docx bytes."""
    document = new_document(circular_title(data["year"]))
    _body_para(document, indent=False).add_run("各有关单位：")
    _body_para(document).add_run(summary_sentence(data) + "现将有关情况通报如下：")
    if not data["groups"]:
        _body_para(document).add_run("本年度尚无报送单位。")
    for n, g in enumerate(data["groups"]):
        document.add_heading(f"{CN_NUM[n % len(CN_NUM)]}、{g['level']}", level=1)
        _body_para(document).add_run(level_sentence(g))
        for table in level_tables(g):
            captioned_table(document, table)
    _body_para(document).add_run("请上述逾期报送、未报送和未按期公开的单位高度重视，认真查找原因，"
                                 "立即报送或公开，并将整改情况书面报送依法治县办。")
    sign_off(document, SIGNER, cn_date(data["today"]))
    return to_bytes(document)
