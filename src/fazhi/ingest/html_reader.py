"""A saved government web page -> the article as plain text, one paragraph per line.

Decoding: BOM, then <meta charset>, then strict UTF-8, then GB18030 / charset-normalizer.
The article is the deepest container holding most of the page's non-link text; it is
rendered block by block (table rows as tab-separated lines), page furniture lines are
dropped with the phrase lists of data/page_chrome.yaml, and the headline (h1, the
ArticleTitle meta of the 政府网站 standard, a title block, or <title>) is put first if the
article lacks it. 发布时间 and 来源 go to page_meta.

Limits (a clear refusal, never a silent cut): nesting deeper than libxml2's 2048 levels is read
again without inline tags, then flattened (parse_page); a page of more than MAX_ELEMENTS elements
or MAX_LINES rendered lines is refused. Every tree walk is iterative, so depth costs no recursion.
"""
from __future__ import annotations

import re
from typing import Any

from fazhi.errors import ReadError
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
MAX_DEPTH = 2048  # libxml2's nesting limit with huge_tree
MAX_ELEMENTS = 100_000  # a report page has a few thousand elements; a page with more is refused
MAX_LINES = 20_000  # a report has a few hundred paragraphs; a page rendering to more lines is refused
# (the analysis refuses more than 20,000 lines too: fazhi.pipeline.MAX_TEXT_LINES)
MAX_TITLE_TRIES = 200  # elements whose text is read while looking for the headline
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
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return [], {}
    root = parse_page(text)
    meta = _meta_tags(root)
    etree.strip_elements(root, *_DROP, etree.Comment, with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    page_lines = render(body)
    if len(page_lines) > MAX_LINES:
        raise ReadError(f"网页段落过多（{len(page_lines)} 段，上限 {MAX_LINES} 段），不像是一份年度报告")
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


# ---------------------------------------------------------------- parsing


def parse_page(text: str):
    """The page's element tree, never silently cut short. libxml2 stops at a nesting depth of
    2048 (256 without huge_tree) and drops the rest of the page without an error: a page nested
    that deep (one unclosed <font> per paragraph) is parsed again without its inline tags, then
    flattened to its text and line breaks; one still too deep is refused, and so is a page of more
    than MAX_ELEMENTS elements (counted in C before any Python walk)."""
    for prepare in (lambda t: t, _drop_inline_tags, _flatten):
        root, cut = _parse(prepare(text))
        if not cut:
            n = int(root.xpath("count(//*)"))
            if n > MAX_ELEMENTS:
                raise ReadError(f"网页结构过大（{n} 个标签元素，上限 {MAX_ELEMENTS} 个），不像是一份年度报告")
            return root
    raise ReadError(f"网页标签嵌套过深（超过 {MAX_DEPTH} 层），无法完整读取")


def _parse(text: str):
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    cut = any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in parser.error_log)
    return root, cut


_INLINE_TAG = re.compile(r"</?(?:font|span|b|i|u|s|em|strong|small|big|sub|sup|strike|label|abbr|mark"
                         r"|ins|del|[a-z]+:[a-z]+)(?=[\s/>])[^<>]*>", re.I)
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:]*)[^<>]*>")
_HIDDEN_OPEN = re.compile(r"<(script|style|noscript|template)\b|<!--", re.I)
_HIDDEN_CLOSE = {"--": re.compile("-->"), **{t: re.compile(rf"</{t}\b[^<>]*>?", re.I)
                                              for t in ("script", "style", "noscript", "template")}}


def _drop_inline_tags(text: str) -> str:
    return _INLINE_TAG.sub("", text)


def _flatten(text: str) -> str:
    """Only text and line breaks: every block tag becomes <br>, every other tag goes."""
    def tag(m: re.Match[str]) -> str:
        name = m.group(2).lower()
        return "<br>" if name in _BLOCK or name in ("br", "td", "th", "tr") else ""

    return "<html><body>" + _ANY_TAG.sub(tag, _drop_hidden(text)) + "</body></html>"


