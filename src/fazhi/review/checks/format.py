"""Format rules: GB/T 9704-2012 (公文格式), GB/T 15834-2011 (标点), GB/T 15835-2011 (数字).

Sources: /work/shared/research/rules.md E1-E3 and rubric R13, R14, R16, R17.
Every rule reads `report.view` inside the report body and reports spans on the words.
Low-stakes style rules are `info`; clear typing errors (a backslash in a unit, doubled
punctuation, a stray space that splits a word or a number from its unit) are `warning`.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from fazhi.report import Report, Span
from fazhi.review.registry import Hit, rule
from fazhi.text.lines import iter_lines


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _view(report: Report) -> str:
    return report.view or report.text


def _body(report: Report) -> tuple[int, int]:
    return report.body.start, report.body.end


def segments(report: Report) -> list[tuple[int, int]]:
    """The body minus the lines that carry page metadata (来源: … 发布时间: …)."""
    text, (lo, hi) = report.text, _body(report)
    cut: list[tuple[int, int]] = []
    for key, val in report.page_meta.items():
        if key.endswith("_span") and isinstance(val, (list, tuple)) and len(val) == 2 and lo <= val[0] < hi:
            a = text.rfind("\n", lo, val[0]) + 1 or lo
            b = text.find("\n", val[1], hi)
            cut.append((max(a, lo), hi if b < 0 else b))
    out, pos = [], lo
    for a, b in sorted(cut):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < hi:
        out.append((pos, hi))
    return out


def finditer(rx: re.Pattern[str], report: Report, needs: tuple[str, ...] = ()) -> Iterator[re.Match[str]]:
    """rx's matches in the segments. `needs`: strings one of which every match contains; when the
    view holds none of them the scan is skipped (a substring test is far cheaper than the regex)."""
    view = _view(report)
    if needs and not any(n in view for n in needs):
        return
    for a, b in segments(report):
        yield from rx.finditer(view, a, b)


def _quote(report: Report, start: int, end: int, pad: int = 0) -> str:
    a, b = max(report.body.start, start - pad), min(report.body.end, end + pad)
    return report.text[a:b].replace("\n", " ").strip()


# ---------------------------------------------------------------- 发文字号 (E1.2, E1.6, R14)

DOC_NUMBER = re.compile(
    r"(?P<open>[\[\(（【［〔])\s*(?P<y>\d{4}|\d{2})\s*(?P<close>[\]\)）】］〕])"
    r"\s*(?P<di>第)?\s*(?P<n>\d{1,5})\s*号")


def doc_number_problems(m: re.Match[str]) -> list[str]:
    """What is wrong with one 发文字号 match (empty list: nothing)."""
    y, good_brackets = m["y"], m["open"] == "〔" and m["close"] == "〕"
    if len(y) == 2 and not good_brackets:
        return []  # (23)5号 is too ambiguous to call a document number
    if len(y) == 4 and not 1949 <= int(y) <= 2100:
        return []
    problems = []
    if not good_brackets:
        problems.append(f"年份应使用六角括号“〔〕”，不应使用“{m['open']}{m['close']}”")
    if len(y) == 2:
        problems.append("年份应写全四位")
    if m["di"]:
        problems.append("序号前不加“第”")
    if len(m["n"]) > 1 and m["n"].startswith("0"):
        problems.append("序号不编虚位（不加前导0）")
    return problems


def fixed_doc_number(m: re.Match[str]) -> str:
    y = m["y"] if len(m["y"]) == 4 else "20" + m["y"]
    return f"〔{y}〕{int(m['n'])}号"


@rule("doc-number-format", "format", "warning", "发文字号格式")
def doc_number_format(report: Report) -> Iterator[Hit]:
    """GB/T 9704-2012 7.2.5: 年份用六角括号〔〕且写全，序号不加“第”、不编虚位 (rules.md E1.2, E1.6)."""
    for m in finditer(DOC_NUMBER, report):
        problems = doc_number_problems(m)
        if problems:
            raw = report.text[m.start():m.end()]
            yield Hit(message=f"发文字号“{raw}”格式不规范：{'；'.join(problems)}。",
                      suggestion=f"改为“{fixed_doc_number(m)}”（前接机关代字）。",
                      start=m.start(), end=m.end())


# ---------------------------------------------------------------- 书名号嵌套 (GB/T 15834 4.15)

ANGLE = re.compile(r"[<＜](?P<inner>[^<>＜＞\n]{2,80})[>＞]")


def _depth_before(line: str, pos: int) -> int:
    return line.count("《", 0, pos) - line.count("》", 0, pos)


_TITLE_BRACKETS = re.compile("[《》]")


def nested_title_spans(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inner 《…》 spans opened inside another 《…》 on one line. A 《 never closed (a clause
    mark before its 》: 《行政处罚法，…) is left out, so the rest of the line is still checked."""
    from fazhi.review.checks.punctuation import unclosed_titles

    skip = {start + i for i in unclosed_titles(view[start:end])}
    depth, opened, found = 0, -1, []
    for m in _TITLE_BRACKETS.finditer(view, start, end):  # every other character is passed over
        i, ch = m.start(), m.group()
        if i in skip:
            continue
        if ch == "《":
            depth += 1
            if depth == 2:
                opened = i
        elif ch == "》":
            if depth == 2 and opened >= 0:
                found.append((opened, i + 1))
            depth = max(0, depth - 1)
    return found if depth == 0 else []


