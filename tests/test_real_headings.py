"""Headings and the four mandated parts as real publishing delivers them: whitespace after
the marker, Word's automatic numbering (the .docx and its LibreOffice PDF), unnumbered bold
headings on a web page, text flattened onto one line, garbled markers, masked years and
traditional script. Each file is made here and analysed whole; each must give all four
parts and the right metadata."""
from __future__ import annotations

import opencc
import pytest

import fazhi
from make_files import make_autonumbered_report, to_pdf, write_bold_headings_html

TITLE = "青山镇人民政府关于2023年度法治政府建设情况的报告"
HEAD = [TITLE, "县委、县政府：",
        "2023年，青山镇在县委、县政府的坚强领导下，深入学习贯彻习近平法治思想，扎实推进法治政府建设，"
        "各项工作取得新进展。现将有关情况报告如下："]
MEASURES = [
    ("健全依法决策机制", "严格落实重大行政决策程序，全年提交镇党委会议集体研究的重大事项18项，合法性审查率达到100%。"
                         "聘请法律顾问2名，审查合同协议46份，提出修改意见31条。"),
    ("规范行政执法行为", "全面推行行政执法三项制度，开展执法案卷评查2次，评查案卷35件，整改问题6个。"
                         "全年办理行政处罚案件27件，无一例被复议纠错或诉讼败诉。"),
]
SHORTCOMINGS = ("一是执法队伍专业化水平不高，部分执法人员法律知识不够扎实；二是法治宣传形式较为单一，群众参与度有待提高；"
                "三是基层法治力量薄弱，村级法律服务覆盖不充分。原因主要是学习培训不够系统，经费保障不足。")
FIRST_RESPONSIBLE = ("镇党委书记、镇长切实履行推进法治建设第一责任人职责，亲自部署重要工作，亲自过问重大问题，"
                     "全年主持召开法治建设专题会议4次。年底在县委全面依法治县委员会会议上带头述法，接受评议。")
NEXT_YEAR = ("下一步，我镇将持续深化依法行政，重点抓好以下工作：一是完善重大行政决策程序；"
             "二是加强执法人员培训，提升执法规范化水平；三是创新普法方式，推动法律进村入户。")
TITLES = ["2023年度推进法治政府建设的主要举措和成效", "存在的不足和原因",
          "党政主要负责人履行推进法治建设第一责任人职责情况", "2024年度推进法治政府建设的主要安排"]
SIGN = ["青山镇人民政府", "2024年1月15日"]
CN = "一二三四五六"
PARTS = ("measures", "shortcomings", "first_responsible", "next_year")


def paragraphs(titles=TITLES) -> list[tuple[int, str]]:
    """The report as (level, text): level 1 and 2 headings without markers, 0 for text."""
    out = [(0, t) for t in HEAD]
    bodies = [None, SHORTCOMINGS, FIRST_RESPONSIBLE, NEXT_YEAR]
    for title, body in zip(titles, bodies):
        out.append((1, title))
        if body is None:
            for sub, text in MEASURES:
                out += [(2, sub), (0, text)]
        else:
            out.append((0, body))
    return out + [(0, t) for t in SIGN]


def report_text(l1=lambda n, t: f"{CN[n - 1]}、{t}", l2=lambda n, t: f"（{CN[n - 1]}）{t}",
                titles=TITLES, sep="\n") -> str:
    lines, n1, n2 = [], 0, 0
    for level, text in paragraphs(titles):
        if level == 1:
            n1, n2 = n1 + 1, 0
            text = l1(n1, text)
        elif level == 2:
            n2 += 1
            text = l2(n2, text)
        lines.append(text)
    return sep.join(lines)


