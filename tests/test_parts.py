"""The four mandated parts (督察工作规定), whatever the heading wording."""
from __future__ import annotations

import pytest

from fazhi.structure.parts import classify_heading, heading_parts, map_parts
from fazhi.structure.outline import build_outline
from fazhi.report import Span
from fazhi.text.view import make_view


PART_ORDER = ("measures", "shortcomings", "first_responsible", "next_year")


@pytest.mark.parametrize("title,part", [
    ("2023年度推进法治政府建设的主要举措和成效", "measures"),
    ("开展的工作", "measures"),
    ("基本工作情况", "measures"),
    ("依法行政工作情况", "measures"),
    ("2023年法治政府建设存在不足和原因", "shortcomings"),
    ("当前工作存在的主要问题", "shortcomings"),
    ("存在的主要问题和不足", "shortcomings"),
    ("2023年度党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况", "first_responsible"),
    ("坚持依法依规，履行第一责任", "first_responsible"),
    ("下一步工作计划", "next_year"),
    ("下一步工作重点", "next_year"),
    ("下一年度推进法治政府建设的主要安排", "next_year"),
    ("依法全面履行政府职能", None),
])
def test_heading_words(title, part):
    assert classify_heading(title, 2023) == part


def test_next_year_by_the_year_after_the_report_year():
    assert classify_heading("2024年法治政府建设思路", 2023) == "next_year"
    assert classify_heading("2024年法治政府建设思路", 2024) is None


@pytest.mark.parametrize("prefix,missing", [("000", []), ("002", []), ("003", []),
                                            ("001", ["first_responsible"]), ("004", ["first_responsible"])])
def test_seed_parts_and_part_missing_findings(analyzed, prefix, missing):
    report = analyzed(prefix)
    assert [k for k, v in report.parts.items() if v is None] == missing
    for k, idx in report.parts.items():
        if idx is not None:
            assert report.outline[idx].level == 1
    flagged = [f.extra["part"] for f in report.findings if f.rule == "part-missing"]
    assert flagged == missing
    assert all(f.category == "structure" and f.severity == "error"
               for f in report.findings if f.rule == "part-missing")


def test_report_organised_by_areas_takes_its_first_heading_as_measures():
    text = ("一、依法全面履行政府职能\n深化放管服改革。\n二、推进行政决策科学化\n严格执行重大行政决策程序。\n"
            "三、存在的问题\n执法力量不足。\n四、党政主要负责人履行第一责任人职责情况\n主要负责人带头述法。\n"
            "五、2024年工作安排\n持续深化改革。\n")
    outline = build_outline(make_view(text), Span(0, len(text)), text)
    parts = map_parts(outline, 2023)
    assert [outline[parts[k]].title for k in ("measures", "shortcomings", "first_responsible", "next_year")] == [
        "依法全面履行政府职能", "存在的问题", "党政主要负责人履行第一责任人职责情况", "2024年工作安排"]


# ---------------------------------------------------------------- headings that name no part, or two

MEASURES_TEXT = ("全年提交镇党委会议集体研究的重大事项18项，合法性审查率达到100%。聘请法律顾问2名，审查合同协议46份。\n"
                 "开展执法案卷评查2次，评查案卷35件，整改问题6个。全年办理行政处罚案件27件，无一例被复议纠错。\n")
SHORT_TEXT = ("一是执法队伍专业化水平不高，部分执法人员法律知识不够扎实；二是法治宣传形式较为单一，群众参与度有待提高；"
              "三是基层法治力量薄弱，村级法律服务覆盖不充分。\n")
FR_TEXT = ("镇党委书记、镇长切实履行推进法治建设第一责任人职责，亲自部署重要工作，亲自过问重大问题，"
           "全年主持召开法治建设专题会议4次。年底带头述法，接受评议。\n")
NEXT_TEXT = ("持续深化依法行政，完善重大行政决策程序，加强行政执法人员培训，提升执法规范化水平。"
             "创新普法方式，推动法律进村入户，营造办事依法、遇事找法的良好氛围。\n")


def parts_of(text: str, year: int | None):
    view = make_view(text)
    outline = build_outline(view, Span(0, len(text)), text)
    parts = map_parts(outline, year, view)
    return {k: (outline[i].title if i is not None else None) for k, i in parts.items()}