@rule("book-title-nesting", "format", "warning", "书名号嵌套")
def book_title_nesting(report: Report) -> Iterator[Hit]:
    """GB/T 15834-2011 4.15: 书名号内再用书名号时用单书名号〈〉；不用尖括号<>代替书名号."""
    view = _view(report)
    for line in (ln for seg in segments(report) for ln in iter_lines(view, *seg)):
        text = view[line.start:line.end]
        for m in ANGLE.finditer(text):
            inner = m["inner"]
            if sum(is_cjk(c) for c in inner) < 2 or re.search(r"[A-Za-z=/]", inner):
                continue
            a, b = line.start + m.start(), line.start + m.end()
            raw = report.text[a:b]
            if _depth_before(text, m.start()) > 0:
                yield Hit(message=f"书名号内嵌套的“{raw}”使用了尖括号。",
                          suggestion=f"改为单书名号：“〈{inner}〉”。", start=a, end=b)
            else:
                yield Hit(message=f"“{raw}”用尖括号代替了书名号。",
                          suggestion=f"改为“《{inner}》”。", start=a, end=b)
        for a, b in nested_title_spans(view, line.start, line.end):
            inner = report.text[a + 1:b - 1]
            yield Hit(message=f"书名号内嵌套的“{report.text[a:b]}”应使用单书名号。",
                      suggestion=f"改为“〈{inner}〉”。", start=a, end=b)


# ---------------------------------------------------------------- 多余空格

SPACE_RUN = re.compile(r"[ \u3000\u00a0\t]+")
UNIT_AFTER_NUMBER = set("年月日号时分秒%‰个件次人户名家项条份宗起场期批元万亿岁天")
_SENTENCE_PUNCT = set("，。；：！？,;")
MAX_STRAY = 12  # more than this many stray spaces are reported as one finding


def _table_like(line: str) -> bool:
    """A table row: cells joined by tabs (docx tables), or several wide gaps and no sentence punctuation."""
    if "\t" in line:
        return True
    wide = [r for r in SPACE_RUN.findall(line) if len(r) >= 2]
    return len(wide) >= 2 and not any(c in _SENTENCE_PUNCT for c in line)


def _closing_lines(view: str, lines: list[Span]) -> set[int]:
    """Start offsets of the trailing 落款 lines (short, no sentence punctuation)."""
    out: set[int] = set()
    for sp in reversed(lines[-6:]):
        s = view[sp.start:sp.end]
        if len(s) > 40 or any(c in "，。；" for c in s):
            break
        out.add(sp.start)
    return out


def space_kind(view: str, a: int, b: int) -> str | None:
    """Why the spaces view[a:b] (inside a line) are stray: 'number', 'word' or None."""
    left, right = view[a - 1], view[b]
    if left.isdigit() and right.isdigit():
        return None  # 1 000: digit grouping is allowed (GB/T 15835 5.1.3)
    if left.isdigit() and (right in UNIT_AFTER_NUMBER or is_cjk(right)):
        return "number"
    if right.isdigit() and (is_cjk(left) or left in "〔〕（）()"):
        return "number"
    if left == "〕" and is_cjk(right):
        return "number"
    if is_cjk(left) and is_cjk(right):
        return "word"
    return None


