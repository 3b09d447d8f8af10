"""A saved government web page -> the article as plain text, one paragraph per line.

Decoding: BOM, then <meta charset>, then strict UTF-8, then GB18030 / charset-normalizer.
The article is the deepest container holding most of the page's non-link text; it is
rendered block by block (table rows as tab-separated lines), page furniture lines are
dropped with the phrase lists of data/page_chrome.yaml, and the headline (h1, the
ArticleTitle meta of the 政府网站 standard, a title block, or <title>) is put first if the
article lacks it. 发布时间 and 来源 go to page_meta.
"""
from __future__ import annotations

import re
from typing import Any

from fazhi.ingest import chrome
from fazhi.ingest.textcodec import DecodeError, bom_codec, looks_chinese, normalise_codec

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
_WS = re.compile(r"[ \t\r\n\f\v]+")
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dd", "dt", "table",
          "tbody", "thead", "tfoot", "tr", "section", "article", "main", "aside", "header", "footer",
          "blockquote", "pre", "center", "form", "address", "hr", "figure", "figcaption", "caption", "body"}
_CONTAINERS = {"div", "article", "section", "main", "td", "body", "form", "center", "table", "tbody", "font"}
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select",
         "button", "input", "textarea", "nav", "map", "audio", "video", "canvas")
_TITLE_CLASS = re.compile(r"title|tit\b|biaoti|headline|bt\b", re.I)


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML page."""
    bom = bom_codec(data)
    if bom:
        codec, name, n = bom
        return data[n:].decode(codec, errors="replace"), name
    m = _META_CHARSET.search(data[:8192])
    declared = normalise_codec(m.group(1).decode("ascii")) if m else None
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if looks_chinese(re.sub(r"<[^>]*>", "", text)):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    codec = normalise_codec(best.encoding) if best else None
    if codec:
        return data.decode(codec, errors="replace"), codec
    if declared:
        return data.decode(declared, errors="replace"), declared
    raise DecodeError("网页编码无法识别")


def read_html(text: str) -> tuple[list[str], dict[str, Any]]:
    """(article lines, page_meta) of a decoded page."""
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return [], {}
    root = lxml.html.document_fromstring(text)
    meta = _meta_tags(root)
    etree.strip_elements(root, *_DROP, etree.Comment, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    page_lines = render(body)
    info = chrome.parse_info("\n".join(page_lines), _info_lines(page_lines))
    for key in ("publish_date", "source"):
        if key not in meta and key in info:
            meta[key] = info[key]
    article = _article(body)
    lines = _strip_chrome(render(article))
    headline = _headline(root, article, meta)
    if headline:
        meta.setdefault("title", headline)
        folded = _fold(headline)
        if not any(folded and folded in _fold(ln) for ln in lines[:5]):
            lines.insert(0, headline)
    return lines, meta


# ---------------------------------------------------------------- meta / headline


def _meta_tags(root) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").lower()
        content = _clean(el.get("content") or "")
        if not content:
            continue
        if name in ("articletitle", "og:title") and "title" not in meta:
            meta["title"] = content
        elif name in ("pubdate", "publishdate", "firstpublishedtime", "article:published_time"):
            date = chrome.parse_date(content)
            if date:
                meta.setdefault("publish_date", date)
        elif name in ("contentsource", "source") and "source" not in meta:
            meta["source"] = content
    return meta


def _headline(root, article, meta: dict[str, Any]) -> str | None:
    order = {el: i for i, el in enumerate(root.iter())}
    end = max((order.get(el, 0) for el in article.iter()), default=order.get(article, 0))
    for tag in ("h1",):
        found = [el for el in root.iter(tag) if order.get(el, 0) <= end and len(_clean(el.text_content())) >= 4]
        if found:
            return _clean(found[-1].text_content())
    if meta.get("title"):
        return meta["title"]
    start = order.get(article, 0)
    for el in root.iter():
        if not isinstance(el.tag, str) or order.get(el, 0) > start + 200:
            continue
        cls = f"{el.get('class', '')} {el.get('id', '')}"
        if _TITLE_CLASS.search(cls):
            t = _clean(el.text_content())
            if 6 <= len(t) <= 80 and not chrome.chrome_kind(t):
                return t
    title = root.find(".//title")
    if title is not None:
        first = re.split(r"\s*[_|｜]\s*|\s+-\s+|——", _clean(title.text_content()))[0]
        if len(_CJK.findall(first)) >= 10:
            return first
    return None


def _fold(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _clean(s: str) -> str:
    return _WS.sub(" ", s.replace("\xa0", " ")).strip(" \u3000")


# ---------------------------------------------------------------- article


def _cjk_count(s: str | None) -> int:
    return len(_CJK.findall(s)) if s else 0


def _article(body):
    """The deepest container holding >= 70% of the page's non-link Chinese text."""
    own: dict[Any, int] = {}

    def total(el) -> int:
        n = 0 if el.tag == "a" else _cjk_count(el.text)
        for child in el:
            if isinstance(child.tag, str):
                n += 0 if child.tag == "a" else total(child)
            n += _cjk_count(child.tail)
        own[el] = n
        return n

    all_text = total(body)
    if all_text == 0:
        return body
    best = body
    while True:
        nxt = [c for c in best if isinstance(c.tag, str) and own.get(c, 0) >= 0.7 * all_text]
        if not nxt:
            break
        if nxt[0].tag not in _CONTAINERS and nxt[0].tag not in ("tr",):
            break
        best = nxt[0]
    if best.tag == "tr":
        best = best.getparent()
    return best


def render(el) -> list[str]:
    """Block-level rendering: one line per paragraph, table rows as tab-separated cells."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = _clean("".join(buf))
        buf.clear()
        if line:
            out.append(line)

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            flush()
        elif tag == "tr":
            flush()
            cells = [render(td) for td in node if isinstance(td.tag, str) and td.tag in ("td", "th")]
            if all(len(c) <= 1 for c in cells):
                row = "\t".join(c[0] if c else "" for c in cells).strip("\t")
                if row.strip():
                    out.append(row)
            else:
                for c in cells:
                    out.extend(c)
        else:
            block = tag in _BLOCK
            if block:
                flush()
            if node.text:
                buf.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    buf.append(child.tail)
            if block:
                flush()

    walk(el)
    flush()
    return out


def _info_lines(lines: list[str]) -> list[chrome.Line]:
    spans, pos = [], 0
    for ln in lines:
        if chrome.chrome_kind(ln) in ("info", "nav") or re.search(r"发布(?:时间|日期)|来源\s*[:：]", ln) and len(ln) <= 100:
            spans.append(chrome.Line(pos, pos + len(ln), ln))
        pos += len(ln) + 1
    return spans


def _strip_chrome(lines: list[str]) -> list[str]:
    """Keep the report: drop furniture before and after it, and the info line at its head."""
    if not lines:
        return lines
    text = "\n".join(lines)
    span, _ = chrome.find_body(text)
    kept, pos, seen_prose = [], 0, False
    for ln in lines:
        a, b = pos, pos + len(ln)
        pos = b + 1
        if a < span.start or b > span.end:
            continue
        kind = chrome.chrome_kind(ln)
        if kind and not seen_prose and kind in ("info", "nav"):
            continue
        seen_prose = seen_prose or (len(ln) >= 30 and not kind)
        kept.append(ln)
    return kept
