"""Structural mutators for the fuzz cases: a .docx with hostile numbering, deep nesting, damaged XML
or zip members; web pages with unclosed or deeply nested tags, lying charsets, huge tables; PDFs
with broken lengths, xref, page counts and content. Each returns (bytes, what it did).
"""
from __future__ import annotations

import random
import re
import zipfile

import fuzz_cases as fc
from fuzz_mutators import flood, havoc

# ---------------------------------------------------------------- structural: .docx

NUM_FORMATS = ("upperRoman", "lowerRoman", "upperLetter", "lowerLetter", "decimal", "chineseCounting",
               "chineseLegalSimplified", "ideographTraditional", "decimalEnclosedCircle", "decimalFullWidth",
               "decimalZero", "bullet", "none", "ordinalText", "")
HUGE_VALUES = ("2147483647", "999999999999", "-2147483648", "32768", "4000", "-1", "1e9", "", "abc", "9" * 5000,
               "0x10", " 7 ", "１２")


def numbering_attack(rng: random.Random) -> tuple[str, str]:
    """A numbering.xml with hostile values: huge starts, overrides, levels, lvlText, many lists."""
    fmt = rng.choice(NUM_FORMATS)
    kind = rng.choice(("start", "override", "ilvl", "lvltext", "many", "restart"))
    levels = [(fmt, "%1、"), (fmt, "（%2）"), (fmt, "%1.%2.%3")]
    if kind == "start":
        v = rng.choice(HUGE_VALUES)
        return fc.numbering_xml(levels, start=v), f"num:start={v[:12]}:{fmt}"
    if kind == "override":
        v = rng.choice(HUGE_VALUES)
        return (fc.numbering_xml(levels, override=f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{v}"/>'
                                                  "</w:lvlOverride>"), f"num:override={v[:12]}:{fmt}")
    if kind == "ilvl":
        v = rng.choice(HUGE_VALUES)
        xml = fc.numbering_xml(levels).replace('w:ilvl="1"', f'w:ilvl="{v}"', 1)
        return xml, f"num:ilvl={v[:12]}"
    if kind == "lvltext":
        text = rng.choice(("%1" * 5000, "%9%8%7%6%5%4%3%2%1" * 100, "x" * 100000, "%", "%0%10%99"))
        return fc.numbering_xml([(fmt, text)] * 3), f"num:lvltext{len(text)}:{fmt}"
    if kind == "many":
        n = rng.choice((100, 2000, 20000))
        lv = '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        extra = "".join(f'<w:abstractNum w:abstractNumId="{i + 10}">{lv}</w:abstractNum>'
                        f'<w:num w:numId="{i + 10}"><w:abstractNumId w:val="{i + 10}"/></w:num>' for i in range(n))
        return fc.numbering_xml(levels, extra=extra), f"num:many{n}"
    v = rng.choice(("0", "1", "99", "-5", "abc"))
    return fc.numbering_xml(levels).replace('<w:lvlJc', f'<w:lvlRestart w:val="{v}"/><w:lvlJc', 1), f"num:restart={v}"


def _nest(open_tag: str, close_tag: str, inner: str, depth: int) -> str:
    return open_tag * depth + inner + close_tag * depth


