"""The unit's own Word file back, with each finding as a comment (批注) on its words.

The report's text came from fazhi.ingest.docx_reader: one line per body paragraph (a
numbering marker prepended), a line per table row, lines joined by "\\n" after rstrip and
the whole stripped of leading/trailing newlines. `paragraph_map` rebuilds that rendering
while remembering which paragraph each line came from, so a finding's offsets lead back to
a paragraph and a character position in its runs. Runs are split at the span boundaries so
the comment covers exactly the quoted words. A span crossing paragraphs is anchored on the
first paragraph's part; a finding without a span, or one that cannot be mapped (a table
cell, text in a numbering marker only), goes on the first paragraph with its quote.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass

from fazhi.ingest.docx_reader import document_blocks, marker_separator, text_pieces
from fazhi.ingest.numbering import W
from fazhi.report import Finding, Report

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
AUTHOR, INITIALS = "fazhi", "fz"


@dataclass
class Line:
    start: int  # offset of the line in the report text
    text: str
    p: object | None  # the w:p element, None for a table row
    para_offset: int = 0  # where the line starts in the paragraph's rendered string
    runs_shift: int = 0  # rendered offset - runs-text offset (marker added, spaces stripped)
    marker_len: int = 0


@dataclass
class Placement:
    finding: Finding
    anchored: str  # the text the comment covers
    exact: bool  # True when it is exactly report.text[start:end]


# ---------------------------------------------------------------- offsets


def paragraph_map(document) -> tuple[str, list[Line]]:
    """The text docx_reader renders for this document, and its lines with their paragraphs."""
    raw: list[tuple[str, object | None, int, int, int]] = []
    for block in document_blocks(document):
        if block.element.tag != W + "p":
            raw.extend((r, None, 0, 0, 0) for r in block.lines)
            continue
        shift = marker_len = 0
        if block.marker:
            stripped = block.runs.lstrip()
            marker_len = len(block.marker) + len(marker_separator(block.runs))
            shift = marker_len - (len(block.runs) - len(stripped))
        pos = 0
        for piece in block.lines:
            raw.append((piece, block.element, pos, shift, marker_len))
            pos += len(piece) + 1
    joined = "\n".join(r[0].rstrip() for r in raw)
    text = joined.strip("\n")
    offset = -(len(joined) - len(joined.lstrip("\n")))
    lines: list[Line] = []
    for piece, p, pos, shift, mlen in raw:
        lines.append(Line(offset, piece.rstrip(), p, pos, shift, mlen))
        offset += len(piece.rstrip()) + 1
    return text, lines


def locate(lines: list[Line], start: int, end: int) -> tuple[object, int, int] | None:
    """(w:p, runs-text start, runs-text end) of a span, cut at the end of its first line."""
    for line in lines:
        if line.start <= start < line.start + len(line.text) + 1:
            if line.p is None:
                return None
            a = start - line.start
            b = min(end, line.start + len(line.text)) - line.start
            a = max(a, line.marker_len if line.para_offset == 0 else 0)
            a, b = a + line.para_offset - line.runs_shift, b + line.para_offset - line.runs_shift
            return (line.p, a, b) if b > a else None
    return None


# ---------------------------------------------------------------- runs


def _pieces(p) -> list[tuple[object, object, int, int]]:
    """(node, top-level run, start, length) for each piece of text, as the reader counts it."""
    out: list[tuple[object, object, int, int]] = []
    pos = 0

    def top_run(node):
        run = None
        cur = node
        while cur is not None and cur is not p:
            if cur.tag == W + "r":
                run = cur
            cur = cur.getparent()
        return run

    for node, piece in text_pieces(p):
        out.append((node, top_run(node), pos, len(piece)))
        pos += len(piece)
    return out


def _split_run(r, node, k: int):
    """Split run `r` before character k of its direct child `node`; return the new right run."""
    right = copy.deepcopy(r)
    left_children = list(r)
    right_children = list(right)
    idx = left_children.index(node)
    for child in left_children[idx + 1:]:
        r.remove(child)
    for child in right_children[:idx]:
        if child.tag != W + "rPr":
            right.remove(child)
    if node.tag == W + "t" and 0 < k < len(node.text or ""):
        text = node.text
        node.text = text[:k]
        node.set(XML_SPACE, "preserve")
        right_t = right_children[idx]
        right_t.text = text[k:]
        right_t.set(XML_SPACE, "preserve")
    elif k == 0:
        r.remove(node)
    else:
        right.remove(right_children[idx])
    r.addnext(right)
    return right


def _cut(p, offset: int) -> None:
    """Make a run boundary at runs-text `offset` of paragraph p (when it falls inside a run)."""
    prev_run = None
    for node, run, start, n in _pieces(p):
        if not n:
            continue
        if start < offset < start + n or (start == offset and prev_run is run):
            if run is not None and node.getparent() is run:  # not inside a text box or field
                _split_run(run, node, offset - start)
            return
        if start >= offset:
            return
        prev_run = run


def runs_for(p, a: int, b: int) -> tuple[object, object] | None:
    """Split runs so [a, b) of the paragraph's runs text is whole runs; (first, last) w:r."""
    _cut(p, a)
    _cut(p, b)
    runs = [run for node, run, start, n in _pieces(p) if run is not None and n and start < b and start + n > a]
    return (runs[0], runs[-1]) if runs else None


