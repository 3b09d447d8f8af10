"""Punctuation and number forms (GB/T 15834-2011 标点符号用法, GB/T 15835-2011 出版物上数字用法).

- `unbalanced-mark`: a paired mark (“ ” 《 》 （ ） 【 】) opened and not closed, or closed and
  not opened, within its paragraph; one finding per mark.
- `quote-form`: an opening “ closed by an ASCII " (or the reverse: warning), and ASCII "…"
  around Chinese words (info; GB/T 15834 4.9: Chinese text uses “ ”).
- `number-form`: 二0二一年 (〇, not the digit 0, in a year in Chinese numerals), 1-12月 (a span
  of time takes the 一字线 “—” or 至, GB/T 15834 4.13), 百分之5 (5% or 百分之五, GB/T 15835).
- `enum-mark`: the items of one enumeration (一是…二是…, （1）…（2）…) joined by ；, and one of
  them by ， (GB/T 15834 4.6: items of an enumeration are separated by 分号).

All read `report.view` inside the body segments and report spans on the marks or words.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from fazhi.report import Report
from fazhi.review.checks.format import finditer, segments
from fazhi.review.registry import Hit, rule
from fazhi.text.lines import iter_lines

PAIRS = {"“": "”", "《": "》", "（": "）", "【": "】"}
_PAIRED = re.compile(r'[“”《》（）【】()"]')
CLOSERS = {v: k for k, v in PAIRS.items()}
_CLAUSE_END = re.compile(r"[，。；！？,;!?\n]")
# a closing bracket after a list number (1）加强…, ；2）健全…) or at a line start (a heading whose
# opening bracket and number were lost: rule heading-marker-missing speaks) is no slip
_LIST_START = re.compile(r"(?:^|[，；。：:;,\s])\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[a-zA-Z])?\s*$")
NAMES = {"“": "引号", "《": "书名号", "（": "括号", "【": "方头括号"}


_TITLE_MARKS = re.compile(r"[《》。；！？;!?\n]")


def unclosed_titles(line: str) -> set[int]:
    """Offsets in `line` of the 《 that are never closed: a sentence mark (。；) or the line end
    comes before the 》 that matches it, titles nested in it counted (《行政处罚法，落实…。).
    A comma may stand inside a title (《关于…改革,推动…的指导意见》)."""
    if "《" not in line:
        return set()
    out = set()
    marks = [(m.start(), m.group()) for m in _TITLE_MARKS.finditer(line)]
    for n, (i, ch) in enumerate(marks):
        if ch != "《":
            continue
        depth = 0
        for _, c in marks[n:]:
            if c == "《":
                depth += 1
            elif c == "》":
                depth -= 1
                if depth == 0:
                    break
            else:
                break
        if depth:
            out.add(i)
    return out


def unbalanced_marks(line: str) -> list[tuple[int, str]]:
    """(offset, mark) of the paired marks of one paragraph left without partner. An ASCII "
    partners a curly quote (quote-form reports the mixed pair); ( ) partner （ ）."""
    out: list[tuple[int, str]] = []
    unclosed = unclosed_titles(line)
    stacks: dict[str, list[int]] = {k: [] for k in PAIRS}
    for m in _PAIRED.finditer(line):
        i, ch = m.start(), m.group()
        if ch == "《" and i in unclosed:
            out.append((i, ch))
        elif ch in PAIRS and ch != "“":
            stacks[ch].append(i)
        elif ch in ("“", '"', "”"):
            opened = stacks["“"]
            if ch == "“" or (ch == '"' and not opened):
                opened.append(i)
            elif opened:
                opened.pop()
            else:
                out.append((i, ch))
        elif ch in CLOSERS or ch == ")":
            opener = CLOSERS.get(ch, "（")
            st = stacks[opener]
            if st:
                st.pop()
            elif not (ch in "）)" and _LIST_START.search(line[:i])):  # 1）加强… is a list marker
                out.append((i, ch))
        elif ch == "(":
            stacks["（"].append(i)
    for opener, st in stacks.items():
        out += [(i, line[i]) for i in st if line[i] != '"' or opener != "“"]
    return sorted(out)


def _lines(report: Report):
    view = report.view or report.text
    for seg in segments(report):
        yield from iter_lines(view, *seg)


@rule("unbalanced-mark", "format", "warning", "成对标点不匹配")
def unbalanced_mark(report: Report) -> Iterator[Hit]:
    """GB/T 15834-2011 4.9, 4.10, 4.15: quotation marks, brackets and 书名号 come in pairs."""
    view = report.view or report.text
    lines = list(_lines(report))
    for n, line in enumerate(lines):
        text = view[line.start:line.end]
        cut = n == len(lines) - 1 and not text.rstrip().endswith(tuple("。！？；”）》!?;"))
        marks = unbalanced_marks(text)
        shifted = {i for i, m in marks if m == "”" and (i + 1, "“") in marks}
        for i, mark in marks:
            if i in shifted or (i - 1 in shifted and mark == "“"):
                if i in shifted:
                    yield _shifted_quotes(report, line.start, text, i)
                continue
            opener = mark in PAIRS or mark in "(\""
            if mark == "“" and n + 1 < len(lines) and view[lines[n + 1].start:lines[n + 1].end].lstrip().startswith("“"):
                continue  # a quotation running over paragraphs opens each one (GB/T 15834 4.9.3.4)
            if (opener and cut) or (mark in "【】" and not re.search("[，。；]", text)):
                continue  # a text cut off mid-title; 【字体：大 中 小】【打印】 page furniture
            a = line.start + i
            name = NAMES.get(mark if mark in PAIRS else CLOSERS.get(mark, "（" if mark in "()" else "“"), "括号")
            if opener:
                m = _CLAUSE_END.search(text, i + 1)
                b = line.start + (m.start() if m else len(text))
                b = min(b, a + 30)
                what, fix = f"前{name}“{mark}”没有对应的后{name}", f"在标题或引文结束处补上后{name}，或删去“{mark}”"
            else:
                b, a = a + 1, max(line.start, a - 12)
                k = max(text.rfind(c, 0, i) for c in "，。；：")
                a = max(a, line.start + k + 1)
                what, fix = f"后{name}“{mark}”没有对应的前{name}", f"补上前{name}，或删去“{mark}”"
            raw = report.text[a:b]
            yield Hit(message=f"“{raw}”中{what}。", suggestion=f"{fix}。", start=a, end=b)


def _shifted_quotes(report: Report, base: int, text: str, i: int) -> Hit:
    """An unmatched ” right before an unmatched “ (国家安全教育日”“宪法宣传月): the quotation
    marks of two quoted names stand one word off; one finding for the pair."""
    k = max(text.rfind(c, 0, i) for c in "，。；：,;:")
    m = _CLAUSE_END.search(text, i + 2)
    a, b = base + k + 1, base + (m.start() if m else len(text))
    raw = report.text[a:min(b, a + 40)]
    return Hit(message=f"“{raw}”中引号位置不对：“”与后面的“”各缺另一半。",
               suggestion="给每个名称加上完整的一对引号，如“国家安全教育日”“宪法宣传月”。", start=a, end=min(b, a + 40))


_ASCII_QUOTED = re.compile(r'"([^"\n]{1,40})"')


_QUOTE_MARKS = re.compile('["“”]')


def quote_problems(line: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) in one paragraph: "mixed" for “…" or "…”, "ascii" for "…" around Chinese."""
    out: list[tuple[int, int, str]] = []
    open_at, open_kind = -1, ""
    for m in _QUOTE_MARKS.finditer(line):  # every other character is passed over
        i, ch = m.start(), m.group()
        if ch == "“" or (ch == '"' and open_at < 0):
            open_at, open_kind = i, ch
        elif ch in ('"', "”") and open_at >= 0:
            if open_kind == '"' and ch == '"':
                if re.search(r"[\u4e00-\u9fff]", line[open_at + 1:i]):
                    out.append((open_at, i + 1, "ascii"))
            elif (open_kind == '"') != (ch == '"'):
                out.append((open_at, i + 1, "mixed"))
            open_at = -1
    return out