def docx_struct(text: str, rng: random.Random) -> tuple[bytes, str]:
    """A .docx of text with one structural change: hostile numbering, deep nesting, XML damage,
    dropped/duplicated/renamed members, style chains, a stored (uncompressed) zip."""
    body = fc.docx_body(text, numbered=True)
    parts = fc.docx_parts(fc.document_xml(body), fc.numbering_xml())
    op = rng.choice(("numbering", "numbering", "nest_table", "nest_sdt", "xml_damage", "members", "styles",
                     "stored", "paragraphs", "table_big"))
    name = op
    if op == "numbering":
        parts["word/numbering.xml"], name = numbering_attack(rng)
    elif op == "nest_table":
        d = rng.choice((10, 100, 300, 3000))
        inner = fc.paragraph_xml("嵌套表格中的文字，办理案件12件。")
        parts["word/document.xml"] = fc.document_xml(body + _nest("<w:tbl><w:tr><w:tc>", "</w:tc></w:tr></w:tbl>",
                                                                   inner, d))
        name = f"nest_table{d}"
    elif op == "nest_sdt":
        d = rng.choice((10, 200, 3000))
        parts["word/document.xml"] = fc.document_xml(_nest("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>",
                                                           body, d))
        name = f"nest_sdt{d}"
    elif op == "xml_damage":
        part = rng.choice(("word/document.xml", "word/numbering.xml", "word/styles.xml", "[Content_Types].xml",
                           "word/_rels/document.xml.rels"))
        parts[part], how = xml_damage(str(parts[part]), rng)
        name = f"xml:{part.split('/')[-1]}:{how}"
    elif op == "members":
        how = rng.choice(("drop", "dup", "rename"))
        victim = rng.choice(sorted(parts))
        if how == "drop":
            del parts[victim]
        elif how == "dup":
            parts[victim + "x"] = parts[victim]
        else:
            parts[victim.upper()] = parts.pop(victim)
        name = f"members:{how}:{victim}"
    elif op == "styles":
        n = rng.choice((10, 1000, 20000))
        chain = "".join(f'<w:style w:type="paragraph" w:styleId="S{i}"><w:basedOn w:val="S{i + 1}"/></w:style>'
                        for i in range(n))
        cyc = rng.random() < 0.5
        last = f'<w:style w:type="paragraph" w:styleId="S{n}"><w:basedOn w:val="{"S0" if cyc else "Normal"}"/>' \
               '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
        parts["word/styles.xml"] = str(parts["word/styles.xml"]).replace("</w:styles>", chain + last + "</w:styles>")
        paras = "".join(fc.paragraph_xml(ln, style=f"S{rng.randrange(n)}") for ln in text.splitlines())
        parts["word/document.xml"] = fc.document_xml(paras)
        name = f"styles:chain{n}:{'cycle' if cyc else 'open'}"
    elif op == "stored":
        return fc.zip_parts(parts, zipfile.ZIP_STORED), "stored"
    elif op == "paragraphs":
        n = rng.choice((1000, 20000))
        parts["word/document.xml"] = fc.document_xml(body + fc.paragraph_xml("一", 0) * n)
        name = f"numbered_paragraphs{n}"
    else:
        rows, cols = rng.choice(((2000, 3), (20, 500)))
        cell = "<w:tc>" + fc.paragraph_xml("12件") + "</w:tc>"
        parts["word/document.xml"] = fc.document_xml(body + "<w:tbl>" + ("<w:tr>" + cell * cols + "</w:tr>") * rows
                                                     + "</w:tbl>")
        name = f"table{rows}x{cols}"
    return fc.zip_parts(parts), name


def xml_damage(xml: str, rng: random.Random) -> tuple[str, str]:
    how = rng.choice(("truncate", "garbage", "unclose", "rename", "entity", "control", "decl", "attr", "doctype"))
    k = rng.randrange(len(xml) + 1)
    if how == "truncate":
        return xml[:k], how
    if how == "garbage":
        return xml[:k] + "<<&&>>\x00" + xml[k:], how
    if how == "unclose":
        return re.sub(r"</w:\w+>", "", xml, count=rng.choice((1, 5, 1000))), how
    if how == "rename":
        return re.sub(r"<w:(\w+)", lambda m: "<w:x" + m.group(1) if rng.random() < 0.3 else m.group(0), xml), how
    if how == "entity":
        return xml[:k] + "&undefined;&#0;&#xFFFFFFFF;" + xml[k:], how
    if how == "control":
        return xml.replace("<w:t", "<w:t\x01", 1), how
    if how == "decl":
        return xml.replace('encoding="UTF-8"', rng.choice(('encoding="UTF-16"', 'encoding="GBK"', 'encoding="bogus"'))), how
    if how == "attr":
        return xml.replace("<w:p>", '<w:p w:rsidR="' + "A" * 1_000_000 + '">', 1), how
    return ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
            + xml.split("?>", 1)[-1].replace("</w:t>", "&d;</w:t>", 1)), "billion_laughs"


# ---------------------------------------------------------------- structural: web pages