def stray_spaces(report: Report) -> list[tuple[int, int, str]]:
    """(start, end, kind) of stray space runs in the body, neighbours merged."""
    view = _view(report)
    lines = [ln for seg in segments(report) for ln in iter_lines(view, *seg)]
    closing = _closing_lines(view, lines)
    hits: list[tuple[int, int, str]] = []
    for sp in lines:
        text = view[sp.start:sp.end]
        table = _table_like(text)
        for m in SPACE_RUN.finditer(view, sp.start, sp.end):
            a, b = m.start(), m.end()
            kind = space_kind(view, a, b)
            if kind is None or table or view[sp.start:a].isdigit():
                continue  # nothing, a table row, or a list number at the line start (1 加强…)
            if kind == "word":
                # only a space that splits a word the document writes elsewhere without a space
                if sp.start in closing or view.count(view[a - 1] + view[b]) == 0:
                    continue
            if hits and hits[-1][2] == kind and a - hits[-1][1] <= 3 and hits[-1][1] >= sp.start:
                hits[-1] = (hits[-1][0], b, kind)
            else:
                hits.append((a, b, kind))
    return hits


def space_context(view: str, a: int, b: int, kind: str, lo: int, hi: int) -> tuple[int, int]:
    """The span quoted for a stray space run: the number with its unit, or the split word."""
    s, e = a, b
    if kind == "word":
        return a - 1, b + 1
    if view[s - 1].isdigit() or view[s - 1] in "〔〕":
        while s > lo and (view[s - 1].isdigit() or view[s - 1] in "〔〕."):
            s -= 1
    else:
        while s > lo and s > a - 2 and is_cjk(view[s - 1]):
            s -= 1
    if view[e].isdigit():
        while e < hi and (view[e].isdigit() or view[e] in ".%"):
            e += 1
        if e < hi and (view[e] in UNIT_AFTER_NUMBER or is_cjk(view[e])):
            e += 1
    else:
        e += 1
    return s, e


@rule("stray-space", "format", "warning", "多余空格")
def stray_space(report: Report) -> Iterator[Hit]:
    """Spaces that split a word (报 告) or a number from its unit (2023 年, 2 号).
    Deliberate spaces of a 落款 or a table row, and digit grouping (1 000), are left alone."""
    view = _view(report)
    found = stray_spaces(report)
    if len(found) > MAX_STRAY:  # a converted PDF or a typist's habit: one finding, not a flood
        s, e = space_context(view, found[0][0], found[0][1], found[0][2], *_body(report))
        yield Hit(message=f"正文有{len(found)}处多余空格（数字与文字之间或词语中间），首处见“{report.text[s:e]}”。",
                  suggestion="删去汉字之间、数字与单位之间的空格，保留落款和表格中的间隔。",
                  start=s, end=e, extra={"count": len(found)})
        return
    for a, b, kind in found:
        s, e = space_context(view, a, b, kind, *_body(report))
        raw = report.text[s:e]
        fixed = SPACE_RUN.sub("", raw)
        what = "词语中间" if kind == "word" else "数字与文字之间"
        yield Hit(message=f"“{raw}”{what}有多余空格。", suggestion=f"删去空格，写作“{fixed}”。",
                  start=s, end=e)


# ---------------------------------------------------------------- 标点 (GB/T 15834)

_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"}
DOUBLED = re.compile(r"(?<![。.])[，。、；：,;:](?:[，、；：,;:]|。(?!。))")


