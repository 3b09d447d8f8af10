"""Content rules: publishability (secrecy markers, personal data), boilerplate density,
quantification density and uncovered 纲要 areas.

Sources: rules.md R23 (areas), R24 (quantification), R26-R27 (boilerplate), R28 and A1.9
(a published report carries no secret marking and no personal data; GB/T 9704-2012 7.2.2
for the form of a 密级 marking). Thresholds marked ⚙ are project-defined.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from fazhi.data import load_yaml
from fazhi.report import Report
from fazhi.review.registry import Hit, rule
from fazhi.text.lines import iter_lines
from fazhi.text.matcher import WordMatcher


def _view(report: Report) -> str:
    return report.view or report.text


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


_NOT_CJK = re.compile("[^\u3400-\u9fff]+")


def cjk_only(s: str) -> str:
    """The characters of `s` for which is_cjk holds, in order (one re.sub, not a loop per character)."""
    return _NOT_CJK.sub("", s)


# ---------------------------------------------------------------- secrecy markers (R28)

# A 密级 marking is written 秘密★1年 / 机密★ / 绝密 at the top of a document (GB/T 9704 7.2.2),
# or as a standalone line (内部资料 注意保存). In running text the same words are ordinary
# words about secrecy work (保守国家秘密法, 商业秘密, 涉密), so only marking forms are matched.
SECRET_STAR = re.compile(r"(?:绝密|机密|秘密)[ \u3000]*[★☆*＊][ \u3000]*(?:\d+[ \u3000]*(?:年|个月))?")
MARKER_LINE = re.compile(
    r"(?:[（(【\[]\s*)?(?:绝密|机密|秘密|内部资料|内部文件|内部使用|内部参阅|不宜公开)"
    r"(?:\s*[）)】\]])?[\s，,、]*(?:注意保存|不得外传|请勿外传|严禁外传|请勿公开)?\s*")
MARKER_PHRASE = re.compile(r"(?:内部资料|内部文件|内部使用)[ \u3000，,、]*(?:注意保存|不得外传|请勿外传|严禁外传)"
                           r"|[（(【\[]\s*(?:内部资料|内部文件|内部使用|不宜公开)\s*[）)】\]]")


def secrecy_markers(view: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for rx in (SECRET_STAR, MARKER_PHRASE):
        out += [(m.start(), m.end()) for m in rx.finditer(view, start, end)]
    for sp in iter_lines(view, start, end):
        m = MARKER_LINE.fullmatch(view, sp.start, sp.end)
        if m and m.group().strip():
            out.append((sp.start, sp.end))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


@rule("secrecy-marker", "content", "error", "涉密或内部标识")
def secrecy_marker(report: Report) -> Iterator[Hit]:
    """A report to be published carries no 密级 or 内部资料 marking (rules.md R28, A1.9)."""
    for a, b in secrecy_markers(_view(report), report.body.start, report.body.end):
        raw = report.text[a:b].strip()
        yield Hit(message=f"报告中有“{raw}”标识，按规定应向社会公开的报告不应含涉密或内部标识。",
                  suggestion="核实报告能否公开：确需公开的删去该标识，涉密内容不得公开发布。", start=a, end=b)


# ---------------------------------------------------------------- personal data (R28)

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![\dA-Za-z.,，])1[3-9]\d{9}(?![\dA-Za-z.%])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_NOT_PHONE_AFTER = set("元万亿件人次个户宗条项份场起名家台辆吨米亩千百")


def id_checksum_ok(number: str) -> bool:
    """GB 11643-1999 check digit of an 18-digit citizen ID number."""
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == number[17].upper()


def personal_numbers(view: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of ID numbers with a valid check digit and of mobile numbers."""
    for m in ID_NUMBER.finditer(view, start, end):
        if id_checksum_ok(m.group()):
            yield m.start(), m.end(), "身份证号码"
    for m in MOBILE.finditer(view, start, end):
        if m.end() < len(view) and view[m.end()] in _NOT_PHONE_AFTER:
            continue  # an amount or a count, not a phone number
        yield m.start(), m.end(), "手机号码"