def _drop_hidden(text: str) -> str:
    """Text without scripts, styles and comments; an unclosed one hides the rest of the page, as in
    a browser. One pass (a search for each closing tag starts where its opening one ends)."""
    out, pos = [], 0
    while (m := _HIDDEN_OPEN.search(text, pos)) is not None:
        out.append(text[pos:m.start()])
        close = _HIDDEN_CLOSE["--" if m.group(0) == "<!--" else m.group(1).lower()].search(text, m.end())
        if close is None:
            return "".join(out)
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)


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
    h1s = [el for el in root.iter("h1") if order.get(el, 0) <= end]
    for el in h1s[::-1][:MAX_TITLE_TRIES]:  # the last h1 with text (text_content() is read a bounded number of times)
        t = _clean(el.text_content())
        if len(t) >= 4:
            return t
    if meta.get("title"):
        return meta["title"]
    start = order.get(article, 0)
    tries = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or order.get(el, 0) > start + 200:
            continue
        cls = f"{el.get('class', '')} {el.get('id', '')}"
        if _TITLE_CLASS.search(cls) and tries < MAX_TITLE_TRIES:
            tries += 1
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
    """The deepest container holding >= 70% of the page's non-link Chinese text, not descending
    past an element that holds a sentence of its own."""
    own = _cjk_totals(body)
    all_text = own[body]
    if all_text == 0:
        return body
    best = body
    while not _own_prose(best):  # never leave prose behind (nested unclosed <font>s hold text directly)
        nxt = [c for c in best if isinstance(c.tag, str) and own.get(c, 0) >= 0.7 * all_text]
        if not nxt:
            break
        if nxt[0].tag not in _CONTAINERS and nxt[0].tag not in ("tr",):
            break
        best = nxt[0]
    if best.tag == "tr":
        best = best.getparent()
    return best


def _own_prose(el) -> bool:
    """The element holds a sentence directly (in its text or its children's tails), not inside a child."""
    own = (el.text or "") + "".join(c.tail or "" for c in el)
    return _cjk_count(own) >= 10 and any(p in own for p in "。；！？")


def _cjk_totals(root) -> dict[Any, int]:
    """Chinese characters under each element, link text (<a>) left out; iterative, children
    summed before their parent, so any nesting depth works."""
    order, stack = [], [root]
    while stack:
        el = stack.pop()
        order.append(el)
        stack.extend(c for c in el if isinstance(c.tag, str) and c.tag != "a")
    own: dict[Any, int] = {}
    for el in reversed(order):
        n = 0 if el.tag == "a" else _cjk_count(el.text)
        for child in el:
            n += own.get(child, 0) + _cjk_count(child.tail)
        own[el] = n
    return own


def render(el) -> list[str]:
    """Block-level rendering: one line per paragraph, table rows as tab-separated cells.
    Iterative (an explicit stack), so any nesting depth works."""
    contexts: list[tuple[list[str], list[str]]] = [([], [])]  # (lines, pending text) per table cell
    todo: list[tuple[str, Any]] = [("node", el)]
    while todo:
        op, arg = todo.pop()
        out, buf = contexts[-1]
        if op == "text":
            buf.append(arg)
        elif op == "flush":
            _flush(out, buf)
        elif op == "cell":  # a table cell begins
            contexts.append(([], []))
        elif op == "cell_end":
            _flush(out, buf)
            contexts.pop()
            arg.append(out)
        elif op == "row":
            _row(out, arg)
        else:
            todo.extend(reversed(_expand(arg, out, buf)))
    out, buf = contexts[0]
    _flush(out, buf)
    return out


def _expand(node, out: list[str], buf: list[str]) -> list[tuple[str, Any]]:
    """What rendering `node` takes, in order (run by render's loop)."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag == "br":
        _flush(out, buf)
        return []
    if tag == "tr":
        _flush(out, buf)
        cells: list[list[str]] = []
        steps: list[tuple[str, Any]] = []
        for td in node:
            if isinstance(td.tag, str) and td.tag in ("td", "th"):
                steps += [("cell", None), ("node", td), ("cell_end", cells)]
        return steps + [("row", cells)]
    block = tag in _BLOCK
    if block:
        _flush(out, buf)
    if node.text:
        buf.append(node.text)
    steps = []
    for child in node:
        steps.append(("node", child))
        if child.tail:
            steps.append(("text", child.tail))
    if block:
        steps.append(("flush", None))
    return steps


def _flush(out: list[str], buf: list[str]) -> None:
    line = _clean("".join(buf))
    buf.clear()
    if line:
        out.append(line)


def _row(out: list[str], cells: list[list[str]]) -> None:
    if all(len(c) <= 1 for c in cells):
        row = "\t".join(c[0] if c else "" for c in cells).strip("\t")
        if row.strip():
            out.append(row)
    else:
        for c in cells:
            out.extend(c)


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
