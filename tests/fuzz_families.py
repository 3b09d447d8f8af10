"""The fuzz case families: which input is built how, and `make_case(seed, i)` that builds case i
of a seeded run deterministically (the same seed and index always give the same bytes).
"""
from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterable

import fuzz_cases as fc
import fuzz_mutators as fm
import fuzz_struct as fs
from fuzz_cases import Case

CHEAP_BYTES = 300_000  # cheap runs (CI): cases whose (unzipped) size is above this are drawn again
Family = Callable[[random.Random, "int | None"], tuple[str, str, bytes]]  # (rng, max lines) -> (name, suffix, bytes)


def _txt_text(rng: random.Random, lines: int | None) -> tuple[str, str, bytes]:
    text, how = fm.mutate_text(fc.base_text(rng, lines), rng)
    suffix, data, enc = fc.write(text, "txt", rng)
    return f"{how}|{enc}", suffix, data


def _in_format(fmt: str) -> Family:
    def family(rng: random.Random, lines: int | None) -> tuple[str, str, bytes]:
        text, how = fm.mutate_text(fc.base_text(rng, lines), rng)
        suffix, data, kind = fc.write(text, fmt, rng)
        return f"{how}|{kind}", suffix, data
    return family


def _byte(fmt: str) -> Family:
    def family(rng: random.Random, lines: int | None) -> tuple[str, str, bytes]:
        suffix, data, kind = fc.write(fc.base_text(rng, lines), fmt, rng)
        data, how = fm.havoc(data, rng)
        if rng.random() < 0.1:
            suffix = rng.choice((".txt", ".docx", ".pdf", ".html", "", ".doc", ".bin"))
        return f"{kind}|{how}", suffix, data
    return family


def _struct(fmt: str) -> Family:
    mutate = {"docx": fs.docx_struct, "html": fs.html_struct, "pdf": fs.pdf_struct}[fmt]

    def family(rng: random.Random, lines: int | None) -> tuple[str, str, bytes]:
        data, how = mutate(fc.base_text(rng, lines), rng)
        return how, "." + fmt, data
    return family


def _special(rng: random.Random, lines: int | None) -> tuple[str, str, bytes]:
    """The known crashers' shapes and large inputs (sizes bounded by --cheap through CHEAP_BYTES)."""
    base = fc.base_text(rng, lines)
    kind = rng.choice(("roman", "letter", "override", "fonts", "cn_digits", "digits", "headings", "one_line",
                       "numbers", "nested_markers", "big_repeat"))
    if kind in ("roman", "letter", "override"):
        fmt = {"roman": "upperRoman", "letter": "upperLetter", "override": "lowerRoman"}[kind]
        start = rng.choice(("2147483647", "999999999999", "1000000", "32767"))
        numbering = fc.numbering_xml([(fmt, "%1、")] * 3, start="1" if kind == "override" else start,
                                     override=f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/>'
                                              "</w:lvlOverride>" if kind == "override" else "")
        body = "".join(fc.paragraph_xml(f"第{i}项工作，开展法治宣传活动。", 0) for i in range(rng.choice((1, 100))))
        return f"{kind}:{start}", ".docx", fc.zip_parts(fc.docx_parts(fc.document_xml(body), numbering))
    if kind == "fonts":
        n = rng.choice((300, 3000))
        body = [f"<p><font>第{i}段，开展法治宣传活动。" for i in range(n)]
        return f"unclosed_font{n}", ".html", fc.page_html(base, "utf-8", body).encode()
    if kind in ("cn_digits", "digits"):
        n = rng.choice((309, 400, 5000))
        digit = "九" if kind == "cn_digits" else "9"
        return f"{kind}{n}", ".txt", (base + f"\n办理案件{digit * n}件。").encode()
    if kind == "headings":
        n = rng.choice((2000, 16000))
        text = "\n".join(f"{fm.fc_cn(i % 99 + 1)}、标题{i}\n开展法治宣传活动{i}次。" for i in range(n))
        return f"headings{n}", ".txt", text.encode()
    if kind == "one_line":
        n = rng.choice((10**5, 10**6))
        return f"one_line{n}", ".txt", ("法治政府建设" * (n // 6)).encode()
    if kind == "numbers":
        n = rng.choice((10**4, 10**5))
        return f"numbers{n}", ".txt", "".join(f"办理案件{i}件，" for i in range(n)).encode()
    if kind == "nested_markers":
        n = rng.choice((10**3, 10**5))
        return f"nested_markers{n}", ".txt", "\n".join("（一）1.①" * 3 + "工作" for _ in range(n)).encode()
    k = rng.choice((10, 100, 400))
    return f"repeat{k}", ".txt", (base + "\n") .encode() * k


FAMILIES: dict[str, tuple[float, Family]] = {
    "txt_text": (18, _txt_text),
    "txt_byte": (14, _byte("txt")),
    "docx_text": (6, _in_format("docx")),
    "docx_struct": (14, _struct("docx")),
    "docx_byte": (6, _byte("docx")),
    "html_text": (6, _in_format("html")),
    "html_struct": (12, _struct("html")),
    "html_byte": (8, _byte("html")),
    "pdf_text": (3, _in_format("pdf")),
    "pdf_struct": (4, _struct("pdf")),
    "pdf_byte": (3, _byte("pdf")),
    "special": (6, _special),
}


def unzipped_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return max(len(data), sum(i.file_size for i in z.infolist()))
    except Exception:  # noqa: BLE001 - not a zip: its own size
        return len(data)


def make_case(seed: int, index: int, cheap: bool = False, families: Iterable[str] | None = None) -> Case:
    """Case number `index` of a seeded run (the same arguments always give the same bytes)."""
    names = sorted(families or FAMILIES)
    for attempt in range(50):
        rng = random.Random(f"{seed}:{index}:{attempt}")
        family = rng.choices(names, weights=[FAMILIES[f][0] for f in names])[0]
        name, suffix, data = FAMILIES[family][1](rng, 40 if cheap else None)
        if not cheap or unzipped_size(data) <= CHEAP_BYTES:
            return Case(family, name[:300], suffix, data)
    return Case(family, name[:300], suffix, data[:CHEAP_BYTES])
