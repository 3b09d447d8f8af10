"""Text of an OFD file (GB/T 33190, China's fixed-layout document format).

An OFD is a zip: `OFD.xml` names each document's `Document.xml` (DocBody/DocRoot), which
lists its pages in order (Pages/Page/@BaseLoc -> `Pages/Page_N/Content.xml`). A page holds
TextObjects (Boundary "x y w h" in mm, Size) with TextCode runs (X/Y of the first glyph's
baseline relative to the boundary, DeltaX advances, "g N d" repeating d N times).

Reading order: page order, then glyph runs grouped into lines by baseline (y), lines top to
bottom, runs left to right. The lines, with their boxes, are reflowed into paragraphs by the
same rules as PDF lines (pdf_reader.reflow_pages: running headers and page numbers dropped,
lines broken inside a paragraph joined). The zip is checked like a .docx (size, entry count,
compression ratio) before anything is inflated; XML is parsed without entities or network.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from fazhi.ingest.pdf_reader import PageLines, PLine, reflow_pages

MAX_PAGES = 500
_A4 = (210.0, 297.0)


class OfdError(ValueError):
    """The OFD cannot be read; the message is the Chinese reason."""


@dataclass
class Run:
    text: str
    x: float  # left of the first glyph, mm from the page's left edge
    y: float  # baseline, mm from the page's top edge
    x1: float
    size: float


def is_ofd(zf: zipfile.ZipFile) -> bool:
    return any(n.lower() == "ofd.xml" for n in zf.namelist())


def read_ofd(zf: zipfile.ZipFile) -> list[str]:
    """Paragraph lines of an OFD opened (and bomb-checked) as a zip; raises OfdError."""
    pages = []
    for doc_path in _doc_roots(zf):
        for page_path, size in _page_paths(zf, doc_path):
            if len(pages) >= MAX_PAGES:
                raise OfdError(f"OFD 页数过多（超过 {MAX_PAGES} 页），请拆分后再试")
            pages.append(page_lines(_xml(zf, page_path), size, len(pages)))
    if not pages:
        raise OfdError("OFD 文件中没有页面（文档结构缺失或损坏）")
    lines = reflow_pages(pages) if any(p.lines for p in pages) else []
    if not lines:
        raise OfdError("OFD 文件中没有文字（页面空白或只有图像）")
    return lines


def _xml(zf: zipfile.ZipFile, name: str):
    from lxml import etree

    real = _find(zf, name)
    if real is None:
        raise OfdError(f"OFD 文件缺少 {name}（文档结构损坏）")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        return etree.fromstring(zf.read(real), parser)
    except etree.XMLSyntaxError:
        raise OfdError(f"OFD 文件中的 {name} 已损坏（XML 结构损坏）") from None


def _find(zf: zipfile.ZipFile, name: str) -> str | None:
    name = name.lstrip("/")
    names = {n.lower(): n for n in zf.namelist()}
    return names.get(name.lower())


def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(root, name: str):
    return [el for el in root.iter() if _local(el) == name]


def _doc_roots(zf: zipfile.ZipFile) -> list[str]:
    root = _xml(zf, "OFD.xml")
    docs = [el.text.strip() for el in _children(root, "DocRoot") if el.text and el.text.strip()]
    if not docs:
        raise OfdError("OFD.xml 中没有文档（缺少 DocRoot，文档结构损坏）")
    return [d.lstrip("/") for d in docs]


def _page_paths(zf: zipfile.ZipFile, doc_path: str) -> list[tuple[str, tuple[float, float]]]:
    root = _xml(zf, doc_path)
    base = posixpath.dirname(doc_path)
    size = _box(next(iter(_children(root, "PhysicalBox")), None)) or _A4
    out = []
    for page in _children(root, "Page"):
        loc = (page.get("BaseLoc") or "").strip()
        if loc:
            path = loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(posixpath.join(base, loc))
            out.append((path, size))
    return out


def _box(el) -> tuple[float, float] | None:
    nums = _floats(el.text if el is not None else None)
    return (nums[2], nums[3]) if len(nums) == 4 and nums[2] > 0 and nums[3] > 0 else None


def _floats(s: str | None) -> list[float]:
    try:
        return [float(x) for x in (s or "").split()]
    except ValueError:
        return []


def page_lines(root, size: tuple[float, float], page_no: int) -> PageLines:
    """The text lines of one page's Content.xml, top to bottom."""
    box = _box(next(iter(_children(root, "PhysicalBox")), None)) or size
    runs = [run for obj in _children(root, "TextObject") for run in _object_runs(obj)]
    return PageLines(_lines(runs, page_no), box[0], box[1], 0)


def _object_runs(obj) -> list[Run]:
    bx, by, *_ = _floats(obj.get("Boundary")) + [0.0, 0.0]
    size = (_floats(obj.get("Size")) or [3.5])[0] or 3.5
    runs = []
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = "".join(code.itertext())
        x = _floats(code.get("X"))[0] if code.get("X") else x
        y = _floats(code.get("Y"))[0] if code.get("Y") else y
        if text.strip():
            deltas = _deltas(code.get("DeltaX"))
            width = sum(deltas[:len(text) - 1]) + _advance(text[-1], size)
            if len(deltas) < len(text) - 1:
                width += sum(_advance(ch, size) for ch in text[len(deltas):-1])
            runs.append(Run(text, bx + x, by + y, bx + x + width, size))
    return runs


def _deltas(s: str | None) -> list[float]:
    """DeltaX with its 'g N d' shorthand expanded."""
    out: list[float] = []
    tokens = (s or "").split()
    i = 0
    try:
        while i < len(tokens):
            if tokens[i] == "g" and i + 2 < len(tokens):
                out.extend([float(tokens[i + 2])] * min(int(tokens[i + 1]), 100_000))
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except ValueError:
        return out
    return out


def _advance(ch: str, size: float) -> float:
    return size * (0.5 if ch.isascii() else 1.0)


def _lines(runs: list[Run], page_no: int) -> list[PLine]:
    """Runs with (nearly) the same baseline make one line; lines top to bottom, runs left to right."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= 0.4 * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for group in lines:
        group.sort(key=lambda r: r.x)
        text = _join(group)
        size = sorted(r.size for r in group)[len(group) // 2]
        y = group[0].y
        out.append(PLine(text, group[0].x, max(r.x1 for r in group), y - size, y + 0.2 * size, size, page_no))
    return [ln for ln in out if ln.text.strip()]


def _join(runs: list[Run]) -> str:
    """Runs of one line; a space only where the gap is wide and both sides are Latin letters."""
    text = runs[0].text
    for prev, run in zip(runs, runs[1:]):
        gap = run.x - prev.x1
        if gap > 0.3 * run.size and re.match(r"[A-Za-z0-9]", run.text) and re.search(r"[A-Za-z0-9]$", text):
            text += " "
        text += run.text
    return text.strip()
