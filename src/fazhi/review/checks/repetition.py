"""Repetition slips: a character or word typed twice (的的, 进一步进一步), a clause or sentence
repeated within its paragraph (今年共组织集中学法，今年共组织集中学法), a paragraph repeated.

A doubled character is a slip only when no reading explains it: the doubled form is a word or
a reduplication (常常, 人人, 一一, 扎扎实实, 方方面面), or each copy belongs to a word of its own
(学习|习近平, 工作|作风, 目的|的). Word knowledge comes from the typo check's word lists
(review/checks/typos.py). Every rule reads `report.view` and reports spans on the words.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from fazhi.report import Report
from fazhi.review.checks.format import segments
from fazhi.review.checks.typos import _words
from fazhi.review.registry import Hit, rule
from fazhi.text.lines import iter_lines

_DOUBLE_CHAR = re.compile(r"([\u4e00-\u9fff])\1")
_DOUBLE_WORD = re.compile(r"([\u4e00-\u9fff]{2,8})\1")
_NUMERALS = set("〇零一二三四五六七八九十百千万亿两几")
# ABAB reduplications of verbs and set phrases that are not slips
_REDUP_OK = {"研究", "讨论", "商量", "考虑", "休息", "锻炼", "打扫", "整理", "活动", "交流", "沟通", "比较", "思考"}
_SENTENCE = re.compile(r"[^。；！？!?;\n]+[。；！？!?;]?")
_CLAUSE = re.compile(r"[^，,。；！？!?;：:\n]+")
_NON_TEXT = re.compile(r"[\s、（）()〔〕\[\]《》“”\"'‘’—\-]")
MIN_CLAUSE = 6     # characters (spaces, digits and marks left out) of a clause that counts as repeated
MIN_PARAGRAPH = 20


def _known(word: str) -> bool:
    return word in _words().known or word in _words().longer


def doubled_char_ok(view: str, a: int) -> bool:
    """Whether the doubled character view[a:a+2] is a word, a reduplication or two words."""
    c = view[a]
    if c in _NUMERALS or _known(view[a:a + 2]):
        return True
    nxt, prev = view[a + 2:a + 4], view[a - 2:a] if a >= 2 else ""
    if len(nxt) == 2 and nxt[0] == nxt[1] or len(prev) == 2 and prev[0] == prev[1]:
        return True  # AABB: 扎扎实实, 方方面面
    for n in (2, 3, 4):  # each copy in a word of its own: 学习|习近平, 工作|作风, 共产党|党和国家
        if a + 1 >= n and _known(view[a + 1 - n:a + 1]) or _known(view[a + 1:a + 1 + n]):
            return True
    return False


@rule("doubled-word", "format", "warning", "字词重复")
def doubled_word(report: Report) -> Iterator[Hit]:
    """A character or a word typed twice in a row (的的, 进一步进一步)."""
    view = report.view or report.text
    for lo, hi in segments(report):
        taken: list[tuple[int, int]] = []
        for m in _DOUBLE_WORD.finditer(view, lo, hi):
            unit = m.group(1)
            if unit in _REDUP_OK or unit[0] in _NUMERALS or not (_known(unit) or len(unit) >= 3):
                continue
            if len(set(unit)) == 1:
                continue  # 常常常常 is the character rule's business
            taken.append((m.start(), m.end()))
            raw = report.text[m.start():m.end()]
            yield Hit(message=f"“{raw}”中“{report.text[m.start():m.start() + len(unit)]}”重复。",
                      suggestion=f"删去重复的“{unit}”。", start=m.start(), end=m.end())
        for m in _DOUBLE_CHAR.finditer(view, lo, hi):
            a = m.start()
            if any(s <= a < e for s, e in taken) or doubled_char_ok(view, a):
                continue
            s = max(lo, a - 2)
            raw = report.text[s:a + 2 + 2]
            yield Hit(message=f"“{raw.strip()}”中“{report.text[a]}”字重复。",
                      suggestion=f"删去一个“{report.text[a]}”。", start=a, end=a + 2)


def _norm(s: str) -> str:
    return _NON_TEXT.sub("", s)


def repeated_spans(view: str, start: int, end: int) -> list[tuple[int, int, int, str]]:
    """(start, end, start of the earlier copy, kind) of the sentences of one paragraph that
    repeat an earlier sentence of it (kind "句"), and of the clauses that repeat the clause
    right before them (kind "分句"). A clause met again further on is often a slogan taken up
    again (a heading run into its paragraph), so only the adjacent copy counts."""
    out: list[tuple[int, int, int, str]] = []
    seen: dict[str, int] = {}
    for m in _SENTENCE.finditer(view, start, end):
        key = _norm(m.group())
        if len(key) >= MIN_CLAUSE + 2:
            if key in seen:
                out.append((m.start(), m.end(), seen[key], "句"))
            else:
                seen[key] = m.start()
    prev_key, prev_start = "", -1
    for m in _CLAUSE.finditer(view, start, end):
        key = _norm(m.group())
        if len(key) >= MIN_CLAUSE and key == prev_key and not any(a <= m.start() < b for a, b, _, _ in out):
            out.append((m.start(), m.end(), prev_start, "分句"))
        prev_key, prev_start = key, m.start()
    return out


@rule("repeated-clause", "format", "warning", "语句重复")
def repeated_clause(report: Report) -> Iterator[Hit]:
    """A sentence or clause written twice within one paragraph."""
    view = report.view or report.text
    for seg in segments(report):
        for line in iter_lines(view, *seg):
            for a, b, first, kind in repeated_spans(view, line.start, line.end):
                while b > a and view[b - 1] in "，,。；;！？!? \u3000":
                    b -= 1
                raw = report.text[a:b]
                near = "紧接着" if view[first:a].strip("，,。；; \u3000") == view[a:b].strip() else "同一段中"
                yield Hit(message=f"{kind}“{raw[:40]}”{near}重复出现。",
                          suggestion=f"删去重复的{kind}。", start=a, end=b)


@rule("repeated-paragraph", "format", "warning", "段落重复")
def repeated_paragraph(report: Report) -> Iterator[Hit]:
    """A paragraph of running text that stands twice in the body."""
    view = report.view or report.text
    seen: dict[str, int] = {}
    for seg in segments(report):
        for line in iter_lines(view, *seg):
            key = _norm(view[line.start:line.end])
            if len(key) < MIN_PARAGRAPH or not re.search(r"[。；，]", view[line.start:line.end]):
                continue
            if key in seen:
                raw = report.text[line.start:line.end].strip()
                yield Hit(message=f"段落“{raw[:30]}……”与前文一段完全相同。",
                          suggestion="删去重复的段落。", start=line.start, end=line.end)
            else:
                seen[key] = line.start