@rule("quote-form", "format", "warning", "引号写法")
def quote_form(report: Report) -> Iterator[Hit]:
    """GB/T 15834-2011 4.9: Chinese text is quoted with “ ”; the two marks of a pair are of one kind."""
    view = report.view or report.text
    for line in _lines(report):
        for i, j, kind in quote_problems(view[line.start:line.end]):
            a, b = line.start + i, line.start + j
            raw, inner = report.text[a:b], report.text[a + 1:b - 1]
            what = "前后引号不是一对（中文引号与英文引号混用）" if kind == "mixed" else "中文行文使用了英文引号"
            yield Hit(message=f"“{raw}”{what}。", suggestion=f"写作“{inner}”。", start=a, end=b,
                      severity=None if kind == "mixed" else "info")


# ---------------------------------------------------------------- numbers (GB/T 15835)

CN_YEAR = re.compile(r"(?<![\d\u4e00-\u9fff])(?=[〇○零一二三四五六七八九0OoＯ０]{4}年)"
                     r"(?=[^年]*[0OoＯ０])(?=[^年]*[〇○零一二三四五六七八九])([〇○零一二三四五六七八九0OoＯ０]{4})年")
RANGE = re.compile(r"(?<![\d\-－.／/〔〕])(?P<a>\d{1,4})\s*(?P<sep>[-－‐‑–])\s*(?P<b>\d{1,4})(?P<unit>\s*(?:年|月|日))(?![\d\-])")
_TITLE = re.compile(r"《[^《》\n]{2,150}》")
PERCENT = re.compile(r"百分之\s*(?P<n>\d+(?:\.\d+)?)")
_TO_LING = str.maketrans({"0": "〇", "O": "〇", "o": "〇", "Ｏ": "〇", "０": "〇", "○": "〇", "零": "〇"})


