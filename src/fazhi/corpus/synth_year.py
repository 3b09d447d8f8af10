"""A synthetic next-year report of a real unit: what the same office might write a year later.

    text = next_year(sample_text, short="红江镇", seed=0)

Built from last year's text the way offices often do it: years moved on by one (not inside 《》
titles and 〔〕 document numbers: cited documents keep their names), a few counts changed, a sentence
added to one paragraph, one paragraph dropped, and one new paragraph. The added words are drawn
(by `seed`) from short texts written for this module, with the unit's name filled in. The result
reads like a report and goes through the whole engine; it is for demonstrations and tests of the
year-over-year diff, and is labelled synthetic wherever it is written (`fazhi.samples`).
"""
from __future__ import annotations

import random
import re

_YEAR = re.compile(r"(?<!\d)20[0-4]\d(?!\d)")
_KEEP = re.compile(r"《[^《》\n]*》|〔[^〔〕\n]*〕")  # titles and document numbers keep their years
_COUNT = re.compile(r"(?<![\d.])(\d{1,3})(?=[次件场人个家条期])")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")
PROSE_MIN = 80
SENTENCES = (
    "同时建立季度法治工作例会制度，定期听取各部门依法行政情况汇报。",
    "年内还对镇属各部门开展了一次依法行政专项督查，督查结果纳入年度考核。",
    "{unit}还将法治建设情况纳入村（社区）书记年度述职内容，逐一点评、限期整改。",
)
PARAGRAPHS = (
    "本年度{unit}新建公共法律服务工作站一个，聘请执业律师担任驻站顾问，全年接待群众法律咨询，"
    "办理法律援助案件，群众满意度明显提升。",
    "围绕乡村振兴重点任务，{unit}对涉农资金使用、集体资产处置和宅基地审批开展专项合法性审查，"
    "逐项列出问题清单并限期整改，整改情况在政务公开栏公示，接受群众监督。",
    "{unit}组织开展行政规范性文件清理，对不符合上位法规定、不适应改革要求的文件予以废止或修改，"
    "清理结果向社会公布。",
)


def shift_years(line: str, by: int = 1) -> str:
    """Every year 2000-2049 moved on by `by`, except inside 《》 titles and 〔〕 document numbers."""
    out, pos = [], 0
    for m in _KEEP.finditer(line):
        out.append(_YEAR.sub(lambda y: str(int(y.group()) + by), line[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_YEAR.sub(lambda y: str(int(y.group()) + by), line[pos:]))
    return "".join(out)


def _prose(lines: list[str]) -> list[int]:
    return [i for i, ln in enumerate(lines) if len(ln.strip()) >= PROSE_MIN and not _HEADING.match(ln)]


def next_year(text: str, *, short: str, seed: int = 0) -> str:
    """The next year's report of the unit whose short name (红江镇, 某某县) is `short`."""
    rng = random.Random(seed)
    lines = [shift_years(ln) for ln in text.split("\n")]
    prose = _prose(lines)
    if len(prose) < 6:
        raise ValueError("too little prose to make a next-year report from")
    counted = [i for i in prose if _COUNT.search(lines[i])]
    for i in rng.sample(counted, min(2, len(counted))):
        m = _COUNT.search(lines[i])
        lines[i] = lines[i][:m.start(1)] + str(int(m.group(1)) + rng.randint(2, 9)) + lines[i][m.end(1):]
    rest = [i for i in prose if i not in counted] or prose
    edit, drop, add_after = rng.sample(rest, 3) if len(rest) >= 3 else rng.sample(prose, 3)
    cut = lines[edit].find("。") + 1 or len(lines[edit])
    lines[edit] = lines[edit][:cut] + rng.choice(SENTENCES).format(unit=short) + lines[edit][cut:]
    indent = lines[add_after][:len(lines[add_after]) - len(lines[add_after].lstrip())]
    new = indent + rng.choice(PARAGRAPHS).format(unit=short)
    out = []
    for i, ln in enumerate(lines):
        if i != drop:
            out.append(ln)
        if i == add_after:
            out.append(new)
    return "\n".join(out)