def _mask(s: str) -> str:
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


@rule("personal-data", "content", "error", "个人信息")
def personal_data(report: Report) -> Iterator[Hit]:
    """Citizen ID numbers (valid check digit) and mobile numbers must not be published
    (rules.md R28; 个人信息保护法). Hotlines such as 12345 do not match."""
    for a, b, kind in personal_numbers(_view(report), report.body.start, report.body.end):
        yield Hit(message=f"报告中出现疑似{kind}“{_mask(report.text[a:b])}”。",
                  suggestion=f"公开前删除或隐去{kind}（如“{_mask(report.text[a:b])}”）；公布联系方式请用单位电话。",
                  start=a, end=b)


# ---------------------------------------------------------------- boilerplate (R26, R27)

SENTENCE = re.compile(r"[^。！？；;!?\n]+")
_ENUM = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|[一二三四五六七八九十]+是)")


@cache
def stock_lexicon() -> dict[str, Any]:
    data = load_yaml("stock_phrases.yaml")
    words = sorted(set(data["phrases"]) | set(data["fillers"]), key=len, reverse=True)
    return {**data, "regex": re.compile("|".join(map(re.escape, words))), "matcher": WordMatcher(words)}


def leftover(sentence: str) -> str:
    """The Chinese characters of a sentence that are not stock phrases or fillers."""
    return cjk_only(stock_lexicon()["matcher"].remove(sentence))


def is_stock(sentence: str) -> bool:
    return len(leftover(sentence)) <= stock_lexicon()["max_leftover"]


