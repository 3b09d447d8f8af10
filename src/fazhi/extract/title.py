"""The report's title as real pages print it.

A title is a head line about 法治 that ends like a report (报告/总结/情况…). Pages wrap it in
labels (`名称:`, `• 标题:`, `附件:`), prefix it with a 文号 (`[天政发〔2026〕7号]`) or a column
tag (`【2022年】`), quote it (`《…》(全文)`), print it as a file name (`….docx`), break it over
lines (`四川省交通运输厅` / `2025年法治政府…`, `…建设` / `年度报告`), or run it into the text
that follows (`…的报告 中共海宁市委、海宁市人民政府: 2024年,…`). `find_title` returns the span
of the title itself inside the view (same offsets as the text).
"""
from __future__ import annotations

import re
from fazhi.report import Span

_TOPIC = re.compile(r"法治|依法行政|法制|依法治")
_END = re.compile(r"(报\s*告|总\s*结|汇\s*报|情\s*况|工\s*作|工作打算|工作安排)\s*(?:[（(][^）)]{0,8}[）)])?$")
_LABEL = re.compile(
    r"^[\s\-—•·*>|｜]*(?:(?:名\s*称|标\s*题|题\s*名|文件名称|信息名称|文章标题|附\s*件\s*\d*)\s*[:：]\s*)")
_TAG = re.compile(r"^(?:\[[^\]\n]{1,30}\]|【[^】\n]{1,30}】|〔[^〕\n]{0,4}\d{4}[^〕\n]{0,4}〕)\s*")
_FILE_SUFFIX = re.compile(r"\.(?:docx?|pdf|wps|ofd|txt|html?)$", re.I)
_QUOTED = re.compile(r"^《(?P<t>[^《》\n]{6,90})》\s*(?:[（(](?:全文|附全文|全文公开)[）)])?$")
_RUN_ON = re.compile(r"^(?P<t>[^\n。]{6,80}?(?:的报告|情况报告|年度报告|工作报告|工作总结|情况))\s+\S")
_ORGAN_LINE_END = re.compile(
    r"(委员会|人民政府|政府|办事处|管委会|工委|党委|党组|局|分局|厅|署|部|办公室|办|委|院|中心)$")
_PUNCT = set("。，,；;！？!?“”\"、:：")
_MAX_LEN = 90


def core(view: str, span: Span) -> Span:
    """The title proper inside a head line: labels, tags, quotes and file suffixes removed."""
    a, b = span.start, span.end
    for _ in range(3):
        s = view[a:b]
        m = _LABEL.match(s) or _TAG.match(s)
        if not m or m.end() == 0:
            break
        a += m.end()
    s = view[a:b]
    if m := _QUOTED.match(s):
        return Span(a + m.start("t"), a + m.end("t"))
    if m := _FILE_SUFFIX.search(s):
        b = a + m.start()
    return Span(a, b)


def looks_like_title(s: str) -> bool:
    s = s.strip()
    if "。" in s or s.endswith((":", "：")) or len(s) > _MAX_LEN or not _TOPIC.search(s):
        return False
    return bool(_END.search(s)) and len(re.sub(r"\s", "", s)) >= 8


def is_organ_line(s: str) -> bool:
    s = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", s.strip())
    return 4 <= len(s) <= 40 and bool(_ORGAN_LINE_END.search(s)) and not (_PUNCT & set(s))


def find_title(view: str, head: list[Span]) -> Span | None:
    """The title among the head lines. A title broken after its issuer (one organ line right above
    it) is joined to it and wins: it is the complete one, where the page headline often omits the
    issuer. A block of two or more issuer lines (a joint issuer, GB/T 9704 layout) is not part of
    the title."""
    found: list[tuple[bool, Span]] = []
    for i, sp in enumerate(head):
        span = _title_at(view, head, i, core(view, sp))
        if span is None:
            continue
        prev = head[i - 1] if i else None
        before = head[i - 2] if i > 1 else None
        if prev and is_organ_line(view[prev.start:prev.end]) and _opens_without_issuer(view[span.start:span.end]) \
                and not (before and is_organ_line(view[before.start:before.end])):
            span = Span(prev.start, span.end)
            found.append((True, span))
        else:
            found.append((False, span))
    if not found:
        return None
    return next((sp for joined, sp in found if joined), found[0][1])


def _title_at(view: str, head: list[Span], i: int, sp: Span) -> Span | None:
    s = view[sp.start:sp.end]
    if looks_like_title(s):
        return sp
    if (m := _RUN_ON.match(s)) and looks_like_title(m.group("t")):
        return Span(sp.start, sp.start + m.end("t"))
    nxt = head[i + 1] if i + 1 < len(head) else None
    if nxt and nxt.end - nxt.start <= 15 and len(s) >= 8 and _TOPIC.search(s) and "。" not in s and len(s) <= _MAX_LEN \
            and _END.search(view[nxt.start:nxt.end]) and not _END.search(s):
        return Span(sp.start, nxt.end)  # a title wrapped onto a second line
    return None


def _opens_without_issuer(s: str) -> bool:
    return bool(re.match(r"^\s*(?:关于|(?:19|20)\d{2}\s*年|[*＊]{2,4}年|法治|依法)", s))
