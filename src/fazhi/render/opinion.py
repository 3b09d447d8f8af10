"""The review opinion (审查意见) a reviewing office sends back, built once from a Report.

`build_opinion(report)` returns a format-independent tree: an `Opinion` with a title, an
addressee, an opening paragraph, numbered `Section`s (level 1 一、, level 2 （一）) holding
paragraphs, finding items and tables, a closing line and a date. The renderers
(opinion_docx.py, opinion_text.py) only lay it out; they never look at the Report.

Every string taken from the report (title, quotes, subjects) is plain text here; each
renderer escapes it for its own format.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fazhi.report import PART_KEYS, Finding, Report

CATEGORY_LABEL = {"structure": "结构", "metadata": "要素", "format": "格式", "formulation": "表述",
                  "timeliness": "时效", "content": "内容", "duplication": "重复"}
CATEGORY_TITLE = {"structure": "结构和法定内容", "metadata": "公文要素", "format": "公文格式",
                  "formulation": "规范表述", "timeliness": "报送和公开时效", "content": "内容质量",
                  "duplication": "重复雷同"}
CATEGORY_ORDER = ("structure", "metadata", "timeliness", "content", "formulation", "format", "duplication")
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
QUOTE_MAX = 60
CN_NUMERALS = "一二三四五六七八九十"


@dataclass
class Para:
    text: str
    label: str | None = None  # a bold lead-in such as "报告单位："


@dataclass
class FindingItem:
    severity: str  # error | warning | info
    message: str
    quote: str | None = None  # report.text[start:end], shortened
    suggestion: str | None = None
    rule: str = ""

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABEL.get(self.severity, self.severity)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str | None = None


Block = Para | FindingItem | Table


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Opinion:
    title: str
    addressee: str | None
    opening: str
    sections: list[Section]
    closing: str
    signer: str
    date: str  # GB/T 9704 form: 2024年3月5日
    note: str = ""


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 23 -> 二十三 (enough for section numbers)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens - 1]
    return head + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def heading_marker(level: int, n: int) -> str:
    return f"{cn_number(n)}、" if level == 1 else f"（{cn_number(n)}）"


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def quote(text: str, start: int | None, end: int | None, limit: int = QUOTE_MAX) -> str | None:
    """The quoted words of a span, one line, shortened with … when long."""
    if start is None or end is None or end <= start:
        return None
    s = text[start:end].replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if not s.strip():
        return None
    return s if len(s) <= limit else s[:limit].rstrip() + "…"


def report_name(report: Report) -> str:
    """How the opinion names the report: its title, or unit + year."""
    m = report.metadata
    if m.title:
        return m.title.strip("《》")
    year = f"{m.report_year}年度" if m.report_year else ""
    return f"{m.issuer or ''}{year}法治政府建设情况报告"


def opinion_title(report: Report) -> str:
    return f"关于《{report_name(report)}》的审查意见"


# ---------------------------------------------------------------- sections


def basics_section(report: Report) -> Section:
    m = report.metadata
    place = "".join(p for p in (m.place.province, m.place.city if m.place.city != m.place.province else None,
                                m.place.county, m.place.town) if p)
    year = f"{m.report_year}年" if m.report_year else None
    rows = [("报告名称", report_name(report)), ("报告单位", m.issuer), ("报告年度", year),
            ("成文日期", _cn_iso(m.sign_date)), ("发布日期", _cn_iso(m.publish_date)), ("层级", m.level),
            ("地区", place or None)]
    blocks: list[Block] = [Para(v or "未识别", label=f"{k}：") for k, v in rows]
    return Section("基本情况", blocks)


def _cn_iso(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        return cn_date(dt.date.fromisoformat(iso))
    except ValueError:
        return iso


def score_section(report: Report) -> Section:
    s = report.score
    if not s:
        return Section("评分情况", [Para("本次审查未计分。")])
    total = f"{fmt_number(s['total'])}分（满分{fmt_number(s['max'])}分）"
    blocks: list[Block] = [Para(total, label="审查得分：")]
    if s.get("capped"):
        names = [i["name"] for i in s.get("items", []) if i.get("id") in s.get("capped_by", [])]
        which = "、".join(f"“{n}”" for n in names) or "否决项"
        blocks.append(Para(f"{which}属否决项且未达标，总分不超过{fmt_number(s.get('cap', 0))}分。", label="封顶说明："))
    rows = [[i["name"], _points(i), i.get("why", "")] for i in s.get("items", [])]
    if rows:
        blocks.append(Table(["评分项", "得分/满分", "说明"], rows))
    return Section("评分情况", blocks)


def _points(item: dict) -> str:
    mark = "（否决项）" if item.get("blocker") else ""
    return f"{fmt_number(item['points'])}/{fmt_number(item['max'])}{mark}"


def parts_section(report: Report) -> Section:
    from fazhi.structure.parts import part_rules

    names = part_rules()["parts"]
    blocks: list[Block] = []
    for key in PART_KEYS:
        name = names[key]["name"]
        idx = report.parts.get(key)
        if idx is not None and 0 <= idx < len(report.outline):
            h = report.outline[idx]
            heading = " ".join(report.text[h.start:h.end].split()) or h.title
            blocks.append(Para(f"已包含，见标题“{heading}”。", label=f"{name}："))
        elif place := (report.facts.get("part_content") or {}).get(key):
            blocks.append(Para(f"未设专门标题，相关内容见{place.where}。", label=f"{name}："))
        else:
            blocks.append(Para("未见相应内容，请按《法治政府建设与责任落实督察工作规定》补充。", label=f"{name}："))
    return Section("法定内容情况", blocks)


def finding_item(report: Report, f: Finding) -> FindingItem:
    return FindingItem(f.severity, f.message, quote(report.text, f.start, f.end), f.suggestion, f.rule)


def findings_section(report: Report) -> Section:
    by_cat: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_cat.setdefault(f.category, []).append(f)
    if not by_cat:
        return Section("发现的问题和修改建议", [Para("经审查，未发现需要修改的问题。")])
    counts = {k: sum(1 for f in report.findings if f.severity == k) for k in SEVERITY_LABEL}
    summary = "、".join(f"{SEVERITY_LABEL[k]}{n}处" for k, n in counts.items() if n)
    sec = Section("发现的问题和修改建议", [Para(f"共发现问题{len(report.findings)}处（{summary}），按类别列示如下。")])
    order = list(CATEGORY_ORDER) + sorted(k for k in by_cat if k not in CATEGORY_ORDER)
    for cat in order:
        items = by_cat.get(cat)
        if not items:
            continue
        items = sorted(items, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3),
                                             f.start if f.start is not None else -1))
        title = f"{CATEGORY_TITLE.get(cat, cat)}（{CATEGORY_LABEL.get(cat, cat)}，{len(items)}处）"
        sec.subsections.append(Section(title, [finding_item(report, f) for f in items]))
    return sec


def indicator_value(value: float, unit: str | None, qualifier: str | None) -> str:
    from fazhi.data import load_yaml

    before = set(load_yaml("units.yaml").get("qualifiers", {}).get("before", []))
    q = qualifier or ""
    num = fmt_number(value)
    return f"{q}{num}{unit or ''}" if q in before else f"{num}{q}{unit or ''}"


def indicators_section(report: Report) -> Section:
    if not report.indicators:
        return Section("量化指标", [Para("报告中未识别到量化指标，建议用数据说明工作成效。")])
    cov = report.areas.get("coverage", {}) if report.areas else {}
    names = {k: v.get("short") or v.get("name", k) for k, v in cov.items()}
    rows = [[str(n), ind.subject, indicator_value(ind.value, ind.unit, ind.qualifier), ind.measure or "",
             names.get(ind.area or "", "")] for n, ind in enumerate(report.indicators, 1)]
    return Section("量化指标", [Para(f"报告中识别到量化指标{len(rows)}项。"),
                               Table(["序号", "事项", "数值", "指标类别", "纲要领域"], rows)])


def areas_section(report: Report) -> Section:
    areas = report.areas or {}
    cov = areas.get("coverage") or {}
    uncovered = areas.get("uncovered") or []
    scheme = areas.get("scheme")
    plan = f"《法治政府建设实施纲要（{scheme.replace('-', '—')}年）》" if scheme else "《法治政府建设实施纲要》"
    if not cov:
        return Section("纲要领域覆盖情况", [Para(f"未能判断报告对{plan}各领域的覆盖情况。")])
    if not uncovered:
        return Section("纲要领域覆盖情况", [Para(f"报告涉及了{plan}的全部{len(cov)}个领域。")])
    names = [cov.get(k, {}).get("name") or k for k in uncovered]
    blocks: list[Block] = [Para(f"对照{plan}的{len(cov)}个领域，报告未见涉及以下{len(names)}个领域：")]
    blocks += [Para(f"{i}．{n}") for i, n in enumerate(names, 1)]
    blocks.append(Para("请补充这些领域的工作情况；确无相关工作的，可简要说明。"))
    return Section("纲要领域覆盖情况", blocks)


# ---------------------------------------------------------------- the whole opinion


def build_opinion(report: Report, today: dt.date | None = None) -> Opinion:
    """The review opinion for one analysed report (dates as 2024年3月5日)."""
    today = today or dt.date.today()
    name = report_name(report)
    opening = (f"你单位报送的《{name}》收悉。经对照《法治政府建设与责任落实督察工作规定》"
               "和审查细则逐项审查，现将审查意见反馈如下。")
    sections = [basics_section(report), score_section(report), parts_section(report),
                findings_section(report), indicators_section(report), areas_section(report)]
    closing = "请对照以上意见认真修改完善，按规定时限报送并向社会公开。"
    return Opinion(title=opinion_title(report), addressee=report.metadata.issuer, opening=opening,
                   sections=sections, closing=closing, signer="审查单位（盖章）", date=cn_date(today),
                   note="本意见由 fazhi 依据规则自动生成，供审查人员复核后使用。")


def numbered(opinion: Opinion):
    """Yield (level, marker, section) in document order: 一、 for level 1, （一） for level 2."""
    for i, sec in enumerate(opinion.sections, 1):
        yield 1, heading_marker(1, i), sec
        for j, sub in enumerate(sec.subsections, 1):
            yield 2, heading_marker(2, j), sub