def range_ok(a: int, b: int, unit: str) -> bool:
    """Whether a-b before 年/月/日 reads as a span of time (and so should take —)."""
    if unit == "年":
        return 1949 <= a < b <= 2100
    if unit == "月":
        return 1 <= a < b <= 12
    return 1 <= a < b <= 31


@rule("number-form", "format", "warning", "数字用法")
def number_form(report: Report) -> Iterator[Hit]:
    """GB/T 15835-2011 and GB/T 15834-2011 4.13: 二〇二一年, 1—12月 / 1至12月, 5%."""
    for m in finditer(CN_YEAR, report):
        raw = report.text[m.start():m.end()]
        fixed = m.group(1).translate(_TO_LING) + "年"
        yield Hit(message=f"“{raw}”中混用了阿拉伯数字或字母与汉字数字，年份中的零应写作“〇”。",
                  suggestion=f"写作“{fixed}”，或全用阿拉伯数字。", start=m.start(), end=m.end())
    titles = [(t.start(), t.end()) for t in finditer(_TITLE, report)]
    for m in finditer(RANGE, report, tuple("-－‐‑–")):
        a, b, unit = int(m["a"]), int(m["b"]), m["unit"].strip()
        if not range_ok(a, b, unit) or any(s <= m.start() < e for s, e in titles):
            continue  # inside a 《title》 the rule year-range-form speaks
        raw = report.text[m.start():m.end()]
        yield Hit(message=f"“{raw}”表示时间起止，不用连字符“{m['sep']}”。",
                  suggestion=f"写作“{a}—{b}{unit}”或“{a}至{b}{unit}”。", start=m.start(), end=m.end())
    for m in finditer(PERCENT, report):
        raw = report.text[m.start():m.end()]
        yield Hit(message=f"“{raw}”中汉字与阿拉伯数字混用。",
                  suggestion=f"写作“{m['n']}%”。", start=m.start(), end=m.end())


# ---------------------------------------------------------------- enumerations (GB/T 15834 4.6)

ENUM_ITEM = re.compile(r"(?P<mark>[，；。,;])\s*(?P<item>[二三四五六七八九十]是|[（(][2-9][）)]|[②③④⑤⑥⑦⑧⑨])")


@rule("enum-mark", "format", "info", "分项列举标点")
def enum_mark(report: Report) -> Iterator[Hit]:
    """The items of one enumeration in a paragraph are joined by ；: one joined by ， among
    items joined by ； is a slip (GB/T 15834-2011 4.6.3)."""
    view = report.view or report.text
    for line in _lines(report):
        joins = list(ENUM_ITEM.finditer(view, line.start, line.end))
        semis = [m for m in joins if m["mark"] in "；;"]
        commas = [m for m in joins if m["mark"] in "，,"]
        if len(semis) < 2 or not commas or len(commas) >= len(semis):
            continue
        for m in commas:
            a, b = m.start(), m.end()
            raw = report.text[a:b]
            yield Hit(message=f"分项列举中“{m['item']}”前用了逗号，其他各项之间用的是分号。",
                      suggestion=f"改为“；{report.text[m.start('item'):b]}”。", start=a, end=b,
                      extra={"quote": raw})
