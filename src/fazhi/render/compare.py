"""Side-by-side HTML views of two reports (templates/compare.html.j2, Jinja2, autoescape on).

    side_by_side_html(year_over_year(corpus, rid))            # last year | this year, row by row
    copy_pair_html(corpus, rid, other_id, match_stored(corpus, rid))   # two units, shared passages linked

Report text is untrusted: it reaches the page only as template variables, which Jinja2
escapes. `standalone=True` gives a complete page (inline CSS and script, no external URL);
`standalone=False` an HTML fragment (one <div class="fz-compare">, with its own scoped
<style> and <script>) that the web app embeds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

STATUS_LABEL = {"same": "沿用", "changed": "修改", "new": "新增", "removed": "删除"}
KIND_LABEL = {"copying": "与其他单位重复", "recycling": "与本单位其他年度重复", "template": "模板/套话"}
FIRST_LABEL = {"this": "本报告先发布", "other": "对比报告先发布", "same": "同日发布"}


@dataclass(frozen=True)
class Mark:
    """A span to mark in a piece of text."""

    start: int
    end: int
    css: str
    title: str = ""
    anchor: str = ""  # id given to the first piece of the span
    href: str = ""  # the piece links to this anchor


@dataclass
class Piece:
    text: str
    css: str = ""
    title: str = ""
    href: str = ""
    anchors: list[str] = field(default_factory=list)


def pieces(text: str, start: int, end: int, marks: list[Mark]) -> list[Piece]:
    """text[start:end] cut at every mark boundary; each piece carries the marks covering it."""
    marks = [m for m in marks if m.end > start and m.start < end and m.end > m.start]
    cuts = sorted({start, end, *(max(start, m.start) for m in marks), *(min(end, m.end) for m in marks)})
    out = []
    for a, b in pairwise(cuts):
        on = [m for m in marks if m.start <= a and b <= m.end]
        out.append(Piece(text[a:b], " ".join(dict.fromkeys(c for m in on for c in m.css.split())),
                         next((m.title for m in on if m.title), ""), next((m.href for m in on if m.href), ""),
                         [m.anchor for m in on if m.anchor and max(start, m.start) == a]))
    return out


@cache
def _env():
    from importlib import resources

    from jinja2 import Environment, FileSystemLoader

    folder = resources.files("fazhi") / "render" / "templates"
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True)


def _render(**ctx: Any) -> str:
    return _env().get_template("compare.html.j2").render(**ctx)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# ---------------------------------------------------------------- year over year
def side_by_side_html(diff, *, standalone: bool = True) -> str:
    """Last year | this year, one row per paragraph pair (a `fazhi.corpus.yoy.YoyDiff`)."""
    a, b = diff.previous, diff.this
    rows = []
    for r in diff.rows:
        old = new = None
        if r.prev_start is not None:
            old = pieces(a.text, r.prev_start, r.prev_end, [
                Mark(c.old_start, c.old_end, "num" if c.number else "del",
                     f"本年度为：{c.new_text}" if c.number else "")
                for c in r.changes if c.old_end > c.old_start])
        if r.start is not None:
            marks = [Mark(c.new_start, c.new_end, "num" if c.number else "ins",
                          f"上一年度为：{c.old_text}" if c.number else "")
                     for c in r.changes if c.new_end > c.new_start]
            if r.status == "new":
                marks += [Mark(s, e, "rec", "与上一年度重复的句子") for s, e in r.recycled]
            new = pieces(b.text, r.start, r.end, marks)
        numbers = [c for c in r.changes if c.number]
        label = STATUS_LABEL[r.status]
        if r.status == "same" and numbers:
            label = "沿用·数字更新"
        elif r.status == "changed":
            label = f"修改 {r.similarity:.0%}"
        rows.append({"status": r.status, "label": label, "old": old, "new": new, "heading": r.heading,
                     "moved": r.moved, "numbers": len(numbers)})
    counts = diff.counts()
    body_chars = b.body_end - b.body_start
    ctx = {
        "mode": "yoy", "standalone": standalone, "rows": rows, "counts": counts,
        "labels": STATUS_LABEL, "ratio": _pct(diff.ratio), "recycled_chars": diff.recycled_chars,
        "body_chars": body_chars, "same_unit": diff.same_unit,
        "left": _side_info(a), "right": _side_info(b),
        "number_changes": len(diff.number_changes()),
        "page_title": f"{b.issuer or b.title or '报告'} {b.year or ''}年度与{a.year or ''}年度报告对比",
    }
    return _render(**ctx)


def _side_info(s) -> dict[str, Any]:
    return {"id": s.id, "issuer": s.issuer or "（未识别报告主体）", "title": s.title or "（无标题）",
            "year": f"{s.year}年度" if s.year else "年度未识别", "path": s.path}


# ---------------------------------------------------------------- two units
def copy_pair_html(corpus, report_id: int, other_id: int, copies: list[dict], *,
                   standalone: bool = True) -> str:
    """Two reports side by side with the passages they share highlighted and linked both ways.

    `copies` are the contract entries of report `report_id` (copies.match_stored); only those
    whose other report is `other_id` are shown. KeyError for an id not in the corpus."""
    me, other = corpus.get(report_id), corpus.get(other_id)
    for rid, row in ((report_id, me), (other_id, other)):
        if row is None:
            raise KeyError(rid)
    shared = sorted((c for c in copies if _other_id(c) == other_id or
                     (_other_id(c) is None and c["other"].get("path") == other["path"])),
                    key=lambda c: (c["start"], c["end"]))
    prefix = f"fz{report_id}x{other_id}-"
    lmarks, rmarks, items = [], [], []
    for k, c in enumerate(shared, 1):
        o = c["other"]
        kind = c.get("kind") or "copying"
        title = f"{KIND_LABEL.get(kind, '重复')}，相似度 {c['similarity']:.0%}"
        lmarks.append(Mark(c["start"], c["end"], f"cp {kind}", title, f"{prefix}l{k}", f"#{prefix}r{k}"))
        rmarks.append(Mark(o["start"], o["end"], f"cp {kind}", title, f"{prefix}r{k}", f"#{prefix}l{k}"))
        items.append({"n": k, "kind": KIND_LABEL.get(kind, kind), "similarity": f"{c['similarity']:.0%}",
                      "href": f"#{prefix}l{k}", "snippet": _snippet(me["text"][c["start"]:c["end"]])})
    left, right = _row_side(me), _row_side(other)
    firsts = {c.get("first") for c in shared} - {None}
    ctx = {
        "mode": "pair", "standalone": standalone, "items": items,
        "left": {**_side_info(left), "pieces": pieces(left.text, left.body_start, left.body_end, lmarks),
                 "chars": _union_len([(c["start"], c["end"]) for c in shared]),
                 "body_chars": left.body_end - left.body_start},
        "right": {**_side_info(right), "pieces": pieces(right.text, right.body_start, right.body_end, rmarks),
                  "chars": _union_len([(c["other"]["start"], c["other"]["end"]) for c in shared]),
                  "body_chars": right.body_end - right.body_start},
        "first": FIRST_LABEL.get(firsts.pop(), "") if len(firsts) == 1 else "",
        "same_unit": me["unit_key"] == other["unit_key"],
        "page_title": f"{left.issuer or '报告'}与{right.issuer or '报告'}重复内容对照",
    }
    for side in ("left", "right"):
        n = ctx[side]["body_chars"]
        ctx[side]["share"] = _pct(ctx[side]["chars"] / n) if n > 0 else "—"
    return _render(**ctx)


def _other_id(c: dict) -> int | None:
    return c.get("other", {}).get("id")


def _row_side(row: dict):
    from fazhi.corpus.yoy import side_of

    return side_of(row)


def _union_len(spans: list[tuple[int, int]]) -> int:
    from fazhi.corpus.copies import _covered, _length

    return _length(_covered(spans))


def _snippet(s: str, n: int = 40) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "……"
