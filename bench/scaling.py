"""CPU seconds of reading + analysing inputs that once grew superlinearly, at doubling sizes.

    .venv/bin/python bench/scaling.py [--max-doublings 4]

Each row doubles the input; the last column is time(n) / time(n/2): about 2 is linear, about 4 is
quadratic. Inputs (built here, see tests/fuzz_cases.py): a text with n headings and a paragraph
under each (extract/areas.py was O(lines x headings)), a numbering part with n lists
(ingest/numbering.py parsed every list), a web page of n paragraphs (html_reader + page chrome),
a docx with n numbered paragraphs, a text of n indicators, and n Chinese / Arabic digits in one
numeral (numerals.py raised OverflowError / gave inf). CPU time, not wall time: the machine is shared.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzz_cases as fc  # noqa: E402


def _headings(n: int) -> tuple[str, bytes]:
    from fazhi.ingest.numbering import chinese_numeral

    return ".txt", "\n".join(f"{chinese_numeral(i % 99 + 1)}、标题{i}\n开展法治宣传活动{i}次。" for i in range(n)).encode()


def _lists(n: int) -> tuple[str, bytes]:
    lv = '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
    extra = "".join(f'<w:abstractNum w:abstractNumId="{i + 10}">{lv}</w:abstractNum>'
                    f'<w:num w:numId="{i + 10}"><w:abstractNumId w:val="{i + 10}"/></w:num>' for i in range(n))
    body = fc.docx_body(fc.sample_texts()[3], numbered=True)
    return ".docx", fc.zip_parts(fc.docx_parts(fc.document_xml(body), fc.numbering_xml(extra=extra)))


def _page(n: int) -> tuple[str, bytes]:
    body = [f"<p>第{i}段，开展法治宣传活动{i}次。</p>" for i in range(n)]
    return ".html", fc.page_html(fc.sample_texts()[3], "utf-8", body).encode()


def _numbered(n: int) -> tuple[str, bytes]:
    body = "".join(fc.paragraph_xml(f"第{i}项工作，开展法治宣传活动。", i % 3) for i in range(n))
    return ".docx", fc.zip_parts(fc.docx_parts(fc.document_xml(body), fc.numbering_xml()))


def _indicators(n: int) -> tuple[str, bytes]:
    return ".txt", "".join(f"全年办理行政复议案件{i}件，调解纠纷{i}起。" for i in range(n)).encode()


def _digits(ch: str) -> Callable[[int], tuple[str, bytes]]:
    return lambda n: (".txt", (fc.sample_texts()[3] + f"\n办理案件{ch * n}件。").encode())


INPUTS: dict[str, tuple[Callable[[int], tuple[str, bytes]], int]] = {
    "headings": (_headings, 500),
    "numbering lists": (_lists, 2500),
    "web page paragraphs": (_page, 1200),
    "numbered docx paragraphs": (_numbered, 1200),
    "indicators": (_indicators, 1000),
    "Chinese digits in one numeral": (_digits("九"), 400),
    "Arabic digits in one number": (_digits("9"), 400),
}


def cpu_seconds(suffix: str, data: bytes, tmp: Path) -> tuple[float, str]:
    from fazhi.errors import InputError
    from fazhi.pipeline import analyze

    path = tmp / f"input{suffix}"
    path.write_bytes(data)
    t0 = time.process_time()
    try:
        analyze(path)
        outcome = "ok"
    except InputError as e:
        outcome = f"refused: {e.reason}"
    return time.process_time() - t0, outcome


def main() -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-doublings", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cpu_seconds(".txt", fc.sample_texts()[0].encode(), tmp)  # warm: imports and data files
        print("| input | n | bytes | CPU s | x previous | outcome |\n|---|---|---|---|---|---|")
        for name, (make, n0) in INPUTS.items():
            prev = None
            for k in range(args.max_doublings + 1):
                n = n0 << k
                suffix, data = make(n)
                secs, outcome = cpu_seconds(suffix, data, tmp)
                ratio = f"{secs / prev:.1f}" if prev and prev > 0.01 else ""
                print(f"| {name} | {n} | {len(data)} | {secs:.2f} | {ratio} | {outcome[:60]} |", flush=True)
                prev = secs
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