def analyze_text(tmp_path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return fazhi.analyze(path)


def assert_four_parts(report, titles=TITLES):
    """All four parts found, each at the level-1 heading that names it, and no part finding."""
    level1 = [h for h in report.outline if h.level == 1]
    assert [h.title for h in level1][:4] == [report.text[h.title_start:h.title_end].replace("\n", "")
                                            for h in level1][:4]
    simplified = opencc.OpenCC("t2s").convert
    got = {k: simplified(report.outline[i].title) if i is not None else None for k, i in report.parts.items()}
    assert got == {k: t for k, t in zip(PARTS, titles)}
    assert not [f for f in report.findings if f.rule in ("part-missing", "part-untitled")]


def assert_metadata(report, year: int | None = 2023):
    assert report.metadata.report_year == year
    assert report.metadata.sign_date == "2024-01-15"


@pytest.mark.parametrize("space", [" ", "\t", "\u3000", "\u00a0"], ids=["space", "tab", "ideographic", "nbsp"])
def test_whitespace_after_the_marker(tmp_path, space):
    text = report_text(l1=lambda n, t: f"{CN[n - 1]}、{space}{t}", l2=lambda n, t: f"（{CN[n - 1]}）{space}{t}")
    r = analyze_text(tmp_path, text)
    assert_four_parts(r)
    assert_metadata(r)
    assert [h.marker for h in r.outline if h.level == 1] == ["一、", "二、", "三、", "四、"]
    assert [h.title for h in r.outline if h.level == 2] == ["健全依法决策机制", "规范行政执法行为"]


@pytest.mark.parametrize("marker", ["{}.", "{},、", "{}，"], ids=["dot", "comma-dunhao", "comma"])
def test_garbled_level_one_markers(tmp_path, marker):
    r = analyze_text(tmp_path, report_text(l1=lambda n, t: marker.format(CN[n - 1]) + t))
    assert_four_parts(r)
    assert_metadata(r)
    assert not [h for h in r.outline if h.inferred]


def test_masked_years(tmp_path):
    """Aggregators mask digits: ****年度推进法治政府建设的主要举措和成效."""
    text = report_text().replace("2023", "****").replace("2024", "****")
    r = analyze_text(tmp_path, text)
    assert_four_parts(r, [t.replace("2023", "****").replace("2024", "****") for t in TITLES])
    assert r.metadata.report_year is None  # no year is left to read


def test_traditional_script(tmp_path):
    trad = opencc.OpenCC("s2t").convert(report_text())
    r = analyze_text(tmp_path, trad)
    assert_four_parts(r)
    assert_metadata(r)
    fr = r.outline[r.parts["first_responsible"]]
    assert fr.title == "黨政主要負責人履行推進法治建設第一責任人職責情況"  # as written


@pytest.mark.parametrize("sep", ["", " "], ids=["no-breaks", "breaks-as-spaces"])
def test_text_flattened_onto_one_line(tmp_path, sep):
    text = report_text(sep=sep)
    assert "\n" not in text
    r = analyze_text(tmp_path, text)
    level1 = [h for h in r.outline if h.level == 1]
    assert [h.marker for h in level1] == ["一、", "二、", "三、", "四、"]
    # a title runs to the next marker or sentence end; glued to its paragraph, to its first clause
    assert [h.title for h in level1][:2] == TITLES[:2]
    assert level1[2].title.startswith(TITLES[2]) and level1[3].title.startswith(TITLES[3])
    level2 = [h.title for h in r.outline if h.level == 2]
    assert len(level2) == 2 and level2[0].startswith("健全依法决策机制") and level2[1].startswith("规范行政执法行为")
    if sep == " ":
        assert level2 == ["健全依法决策机制", "规范行政执法行为"]
    assert all(r.text[h.start:h.start + len(h.marker)] == h.marker for h in r.outline)
    assert all(r.parts[k] == r.outline.index(h) for k, h in zip(PARTS, level1))
    assert not [f for f in r.findings if f.rule in ("part-missing", "part-untitled")]
    assert r.metadata.report_year == 2023


def test_level_one_markers_all_lost(tmp_path):
    """A repost that dropped every 一、…四、: the short lines between paragraphs are the headings."""
    r = analyze_text(tmp_path, report_text(l1=lambda n, t: t))
    assert_four_parts(r)
    assert_metadata(r)
    level1 = [h for h in r.outline if h.level == 1]
    assert [(h.number, h.inferred, h.marker) for h in level1] == [(n, True, "") for n in range(1, 5)]
    missing = [f.message for f in r.findings if f.rule == "heading-marker-missing"]
    assert len(missing) == 4 and "推断为第2个" in missing[1]


def test_html_page_with_unnumbered_bold_headings(tmp_path):
    page = write_bold_headings_html(tmp_path / "page.html", paragraphs()[1:], TITLE)
    r = fazhi.analyze(page)
    assert_four_parts(r)
    assert_metadata(r)
    assert [(h.level, h.title) for h in r.outline][:3] == [(1, TITLES[0]), (2, "健全依法决策机制"),
                                                          (2, "规范行政执法行为")]
    assert all(h.inferred for h in r.outline)


@pytest.fixture(scope="module", params=[24, 40], ids=["label-smaller", "label-larger"])
def autonumbered(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"autonum{request.param}")
    return make_autonumbered_report(d / "report.docx", paragraphs(), request.param)


def test_word_automatic_numbering(autonumbered):
    r = fazhi.analyze(autonumbered)
    assert_four_parts(r)
    assert_metadata(r)
    assert [h.marker for h in r.outline if h.level == 1] == ["一、", "二、", "三、", "四、"]


@pytest.mark.needs("soffice")
def test_pdf_of_word_automatic_numbering(autonumbered):
    """LibreOffice sets the label apart; the PDF text puts it on a line of its own, after
    the heading (smaller label) or before it (larger label)."""
    pdf = to_pdf(autonumbered, autonumbered.parent, autonumbered.parent / "profile")
    r = fazhi.analyze(pdf)
    assert any(line in ("一、", "（一）") for line in r.text.split("\n"))  # the case at hand
    assert_four_parts(r)
    assert_metadata(r)
    level1 = [h for h in r.outline if h.level == 1]
    assert [(h.marker, h.number) for h in level1] == [(m + "、", n) for n, m in enumerate("一二三四", 1)]
    for h in r.outline:
        assert h.marker in r.text[h.start:h.end] and h.title in r.text[h.start:h.end]
