"""The review opinion as a self-contained HTML page or as Markdown.

Report text is untrusted (it comes from any web page or Word file): every string is passed
through `html.escape` for HTML, and through `md_escape` for Markdown, whose renderers pass
raw HTML through.
"""
from __future__ import annotations

import re
from html import escape

from fazhi.render.opinion import FindingItem, Opinion, Para, Table, numbered

_CSS = """
body{font-family:"FangSong_GB2312","仿宋_GB2312","FangSong","仿宋","STFangsong","Noto Serif CJK SC",serif;
 font-size:16pt;line-height:1.75;max-width:46em;margin:2em auto;padding:0 1em;color:#000}
h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun","宋体","Noto Serif CJK SC",serif;
 font-size:22pt;font-weight:normal;text-align:center;line-height:1.4;margin:1em 0}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;margin:1em 0 .3em}
h3{font-family:"KaiTi_GB2312","楷体_GB2312","KaiTi","楷体",serif;font-size:16pt;font-weight:normal;margin:.8em 0 .3em}
p{margin:0;text-indent:2em}
p.addressee,p.signer,p.date{text-indent:0}
p.signer,p.date{text-align:right}
p.note{font-size:12pt;color:#555;text-indent:0;margin-top:1em}
.sev{font-weight:bold}.sev-error{color:#b00}.sev-warning{color:#a60}.sev-info{color:#06c}
.quote{font-family:"KaiTi","楷体",serif}
table{border-collapse:collapse;width:100%;font-size:12pt;line-height:1.4;margin:.4em 0 .8em}
th,td{border:1px solid #000;padding:2pt 4pt;vertical-align:top;text-align:left}
th{font-family:"SimHei","黑体",sans-serif;font-weight:normal}
@page{size:A4;margin:3.7cm 2.6cm 3.5cm 2.8cm}
@media print{body{margin:0;max-width:none}h2,h3{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def finding_sentence(item: FindingItem, n: int) -> list[tuple[str, str]]:
    """(role, text) pieces of one finding line, shared by both formats."""
    out = [("num", f"{n}．"), ("sev", f"【{item.severity_label}】"), ("msg", item.message)]
    if item.quote:
        out.append(("quote", f"原文：“{item.quote}”。"))
    if item.suggestion:
        out.append(("sugg", f"建议：{item.suggestion}"))
    return out


# ---------------------------------------------------------------- HTML


def _html_blocks(blocks) -> list[str]:
    out: list[str] = []
    n = 0
    for b in blocks:
        if isinstance(b, Para):
            label = f"<strong>{escape(b.label)}</strong>" if b.label else ""
            out.append(f"<p>{label}{escape(b.text)}</p>")
        elif isinstance(b, FindingItem):
            n += 1
            pieces = []
            for role, text in finding_sentence(b, n):
                if role == "sev":
                    pieces.append(f'<span class="sev sev-{escape(b.severity)}">{escape(text)}</span>')
                elif role == "quote":
                    pieces.append(f'<span class="quote">{escape(text)}</span>')
                else:
                    pieces.append(escape(text))
            out.append(f'<p class="finding">{"".join(pieces)}</p>')
        elif isinstance(b, Table):
            head = "".join(f"<th>{escape(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b.rows)
            cap = f"<caption>{escape(b.caption)}</caption>" if b.caption else ""
            out.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return out


def render_html(op: Opinion) -> str:
    parts = ['<!DOCTYPE html>', '<html lang="zh-CN"><head><meta charset="utf-8">',
             f"<title>{escape(op.title)}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>{escape(op.title)}</h1>"]
    if op.addressee:
        parts.append(f'<p class="addressee">{escape(op.addressee)}：</p>')
    parts.append(f"<p>{escape(op.opening)}</p>")
    for level, marker, sec in numbered(op):
        tag = "h2" if level == 1 else "h3"
        parts.append(f"<{tag}>{escape(marker + sec.title)}</{tag}>")
        parts.extend(_html_blocks(sec.blocks))
    parts.append(f"<p>{escape(op.closing)}</p>")
    parts.append(f'<p class="signer">{escape(op.signer)}</p>')
    parts.append(f'<p class="date">{escape(op.date)}</p>')
    if op.note:
        parts.append(f'<p class="note">{escape(op.note)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup (incl. raw HTML); one line."""
    one_line = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def _md_blocks(blocks) -> list[str]:
    out: list[str] = []
    n = 0
    for b in blocks:
        if isinstance(b, Para):
            # bold label without its colon: CommonMark does not close ** between CJK punctuation and a letter
            label = f"**{md_escape(b.label.rstrip('：:'))}**：" if b.label else ""
            out.append(f"{label}{md_escape(b.text)}\n")
        elif isinstance(b, FindingItem):
            n += 1
            pieces = []
            for role, text in finding_sentence(b, n):
                pieces.append(f"【**{md_escape(b.severity_label)}**】" if role == "sev" else md_escape(text))
            out.append("".join(pieces) + "\n")
        elif isinstance(b, Table):
            out.append("| " + " | ".join(md_escape(h) for h in b.header) + " |")
            out.append("|" + "---|" * len(b.header))
            out.extend("| " + " | ".join(md_escape(c) for c in r) + " |" for r in b.rows)
            out.append("")
    return out


def render_markdown(op: Opinion) -> str:
    lines = [f"# {md_escape(op.title)}", ""]
    if op.addressee:
        lines += [f"{md_escape(op.addressee)}：", ""]
    lines += [md_escape(op.opening), ""]
    for level, marker, sec in numbered(op):
        lines += [f"{'##' if level == 1 else '###'} {md_escape(marker + sec.title)}", ""]
        lines += _md_blocks(sec.blocks)
    lines += [md_escape(op.closing), "", md_escape(op.signer), "", md_escape(op.date), ""]
    if op.note:
        lines += [f"*{md_escape(op.note)}*", ""]
    return "\n".join(lines)