def four(titles: list[str]) -> str:
    bodies = [MEASURES_TEXT, SHORT_TEXT, FR_TEXT, NEXT_TEXT]
    return "".join(f"{'一二三四'[n]}、{t}\n{b}" for n, (t, b) in enumerate(zip(titles, bodies)))


def test_thematic_headings_are_mapped_by_their_words_and_content():
    titles = ["聚焦重点任务，法治政府建设扎实推进", "正视困难挑战，查找薄弱环节",
              "压实主体责任，“关键少数”示范带头作用充分发挥", "锚定目标任务，谋划来年法治建设"]
    assert parts_of(four(titles), 2023) == dict(zip(PART_ORDER, titles))


@pytest.mark.parametrize("year", [2023, 2024, None])
def test_reworded_headings_whatever_the_report_year(year):
    """需要改进的方面 / 党政主要领导带头抓… / 2024年重点工作: the last is next year's by what it says
    (nothing done, all to do), even when the report year was misread as 2024."""
    titles = ["坚持高位推动，全面提升法治政府建设水平", "需要改进的方面", "党政主要领导带头抓法治建设情况", "2024年重点工作"]
    assert parts_of(four(titles), year) == dict(zip(PART_ORDER, titles))


def test_a_thematic_section_full_of_results_is_not_next_year():
    titles = ["坚持高位推动，全面提升法治政府建设水平", "需要改进的方面", "党政主要领导带头抓法治建设情况", "强化执法监督"]
    text = four(titles).replace(NEXT_TEXT, MEASURES_TEXT)
    assert parts_of(text, 2023)["next_year"] is None


@pytest.mark.parametrize("title,year,want", [
    ("2024年工作打算", None, "next_year"),
    ("2024年重点工作安排", None, "next_year"),
    ("谋划来年法治建设", None, "next_year"),
    ("需要改进的方面", None, "shortcomings"),
    ("党政主要领导带头抓法治建设情况", None, "first_responsible"),
    ("黨政主要負責人履行推進法治建設第一責任人職責情況", 2023, "first_responsible"),  # traditional script
    ("2023年法治建設存在的不足", 2023, "shortcomings"),
    ("2024年重点工作", None, None),  # a year alone says nothing without the report year
])
def test_heading_words_without_the_report_year(title, year, want):
    assert classify_heading(title, year) == want


@pytest.mark.parametrize("title,want", [
    ("2023年度主要举措、成效和不足", ["shortcomings", "measures"]),
    ("存在的问题及下一步打算", ["shortcomings", "next_year"]),
    ("2023年工作情况及2024年工作打算", ["next_year", "measures"]),
    ("下一步工作思路和举措", ["next_year"]),
    ("党委和政府主要负责人履行第一责任人职责情况", ["first_responsible"]),
    ("主要举措和成效", ["measures"]),
])
def test_one_heading_may_carry_two_parts(title, want):
    assert heading_parts(title, 2023) == want


def test_two_parts_in_one_heading_map_to_it():
    text = ("一、2023年度主要举措、成效和不足\n" + MEASURES_TEXT + SHORT_TEXT + "二、党政主要负责人履行第一责任人职责情况\n"
            + FR_TEXT + "三、2024年工作打算\n" + NEXT_TEXT)
    got = parts_of(text, 2023)
    assert got["measures"] == got["shortcomings"] == "2023年度主要举措、成效和不足"
    assert got["next_year"] == "2024年工作打算"


def test_next_year_heading_by_the_year_after_another_heading():
    text = ("一、2023年工作开展情况\n" + MEASURES_TEXT + "二、存在的问题\n" + SHORT_TEXT
            + "三、党政主要负责人履行第一责任人职责情况\n" + FR_TEXT + "四、2024年重点工作\n" + MEASURES_TEXT)
    assert parts_of(text, None)["next_year"] == "2024年重点工作"


# ---------------------------------------------------------------- content without a heading of its own

def analyzed_text(tmp_path, text: str):
    import fazhi

    path = tmp_path / "r.txt"
    path.write_text("某某镇人民政府关于2023年度法治政府建设情况的报告\n县委、县政府：\n"
                    "2023年，我镇扎实推进法治政府建设，现将有关情况报告如下：\n" + text
                    + "某某镇人民政府\n2024年1月15日\n", encoding="utf-8")
    return fazhi.analyze(path)