def html_struct(text: str, rng: random.Random) -> tuple[bytes, str]:
    lines = [fc.escape(ln.strip()) for ln in text.splitlines() if ln.strip()] or ["空"]
    op = rng.choice(("unclosed", "nest", "nul", "charset", "comment", "script", "entities", "table", "br",
                     "shuffle_tags", "unicode", "many_p"))
    charset = "utf-8"
    if op == "unclosed":
        tag = rng.choice(("font", "span", "div", "b", "blockquote", "table", "li", "a", "p"))
        body = [f"<{tag}>{ln}" for ln in lines] * rng.choice((1, 2, 8))
        name = f"unclosed:{tag}x{len(body)}"
    elif op == "nest":
        tag = rng.choice(("div", "font", "span", "table><tr><td", "ul><li", "blockquote"))
        d = rng.choice((100, 255, 300, 2100, 30000))
        close = "".join(f"</{t}>" for t in reversed(tag.split("><")))
        body = ["<" + tag + ">"] * d + [f"<p>{ln}</p>" for ln in lines] + [close] * d
        name = f"nest:{tag.split('>')[0]}x{d}"
    elif op == "nul":
        body = [f"<p>{ln}\x00</p>" for ln in lines]
        name = op
    elif op == "charset":
        charset = rng.choice(("gbk", "utf-16", "utf-32", "bogus-charset", "iso-8859-1", "big5", "x-user-defined"))
        body = [f"<p>{ln}</p>" for ln in lines]
        name = f"charset:{charset}"
    elif op == "comment":
        body = [f"<p>{ln}</p>" for ln in lines]
        body.insert(rng.randrange(len(body) + 1), rng.choice(("<!--", "<!-- x -- y -->", "<![CDATA[", "<?php echo 1;")))
        name = op
    elif op == "script":
        body = [f"<p>{ln}</p>" for ln in lines]
        body.insert(rng.randrange(len(body) + 1), rng.choice(("<script>", "<style>", "<script>var a='</p>';")))
        name = op
    elif op == "entities":
        body = [f"<p>{ln}&#0;&#xD800;&#x10FFFF;&nbsp;&bogus;&#99999999999;</p>" for ln in lines]
        name = op
    elif op == "table":
        rows = rng.choice((100, 5000))
        body = [f"<p>{ln}</p>" for ln in lines] + ["<table>" + "<tr><td>事项</td><td>12件</td></tr>" * rows + "</table>"]
        name = f"table{rows}"
    elif op == "br":
        n = rng.choice((1000, 100000))
        body = [f"<p>{ln}</p>" for ln in lines] + ["<br>" * n]
        name = f"br{n}"
    elif op == "shuffle_tags":
        body = [f"<p>{ln}</p>" for ln in lines]
        html = fc.page_html(text, charset, body)
        tags = re.findall(r"<[^>]+>", html)
        rng.shuffle(tags)
        it = iter(tags)
        return re.sub(r"<[^>]+>", lambda m: next(it), html).encode("utf-8"), op
    elif op == "unicode":
        mutated, how = flood("\n".join(lines), rng)
        body = [f"<p>{ln}</p>" for ln in mutated.split("\n")]
        name = f"unicode:{how}"
    else:
        n = rng.choice((10000, 100000))
        body = [f"<p>{ln}</p>" for ln in lines] + ["<p>段</p>"] * n
        name = f"many_p{n}"
    html = fc.page_html(text, charset, body)
    enc = {"gbk": "gb18030", "big5": "big5", "utf-16": "utf-16", "utf-32": "utf-32"}.get(charset, "utf-8")
    if rng.random() < 0.3:
        enc = "utf-8"  # the declared charset lies
    return html.encode(enc, errors="replace"), name


# ---------------------------------------------------------------- structural: PDF


def pdf_struct(text: str, rng: random.Random) -> tuple[bytes, str]:
    data = fc.make_pdf(text)
    op = rng.choice(("truncate", "havoc", "length", "xref", "count", "mediabox", "nesting", "pages", "tounicode",
                     "no_text"))
    if op == "truncate":
        k = rng.randrange(len(data))
        return data[:k], f"truncate:{k}"
    if op == "havoc":
        out, how = havoc(data, rng)
        return out, how
    if op == "length":
        return re.sub(rb"/Length \d+", lambda m: b"/Length " + rng.choice((b"0", b"-1", b"99999999", b"7")), data), op
    if op == "xref":
        return data.replace(b"startxref\n", b"startxref\n9", 1), op
    if op == "count":
        return data.replace(b"/Count ", b"/Count 99999999", 1), op
    if op == "mediabox":
        box = rng.choice((b"[0 0 0 0]", b"[0 0 -595 -842]", b"[0 0 1e9 1e9]", b"[0 0 NaN 842]", b"[]"))
        return data.replace(b"[0 0 595 842]", box), f"mediabox:{box.decode()}"
    if op == "nesting":
        d = rng.choice((1000, 100000))
        return data.replace(b"BT /F1 12 Tf", b"q " * d + b"BT /F1 12 Tf", 1), f"q_nesting{d}"
    if op == "pages":
        n = rng.choice((200, 2000))
        return fc.pdf_document([b"BT /F1 12 Tf 1 0 0 1 72 770 Tm <4E00> Tj ET"] * n), f"pages{n}"
    if op == "tounicode":
        return data.replace(b"/ToUnicode 5 0 R", b""), op
    return fc.pdf_document([b"0 0 m 100 100 l S"]), op