def anchored_text(p, first, last) -> str:
    """The runs text of paragraph p from run `first` through run `last` (what a comment covers)."""
    pieces = [(node, run) for node, run, _s, n in _pieces(p) if n]
    idx = [i for i, (_node, run) in enumerate(pieces) if run is first or run is last]
    if not idx:
        return ""
    out = []
    for node, _run in pieces[idx[0]: idx[-1] + 1]:
        out.append(node.text if node.tag == W + "t" else ("\t" if node.tag in (W + "tab", W + "ptab") else
                                                          "-" if node.tag == W + "noBreakHyphen" else "\n"))
    return "".join(out)


# ---------------------------------------------------------------- comments


def comment_text(f: Finding, quoted: str | None = None) -> str:
    lines = [f.message]
    if quoted:
        lines.append(f"原文：“{quoted}”")
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    return "\n".join(lines)


def _has_text(r) -> bool:
    return any((t.text or "").strip() for t in r.findall(W + "t"))


def first_paragraph_runs(document, lines: list[Line], body_start: int = 0):
    """(Paragraph, first w:r, last w:r) of the report's first paragraph with text: the first at
    or after the body start (page chrome skipped), else the first in the document."""
    from docx.text.paragraph import Paragraph

    candidates = [ln.p for ln in lines if ln.p is not None and ln.start >= body_start]
    candidates += list(document.element.body.iter(W + "p"))
    for p in candidates:
        runs = [r for r in p.findall(W + "r") if _has_text(r)]
        if runs:
            return Paragraph(p, document._body), runs[0], runs[-1]
    return None


def annotate_docx(data: bytes, report: Report, author: str = AUTHOR,
                  initials: str = INITIALS) -> tuple[bytes, list[Placement]]:
    """Add one Word comment per finding to the .docx `data` the report was read from."""
    import docx
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from fazhi.render.opinion import quote

    document = docx.Document(io.BytesIO(data))
    text, lines = paragraph_map(document)
    aligned = text == report.text
    placements: list[Placement] = []
    for f in report.findings:
        spot = None
        if aligned and f.start is not None and f.end is not None and f.end > f.start:
            spot = locate(lines, f.start, f.end)
        found = runs_for(*spot) if spot else None
        if found:
            para = Paragraph(spot[0], document._body)
            first, last = Run(found[0], para), Run(found[1], para)
            document.add_comment([first, last], comment_text(f), author, initials)
            anchored = anchored_text(spot[0], found[0], found[1])
            placements.append(Placement(f, anchored, anchored == report.text[f.start:f.end]))
            continue
        head = first_paragraph_runs(document, lines, report.body.start if aligned else 0)
        if head is None:
            continue
        para, r0, r1 = head
        document.add_comment([Run(r0, para), Run(r1, para)],
                             comment_text(f, quote(report.text, f.start, f.end)), author, initials)
        placements.append(Placement(f, anchored_text(para._p, r0, r1), False))
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue(), placements