def part_findings(report):
    return {(f.rule, f.extra["part"]): f for f in report.findings if f.rule in ("part-missing", "part-untitled")}


def test_first_responsible_paragraph_inside_the_measures_is_a_warning(tmp_path):
    text = ("一、主要举措和成效\n（一）健全依法决策机制\n" + MEASURES_TEXT + "（二）加强组织领导\n" + FR_TEXT
            + "二、存在的不足\n" + SHORT_TEXT + "三、下一步工作打算\n" + NEXT_TEXT)
    r = analyzed_text(tmp_path, text)
    assert r.parts["first_responsible"] is None
    found = part_findings(r)
    assert set(found) == {("part-untitled", "first_responsible")}
    f = found[("part-untitled", "first_responsible")]
    assert f.severity == "warning" and f.category == "structure"
    assert "未设专门标题" in f.message and "“一、主要举措和成效”下的“（二）加强组织领导”中的一段" in f.message
    assert r.text[f.start:f.end] == FR_TEXT.strip()
    assert r.score["total"] > 59  # no blocker


def test_a_sub_heading_naming_the_part_is_a_warning_too(tmp_path):
    text = ("一、主要举措和成效\n（一）健全依法决策机制\n" + MEASURES_TEXT + "（二）切实履行推进法治建设第一责任人职责\n"
            + FR_TEXT + "二、存在的不足\n" + SHORT_TEXT + "三、下一步工作打算\n" + NEXT_TEXT)
    r = analyzed_text(tmp_path, text)
    assert r.outline[r.parts["first_responsible"]].title == "切实履行推进法治建设第一责任人职责"
    [f] = [f for f in r.findings if f.rule == "part-untitled"]
    assert "“一、主要举措和成效”下的“（二）切实履行推进法治建设第一责任人职责”" in f.message
    assert not [f for f in r.findings if f.rule == "part-missing"]


def test_shortcomings_inside_the_measures_and_a_passing_mention_of_the_duty(tmp_path):
    """One clause naming the duty in a paragraph about something else is no report of it."""
    mention = ("一是狠抓组织领导。严格落实党政主要负责人履行推进法治建设第一责任人职责，及时调整领导小组成员，"
               "配备日常工作机构，实现领导、机构、人员、经费四到位。\n")
    text = ("一、主要举措和成效\n" + mention + MEASURES_TEXT + "在肯定成绩的同时，我们也清醒认识到还存在一些不足：" + SHORT_TEXT
            + "二、下一步工作打算\n" + NEXT_TEXT)
    r = analyzed_text(tmp_path, text)
    found = part_findings(r)
    assert set(found) == {("part-untitled", "shortcomings"), ("part-missing", "first_responsible")}
    assert found[("part-missing", "first_responsible")].severity == "error"
    assert "正文也未见相关内容" in found[("part-missing", "first_responsible")].message
    assert r.score["total"] <= 59


def test_next_year_heading_is_known_without_the_report_year():
    """So the report year is never read from it (2024年重点工作 in a report on 2023)."""
    from fazhi.structure.parts import next_year_heading

    titles = ["坚持高位推动，全面提升法治政府建设水平", "需要改进的方面", "党政主要领导带头抓法治建设情况", "2024年重点工作"]
    text = four(titles)
    view = make_view(text)
    outline = build_outline(view, Span(0, len(text)), text)
    assert outline[next_year_heading(outline, view)].title == "2024年重点工作"


@pytest.mark.parametrize("passage,about", [
    ("市政府主要负责同志认真履行推进法治建设第一责任人职责，主持召开常务会议研究法治政府建设议题12项。", True),
    ("县委、县政府主要领导定期听取法治建设工作汇报，亲自部署重点任务。", True),
    ("严格落实党政主要负责人履行推进法治建设第一责任人职责，及时调整领导小组成员，配备日常工作机构。", False),
    ("进一步强化党政主要负责人履行法治建设第一责任人职责，推动各部门将党的领导贯彻到法治建设全过程。", False),
    ("成立了以镇党委书记为组长的领导小组，统筹协调、督促检查各项工作。", False),
])
def test_a_passage_reports_the_duty_when_the_leader_is_its_subject(passage, about):
    from fazhi.structure.part_content import passage_about

    view = make_view(passage)
    assert passage_about(view, Span(0, len(view)), "first_responsible", 2023) is about
