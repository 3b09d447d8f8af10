"""OCR engines on scanned pages of the bundled samples: seconds per page and character accuracy.

    .venv/bin/python bench/ocr.py                                  # tesseract, 300 dpi, all samples
    .venv/bin/python bench/ocr.py --dpi 200 --dpi 300 --samples 000 003
    .venv/bin/python bench/ocr.py --rapidocr-python /tmp/ocrvenv/bin/python   # + RapidOCR from another venv

Each sample .txt is laid out by LibreOffice (soffice --convert-to pdf), every page rendered by
pypdfium2 to a grayscale bitmap at the given dpi (what a scanner gives), and the bitmap read by
each engine. The truth of a page is the text layer of the LibreOffice PDF. Accuracy is
1 - edit distance / characters over Chinese characters and digits only (spacing and
punctuation are normalised afterwards anyway), summed over all pages. Tesseract runs as
fazhi does (fazhi.ingest.ocr: chi_sim, one thread); RapidOCR (rapidocr_onnxruntime, models in
its wheel) runs in the venv given, in one process, one thread. RSS is the peak of the engine's
process. Results and the choice: docs/ocr.md.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

_KEEP = re.compile(r"[^\u4e00-\u9fff0-9]+")

RAPIDOCR = r"""
import json, resource, sys, time
from rapidocr_onnxruntime import RapidOCR
engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
out = []
for path in sys.argv[1:]:
    t0 = time.perf_counter()
    result, _ = engine(path)
    out.append({"text": "\n".join(r[1] for r in result or []), "s": time.perf_counter() - t0})
print(json.dumps({"pages": out, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def samples(prefixes: list[str]) -> list[Path]:
    root = Path(str(resources.files("fazhi") / "samples"))
    found = sorted(root.glob("*.txt"))
    return [p for p in found if not prefixes or p.name[:3] in prefixes]


def to_pdf(txt: Path, out: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit("needs LibreOffice: apt-get install -y libreoffice-writer-nogui fonts-noto-cjk")
    subprocess.run([exe, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--norestore",
                    "--infilter=Text (encoded):UTF8,LF,,", "--convert-to", "pdf", "--outdir", str(out), str(txt)],
                   check=True, capture_output=True, timeout=300)
    return out / f"{txt.stem}.pdf"


def pages(pdf: Path, dpi: int, out: Path) -> list[tuple[Path, str]]:
    """(PNG of the page at dpi, its text layer) per page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    found = []
    for i in range(len(doc)):
        png = out / f"{pdf.stem}-{dpi}-{i}.png"
        doc[i].render(scale=dpi / 72, grayscale=True).to_pil().save(png)
        found.append((png, doc[i].get_textpage().get_text_range()))
    doc.close()
    return found


def run_tesseract(pngs: list[Path], dpi: int) -> tuple[list[str], list[float], int]:
    """fazhi's tesseract call (fazhi.ingest.ocr.command), each page's process waited for with wait4
    to get its own peak RSS."""
    import os

    from fazhi.ingest import ocr

    argv, env = ocr.command(ocr.engine())
    texts, secs, peak = [], [], 0
    for png in pngs:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        proc.stdin.write(png.read_bytes())  # tesseract reads all of stdin before it writes
        proc.stdin.close()
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        secs.append(time.perf_counter() - t0)
        peak = max(peak, usage.ru_maxrss)
        texts.append("\n".join(ln.text for ln in ocr.tsv_lines(out.decode("utf-8", "replace"), dpi / 72)))
    return texts, secs, peak


def run_rapidocr(python: str, pngs: list[Path]) -> tuple[list[str], list[float], int]:
    done = subprocess.run([python, "-c", RAPIDOCR, *map(str, pngs)], capture_output=True, text=True, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return [p["text"] for p in got["pages"]], [p["s"] for p in got["pages"]], got["rss_kb"]


def accuracy(truths: list[str], reads: list[str]) -> float:
    from rapidfuzz.distance import Levenshtein

    dist = sum(Levenshtein.distance(_KEEP.sub("", t), _KEEP.sub("", r)) for t, r in zip(truths, reads))
    return 1 - dist / max(1, sum(len(_KEEP.sub("", t)) for t in truths))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", nargs="*", default=[], help="sample prefixes (000 … 004); default all")
    ap.add_argument("--dpi", type=int, action="append", help="render resolution (repeatable; default 300)")
    ap.add_argument("--rapidocr-python", help="a python with rapidocr_onnxruntime installed")
    args = ap.parse_args()
    dpis = args.dpi or [300]
    print(f"{'engine':10s} {'dpi':>4s} {'pages':>5s} {'s/page':>7s} {'max s':>6s} {'accuracy':>9s} {'peak RSS':>9s}")
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-ocr-") as tmp:
        work = Path(tmp)
        pdfs = [to_pdf(txt, work) for txt in samples(args.samples)]
        for dpi in dpis:
            page_list = [pg for pdf in pdfs for pg in pages(pdf, dpi, work)]
            pngs, truths = [p for p, _ in page_list], [t for _, t in page_list]
            engines = [("tesseract", lambda: run_tesseract(pngs, dpi))]
            if args.rapidocr_python:
                engines.append(("rapidocr", lambda: run_rapidocr(args.rapidocr_python, pngs)))
            for name, run in engines:
                texts, secs, rss = run()
                print(f"{name:10s} {dpi:4d} {len(pngs):5d} {sum(secs) / len(secs):7.2f} {max(secs):6.2f} "
                      f"{accuracy(truths, texts):9.2%} {rss / 1024:7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
