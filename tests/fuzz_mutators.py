"""Mutators for the fuzz cases (see fuzz_cases.py): text-level, byte-level (AFL-style havoc) and
structural ones for .docx, web pages and PDFs. Each takes a random.Random and returns the mutated
value and a short name of what it did. Sizes are bounded (`scale`) so a case stays cheap unless a
family asks for large inputs on purpose.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable

import fuzz_cases as fc

# ---------------------------------------------------------------- text level

UNICODE_CLASSES = {
    "control": "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85",
    "bidi": "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    "zero_width": "\u200b\u200c\u200d\u2060\ufeff\u00ad",
    "emoji": "😀👍🏽👨‍👩‍👧🇨🇳❤️",
    "combining": "\u0301\u0308\u20dd\u0489\u035c",
    "astral_cjk": "𠀀𠮷𡃁𪚥𫝀",
    "fullwidth": "０１２３４５６７８９ＡＢＣ！＂＃（）：；，．",
    "private_use": "\ue000\ue5e5\uf8ff",
    "space": "\u3000\u00a0\u2003\u2028\u2029\t\r\x0c",
    "line_sep": "\r\n\r\u2028\u0085",
    "brackets": "《》〈〉（）()【】〔〕“”‘’「」『』[]{}",
    "markers": "一、（一）1.①㈠第一章",
    "digits": "0123456789〇一二三四五六七八九十百千万亿两零壹贰叁",
    "punct": "。，、；：？！…—·.,;:?!%％‰",
    "noncharacter": "\ufffe\uffff\ufdd0\U0001fffe",
}
CN_NUM = "一二三四五六七八九"


def _lines(text: str) -> list[str]:
    return text.split("\n")


def flood(text: str, rng: random.Random) -> tuple[str, str]:
    cls = rng.choice(sorted(UNICODE_CLASSES))
    chars = UNICODE_CLASSES[cls]
    n = rng.choice((1, 5, 50, 500))
    out = list(text)
    for _ in range(n):
        out.insert(rng.randrange(len(out) + 1), rng.choice(chars) * rng.choice((1, 1, 3, 40)))
    return "".join(out), f"flood:{cls}x{n}"


def huge_number(text: str, rng: random.Random) -> tuple[str, str]:
    """Replace numbers (Arabic or Chinese) by long or odd ones: 400 nines, 九x400, 1e308, 0.000…1."""
    kind = rng.choice(("arabic", "chinese", "mixed", "decimal", "comma", "percent", "unit"))
    n = rng.choice((16, 20, 308, 309, 400, 2000))
    rep = {"arabic": "9" * n, "chinese": "九" * n, "mixed": "九万" * (n // 2), "decimal": "0." + "0" * n + "1",
           "comma": ",".join(["999"] * (n // 3)), "percent": "百分之" + "九" * n,
           "unit": "9" * n + "亿元"}[kind]
    hits = list(re.finditer(r"\d+(?:\.\d+)?|[一二三四五六七八九十百千万]+", text))
    if not hits:
        return text + f"办理案件{rep}件。", f"huge:{kind}{n}:appended"
    picks = rng.sample(hits, min(len(hits), rng.choice((1, 3, 20))))
    for m in sorted(picks, key=lambda m: -m.start()):
        text = text[:m.start()] + rep + text[m.end():]
    return text, f"huge:{kind}{n}x{len(picks)}"


def brackets(text: str, rng: random.Random) -> tuple[str, str]:
    chars = rng.choice(("《", "》", "（", "）", "“", "”", "〔", "【", "《《《", "》》》"))
    n = rng.choice((1, 10, 300))
    out = list(text)
    for _ in range(n):
        out.insert(rng.randrange(len(out) + 1), chars)
    return "".join(out), f"brackets:{chars}x{n}"


def markers(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    kind = rng.choice(("cn", "paren", "arabic", "mixed", "deep"))
    n = rng.choice((5, 50, 500))
    for _ in range(n):
        k = rng.randrange(len(lines))
        m = rng.randrange(1, 120)
        marker = {"cn": f"{fc_cn(m)}、", "paren": f"（{fc_cn(m)}）", "arabic": f"{m}.",
                  "mixed": rng.choice(("一、", "（二）", "3.", "（4）", "⑤", "第六章", "七是")),
                  "deep": "".join(f"{i}." for i in range(1, rng.randrange(2, 30)))}[kind]
        lines[k] = marker + lines[k]
    return "\n".join(lines), f"markers:{kind}x{n}"


def fc_cn(n: int) -> str:
    from fazhi.ingest.numbering import chinese_numeral

    return chinese_numeral(n)


def shuffle_lines(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    op = rng.choice(("shuffle", "dup", "delete", "reverse", "one_line", "blank", "repeat"))
    if op == "shuffle":
        rng.shuffle(lines)
    elif op == "dup":
        for _ in range(rng.choice((1, 10, 100))):
            k = rng.randrange(len(lines))
            lines.insert(k, lines[rng.randrange(len(lines))])
    elif op == "delete":
        keep = rng.random()
        lines = [ln for ln in lines if rng.random() < keep] or [""]
    elif op == "reverse":
        lines.reverse()
    elif op == "one_line":
        lines = ["".join(lines)]
    elif op == "blank":
        lines = [ln if rng.random() < 0.5 else "" for ln in lines]
    else:
        lines = lines * rng.choice((2, 5))
    return "\n".join(lines), f"lines:{op}"


def dates(text: str, rng: random.Random) -> tuple[str, str]:
    odd = rng.choice(("2023年13月45日", "0000年0月0日", "9999年12月31日", "二〇二三年十三月", "2023-02-30",
                      "2023年2月29日", "1900年1月1日", "99999999年", "2023年1月1日" * 50, "20231231", "二〇" * 200 + "年"))
    hits = list(re.finditer(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?", text))
    if not hits:
        return odd + "\n" + text, f"dates:{odd[:12]}:prepended"
    for m in sorted(rng.sample(hits, min(len(hits), 3)), key=lambda m: -m.start()):
        text = text[:m.start()] + odd + text[m.end():]
    return text, f"dates:{odd[:12]}"


def truncate_text(text: str, rng: random.Random) -> tuple[str, str]:
    k = rng.randrange(len(text) + 1)
    return (text[:k], f"cut:{k}") if rng.random() < 0.5 else (text[k:], f"from:{k}")


def splice_text(text: str, rng: random.Random) -> tuple[str, str]:
    other = rng.choice(fc.sample_texts())
    a, b = rng.randrange(len(text) + 1), rng.randrange(len(other) + 1)
    return text[:a] + other[b:], "splice"


TEXT_MUTATORS: list[Callable[[str, random.Random], tuple[str, str]]] = [
    flood, huge_number, brackets, markers, shuffle_lines, dates, truncate_text, splice_text]


def mutate_text(text: str, rng: random.Random, rounds: int | None = None) -> tuple[str, str]:
    names = []
    for _ in range(rounds or rng.choice((1, 1, 2, 3))):
        text, name = rng.choice(TEXT_MUTATORS)(text, rng)
        names.append(name)
    return text, "+".join(names)


# ---------------------------------------------------------------- byte level (havoc)

INTERESTING = (b"\x00", b"\xff", b"\x7f", b"\x80", b"\xfe\xff", b"\xff\xfe", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff",
               b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"%", b"<", b">", b"&", b"\r\n", b"\n")
TOKENS = (b"<w:p>", b"</w:p>", b"<p>", b"</div>", b"<br>", b"<!--", b"<![CDATA[", b"&#0;", b"&#xD800;", b"<meta charset=utf-16>",
          b"obj", b"endobj", b"stream", b"endstream", b"/Length 999999", b"xref", b"trailer", b"PK\x03\x04", b"%%EOF",
          "一、".encode(), "（一）".encode(), "《".encode(), "件".encode(), b"999999999999999999999")


def havoc(data: bytes, rng: random.Random, rounds: int | None = None) -> tuple[bytes, str]:
    buf = bytearray(data)
    names = []
    for _ in range(rounds or rng.choice((1, 2, 4, 8, 16))):
        op = rng.choice(("flip", "set", "interesting", "delete", "dup", "insert", "token", "truncate", "splice"))
        names.append(op)
        if not buf:
            buf += rng.choice(INTERESTING)
            continue
        k = rng.randrange(len(buf))
        if op == "flip":
            buf[k] ^= 1 << rng.randrange(8)
        elif op == "set":
            buf[k] = rng.randrange(256)
        elif op == "interesting":
            v = rng.choice(INTERESTING)
            buf[k:k + len(v)] = v
        elif op == "delete":
            del buf[k:k + rng.choice((1, 4, 64, 1024))]
        elif op == "dup":
            n = rng.choice((1, 16, 256, 4096))
            buf[k:k] = buf[k:k + n]
        elif op == "insert":
            buf[k:k] = bytes(rng.randrange(256) for _ in range(rng.choice((1, 4, 32))))
        elif op == "token":
            buf[k:k] = rng.choice(TOKENS)
        elif op == "truncate":
            del buf[k:]
        else:
            other = fc.encode_text(rng.choice(fc.sample_texts()), "utf-8")
            j = rng.randrange(len(other))
            buf[k:] = other[j:j + rng.choice((16, 256, 4096))]
    return bytes(buf), "havoc:" + ",".join(names)
