"""Text of a .docx: body paragraphs and tables in document order, numbering markers restored.

Headers, footers, footnotes and comments are not part of the text. Table rows become one
line each, cells separated by tabs. Deleted revisions are skipped, inserted ones kept.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fazhi.ingest.numbering import W, Numbering, parse_ilvl, parse_numbering

_RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_RT_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_SKIP = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "footnoteReference",
         W + "endnoteReference", W + "commentReference", W + "pPr", W + "rPr", W + "fldData",
         "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def read_docx(data: bytes) -> list[str]:
    """Paragraph lines of a Word document (bytes already checked as a safe zip)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    return [line for block in document_blocks(document) for line in block.lines]


@dataclass(frozen=True)
class Block:
    """One body paragraph or table as the reader renders it. For a paragraph, `runs` is its run
    text and `marker` the list number Word draws before it (lines = marker + separator + runs)."""
    element: Any
    lines: list[str]
    runs: str = ""
    marker: str = ""


def document_blocks(document) -> Iterator[Block]:
    """The body's paragraphs and tables in reading order (sdt/customXml/ins unwrapped), each with
    the lines it contributes to the text. The reader and the annotator both walk this, so their
    offsets agree."""
    part = document.part
    numbering = parse_numbering(_related_root(part, _RT_NUMBERING))
    styles = _style_numpr(_related_root(part, _RT_STYLES))
    for el in _body_elements(document.element.body):
        if el.tag == W + "p":
            runs = _runs_text(el)
            marker = _marker(el, numbering, styles)
            yield Block(el, with_marker(runs, marker).split("\n"), runs, marker)
        else:
            rows: list[str] = []
            _block(el, rows, numbering, styles)
            yield Block(el, rows)


_WRAPPERS = (W + "sdt", W + "customXml", W + "ins", W + "moveTo")


def _body_elements(body) -> Iterator[Any]:
    for el in body:
        if el.tag in _WRAPPERS:
            content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            yield from _body_elements(content if content is not None else [])
        elif el.tag in (W + "p", W + "tbl"):
            yield el


def marker_separator(runs: str) -> str:
    """What stands between a list marker and the paragraph's text: a space before Latin letters
    and digits (1. A...), nothing before Chinese."""
    return " " if runs[:1].isascii() and runs[:1].isalnum() else ""


def with_marker(runs: str, marker: str) -> str:
    return marker + marker_separator(runs) + runs.lstrip() if marker else runs


def _related_root(part, reltype: str):
    for rel in part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            target = rel.target_part
            element = getattr(target, "element", None)
            if element is not None:
                return element
            from lxml import etree

            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            return etree.fromstring(target.blob, parser=parser)
    return None


def _style_numpr(root) -> dict[str, tuple[str | None, str | None]]:
    """styleId -> (numId, ilvl) a paragraph of that style takes, resolved through basedOn:
    the numId of the first style in the chain that has one, the first ilvl met on the way.
    Each style is resolved once (a long or cyclic basedOn chain costs linear time)."""
    own: dict[str, tuple[str | None, str | None, str | None]] = {}
    if root is None:
        return {}
    for st in root.iter(W + "style"):
        sid = st.get(W + "styleId")
        if not sid:
            continue
        num_id = ilvl = None
        numpr = st.find(f"{W}pPr/{W}numPr")
        if numpr is not None:
            num_id = _child_val(numpr, "numId")
            ilvl = _child_val(numpr, "ilvl")
        based = st.find(W + "basedOn")
        own[sid] = (num_id, ilvl, based.get(W + "val") if based is not None else None)
    resolved: dict[str, tuple[str | None, str | None]] = {}
    for sid in own:
        chain: list[str] = []
        seen: set[str] = set()
        cur: str | None = sid
        while cur is not None and cur in own and cur not in resolved and cur not in seen:
            chain.append(cur)
            seen.add(cur)
            if own[cur][0] is not None:
                break
            cur = own[cur][2]
        tail = resolved.get(cur, (None, None)) if cur not in seen else (None, None)
        for link in reversed(chain):
            num_id, ilvl, _ = own[link]
            tail = (num_id, ilvl) if num_id is not None else (tail[0], ilvl or tail[1])
            resolved[link] = tail
    return resolved