@rule("doubled-punctuation", "format", "warning", "标点重复")
def doubled_punctuation(report: Report) -> Iterator[Hit]:
    """Two sentence-level marks in a row (如下:。 / ，， / 。，) — GB/T 15834 4.1-4.7."""
    view = _view(report)
    for m in finditer(DOUBLED, report):
        a, b = m.start(), m.end()
        if a > 0 and view[a - 1].isdigit() and b < len(view) and view[b].isdigit():
            continue
        raw = report.text[a:b]
        keep = raw[0] if raw[0] in "：:" and raw[1] == "。" else raw[-1]
        keep = _FULL.get(keep, keep)
        s0 = a  # the span starts on the word before the marks, so a reader sees where they are
        while s0 > max(report.body.start, a - 2) and is_cjk(view[s0 - 1]):
            s0 -= 1
        yield Hit(message=f"“{_quote(report, a, b, 3)}”中标点“{raw}”重复。",
                  suggestion=f"只保留一个标点，如“{report.text[s0:a]}{keep}”。", start=s0, end=b)


BACKSLASH = re.compile(r"(?:(?<![\d.])(?P<num>\d+(?:\.\d+)?[余多]?))?(?P<a>[\u4e00-\u9fff]{1,2})[\\＼](?P<b>[\u4e00-\u9fff])")  # a number starts a run: linear


@rule("unit-backslash", "format", "warning", "单位误用反斜杠")
def unit_backslash(report: Report) -> Iterator[Hit]:
    """人\\次: a backslash is no Chinese punctuation; 人次 is one unit (GB/T 15835)."""
    for m in finditer(BACKSLASH, report, ("\\", "＼")):
        raw = report.text[m.start():m.end()]
        unit = m["a"][-1] + m["b"]
        yield Hit(message=f"“{raw}”中误用反斜杠“\\”。",
                  suggestion=f"删去反斜杠，单位写作“{unit}”。", start=m.start(), end=m.end())


HALF_WIDTH = ",;:()?!"
_HALF_WIDTH_RX = re.compile("[" + re.escape(HALF_WIDTH) + "]")
_URLISH = re.compile(r"(?:https?://|www\.)\S+")


def halfwidth_positions(report: Report) -> list[int]:
    """Offsets of ASCII , ; : ( ) ? ! next to a CJK character (numbers and URLs excluded)."""
    view = _view(report)
    lo, hi = _body(report)
    skip = [(m.start(), m.end()) for m in _URLISH.finditer(view, lo, hi)]
    out = []
    for i in (m.start() for a, b in segments(report) for m in _HALF_WIDTH_RX.finditer(view, a, b)):
        prev = view[i - 1] if i > lo else ""
        nxt = view[i + 1] if i + 1 < hi else ""
        if prev.isdigit() and nxt.isdigit():
            continue  # 1,000  14:10
        if not (is_cjk(prev) or is_cjk(nxt) or prev in "“”》" or nxt in "“”《"):
            continue
        if any(a <= i < b for a, b in skip):
            continue
        out.append(i)
    return out


@rule("halfwidth-punctuation", "format", "info", "半角标点")
def halfwidth_punctuation(report: Report) -> Iterator[Hit]:
    """GB/T 15834 (rules.md E2.1, R16): Chinese text uses full-width ，；：（）？！.
    Reported once per document with the count, on the first occurrence."""
    pos = halfwidth_positions(report)
    if not pos:
        return
    view = _view(report)
    counts = {ch: sum(1 for i in pos if view[i] == ch) for ch in HALF_WIDTH}
    detail = "、".join(f"“{ch}”{n}处" for ch, n in counts.items() if n)
    first = pos[0]
    yield Hit(message=f"正文有{len(pos)}处半角标点夹在汉字之间（{detail}），"
                      f"首处见“{_quote(report, first, first + 1, 6)}”。",
              suggestion="中文行文统一使用全角标点“，；：（）？！”，可整体替换后复核数字与网址。",
              start=first, end=first + 1, extra={"count": len(pos)})


ELLIPSIS = re.compile(r"\.{3,}|．{3,}|。{3,}|(?<!…)…(?!…)|…{3,}")


@rule("ellipsis-form", "format", "info", "省略号写法")
def ellipsis_form(report: Report) -> Iterator[Hit]:
    """GB/T 15834 4.11 (rules.md E2.2): the ellipsis is six dots “……”."""
    for m in finditer(ELLIPSIS, report, ("...", "．．．", "。。。", "…")):
        raw = report.text[m.start():m.end()]
        yield Hit(message=f"省略号写作“{raw}”不规范。", suggestion="改为“……”（两个三连点，占两字位置）。",
                  start=m.start(), end=m.end())