def sentences(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans with at least 4 Chinese characters."""
    return [(m.start(), m.end()) for m in SENTENCE.finditer(view, start, end)
            if len(cjk_only(m.group())) >= 4]


def is_headline(view: str, a: int, b: int) -> bool:
    """A short enumerated item title (一是执法能力有待提高) or a short line of its own."""
    s = view[a:b]
    line_start = a == 0 or view[a - 1] == "\n"
    line_end = b >= len(view) or view[b] in "\n。" and (b + 1 >= len(view) or view[b + 1] == "\n")
    return len(s.strip()) <= 20 and (bool(_ENUM.match(s)) or line_start and line_end)


def stock_share(view: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(stock sentences, all sentences)."""
    return sum(is_stock(view[a:b]) for a, b in spans), len(spans)


def _part_span(report: Report, key: str) -> tuple[int, int] | None:
    idx = report.parts.get(key)
    if idx is None or not 0 <= idx < len(report.outline):
        return None
    h = report.outline[idx]
    end = h.section_end or report.body.end
    return (h.end, end) if end > h.end else None


@rule("boilerplate-density", "content", "info", "套话比例")
def boilerplate_density(report: Report) -> Iterator[Hit]:
    """Share of sentences made only of stock phrases (data/stock_phrases.yaml, rules.md R27),
    for the whole body (info) and for the shortcomings part (warning when most is stock)."""
    view, lex = _view(report), stock_lexicon()
    spans = sentences(view, report.body.start, report.body.end)
    stock, total = stock_share(view, spans)
    if total >= lex["min_sentences"] and stock / total >= lex["document_ratio"]:
        yield Hit(message=f"全文{total}句中有{stock}句（{stock / total:.0%}）只由套话构成。",
                  suggestion="用具体做法、数据和事例替换空泛表述。", extra={"ratio": round(stock / total, 3)})
    part = _part_span(report, "shortcomings")
    if part is None:
        return
    body = [(a, b) for a, b in sentences(view, *part) if not is_headline(view, a, b)
            and not view[a:b].rstrip().endswith(("：", ":"))]
    stock, total = stock_share(view, body)
    if total >= lex["min_sentences"] and stock / total > lex["shortcomings_ratio"]:
        first = next((a, b) for a, b in body if is_stock(view[a:b]))
        yield Hit(message=f"“存在的不足和原因”部分{total}句中有{stock}句只由套话构成，问题和原因不具体。",
                  suggestion="逐条写明具体问题、涉及的领域或单位、数据和原因。", start=first[0], end=first[1],
                  severity="warning", extra={"ratio": round(stock / total, 3)})


# ---------------------------------------------------------------- quantification (R24)

# Defaults when no rubric is given; data/rubric.yaml `rules.quantification-density.params` sets them.
QUANT_DEFAULTS = {"low_density": 1.0, "min_body_chars": 500, "min_area_chars": 600}


def cjk_count(view: str, start: int, end: int) -> int:
    return len(cjk_only(view[start:end]))


@rule("quantification-density", "content", "warning", "数据支撑")
def quantification_density(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """Indicators per 1,000 Chinese characters of the body, overall and per 纲要 area
    (rules.md R24, D1, D5). Skipped until the indicator stage has run."""
    p = {**QUANT_DEFAULTS, **(params or {})}
    if not report.indicators:
        return
    chars = cjk_count(_view(report), report.body.start, report.body.end)
    if chars < p["min_body_chars"]:
        return
    density = len(report.indicators) / chars * 1000
    if density < p["low_density"]:
        yield Hit(message=f"全文仅有{len(report.indicators)}项量化数据，约每千字{density:.1f}项，用数据说明成效不足。",
                  suggestion="补充案件数、办结率、培训人次、审查件数等具体数据。",
                  extra={"density": round(density, 2)})
    coverage = report.areas.get("coverage") or {}
    thin = [c.get("short") or c.get("name") or k for k, c in coverage.items()
            if c.get("main_chars", 0) >= p["min_area_chars"] and c.get("indicators", 0) == 0]
    if thin:
        yield Hit(message=f"以下领域篇幅较长但没有量化数据：{'、'.join(thin)}。",
                  suggestion="为这些领域补充具体数据或事例。", severity="info", extra={"areas": thin})


# ---------------------------------------------------------------- uncovered areas (R23)

NOT_SUBSTANTIVE = {"overall"}  # rules.md R23/C1: part 一 (总体要求) is no work area of its own
# Defaults when no rubric is given; data/rubric.yaml `rules.areas-uncovered.params` sets them.
AREAS_DEFAULTS = {"min_covered_share": 0.5, "mention_score": 2.0}


def _mentioned_areas(report: Report, scheme: str | None, mention_score: float) -> set[str]:
    """Areas with at least one typical keyword somewhere in the body. The area stage tags each
    paragraph with its main areas only; an area named in passing is not "said nothing about"."""
    if not scheme:
        return set()
    from fazhi.extract.areas import signal_scores, to_scheme

    scores = to_scheme(signal_scores(_view(report), report.body.start, report.body.end), scheme)
    return {k for k, v in scores.items() if v >= mention_score}


@rule("areas-uncovered", "content", "info", "纲要领域未涉及")
def areas_uncovered(report: Report, params: Mapping[str, Any] | None = None) -> Iterator[Hit]:
    """纲要 areas the report says nothing about (rules.md R23). Skipped before the area stage."""
    p = {**AREAS_DEFAULTS, **(params or {})}
    coverage = {k: v for k, v in (report.areas.get("coverage") or {}).items() if k not in NOT_SUBSTANTIVE}
    uncovered = [k for k in report.areas.get("uncovered") or [] if k not in NOT_SUBSTANTIVE]
    mentioned = _mentioned_areas(report, report.areas.get("scheme"), p["mention_score"])
    uncovered = [k for k in uncovered if k not in mentioned]
    if not uncovered:
        return
    names = [(coverage.get(k) or {}).get("short") or (coverage.get(k) or {}).get("name") or k for k in uncovered]
    total = len(coverage) or len(uncovered)
    covered = total - len(uncovered)
    severity = "warning" if covered / total < p["min_covered_share"] else "info"
    yield Hit(message=f"报告未见涉及《法治政府建设实施纲要》的{len(uncovered)}个领域：{'、'.join(names)}。",
              suggestion="补充这些领域的工作情况，确无相关工作的可简要说明。", severity=severity,
              extra={"areas": list(uncovered)})