def _child_val(el, tag: str) -> str | None:
    c = el.find(W + tag)
    return c.get(W + "val") if c is not None else None


def _block(el, lines: list[str], numbering: Numbering, styles) -> None:
    tag = el.tag
    if tag == W + "p":
        lines.extend(_paragraph(el, numbering, styles).split("\n"))
    elif tag == W + "tbl":
        for tr in _rows(el):
            cells = [_cell_text(tc, numbering, styles) for tc in tr.findall(W + "tc")]
            if any(c.strip() for c in cells):
                lines.append("\t".join(cells))
    elif tag in _WRAPPERS:
        content = el.find(W + "sdtContent") if tag == W + "sdt" else el
        for child in content if content is not None else []:
            _block(child, lines, numbering, styles)


def _rows(tbl) -> Iterator[Any]:
    """The table's own rows in order (inside sdt/customXml wrappers too), not those of nested
    tables: each element is visited once, so deep nesting costs linear time."""
    stack = list(reversed(tbl))
    while stack:
        el = stack.pop()
        if el.tag == W + "tr":
            yield el
        elif el.tag != W + "tbl" and isinstance(el.tag, str):
            stack.extend(reversed(el))


def _cell_text(tc, numbering: Numbering, styles) -> str:
    vmerge = tc.find(f"{W}tcPr/{W}vMerge")
    if vmerge is not None and vmerge.get(W + "val", "continue") == "continue":
        return ""
    parts: list[str] = []
    for child in tc:
        sub: list[str] = []
        _block(child, sub, numbering, styles)
        parts.extend(s.strip() for s in sub if s.strip())
    return " ".join(parts).replace("\t", " ")


def _paragraph(p, numbering: Numbering, styles) -> str:
    return with_marker(_runs_text(p), _marker(p, numbering, styles))


def text_pieces(p) -> Iterator[tuple[object, str]]:
    """Each XML node of paragraph `p` that contributes text, with the text it contributes,
    in reading order. The one walker both the reader and the annotator use, so their offsets agree."""
    started = False

    def walk(node) -> Iterator[tuple[object, str]]:
        nonlocal started
        for child in node:
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str) or tag == W + "sym":
                continue
            piece = None
            if tag == W + "t":
                piece = child.text or ""
            elif tag == W + "tab" or tag == W + "ptab":
                piece = "\t"
            elif tag in (W + "br", W + "cr"):
                if child.get(W + "type") in (None, "textWrapping"):
                    piece = "\n"
            elif tag == W + "noBreakHyphen":
                piece = "-"
            elif tag == W + "p" and started:  # text box paragraphs inside a drawing
                yield child, "\n"
                yield from walk(child)
            else:
                yield from walk(child)
            if piece is not None:
                started = True
                yield child, piece

    return walk(p)


def _runs_text(p) -> str:
    return "".join(piece for _, piece in text_pieces(p))


def _marker(p, numbering: Numbering, styles) -> str:
    numpr = p.find(f"{W}pPr/{W}numPr")
    num_id = ilvl = None
    if numpr is not None:
        num_id = _child_val(numpr, "numId")
        ilvl = _child_val(numpr, "ilvl")
    if num_id is None:
        style = p.find(f"{W}pPr/{W}pStyle")
        s_num, s_lvl = styles.get(style.get(W + "val"), (None, None)) if style is not None else (None, None)
        num_id, ilvl = s_num, ilvl or s_lvl
    if not num_id or num_id == "0":
        return ""
    level = parse_ilvl(ilvl or "0")
    return numbering.marker(num_id, level) if level is not None else ""
