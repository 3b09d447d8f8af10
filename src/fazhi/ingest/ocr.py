"""Text of scanned PDF pages by OCR, offline: Debian's tesseract with its chi_sim model.

    lines = ocr_page(pdf_page)        # a pypdfium2 page -> [OcrLine] (text, box in PDF points)

Why tesseract and not RapidOCR: docs/ocr.md (measured on the bundled samples rendered to
pages: 300 dpi, 98 % characters right, about 2 s a page, one thread). The page is rendered by
pypdfium2 to a grayscale PNG at 300 dpi and given to `tesseract stdin stdout tsv` in its own
process (OMP_THREAD_LIMIT=1, a timeout); its words are grouped back into lines with their
boxes so that pdf_reader reflows them like the lines of a text layer. The text is normalised:
no spaces between Chinese characters, full-width ，：；（）？！ next to Chinese text.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

DPI = 300
LANG = "chi_sim"
TIMEOUT_S = 120
DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_WIDE = r"\u3000-\u303f\uff00-\uffef"
_GAP = re.compile(r"(?<![0-9A-Za-z])\s+|\s+(?![0-9A-Za-z])")  # a space not between two Latin words
_NOISE = re.compile(r"[A-Za-z|_.,'`~^-]{1,2}")  # speckles read as letters
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_PUNCT_NEAR_HAN = re.compile(rf"(?<=[{_HAN}])[,:;?!()]|[,:;?!()](?=[{_HAN}])")
_OPEN_PAREN = re.compile(rf"\((?=[{_HAN}一二三四五六七八九十0-9]{{1,3}}\))|\((?=[{_HAN}])")
_NUMBERED = re.compile(r"^[《〈<(（]([一二三四五六七八九十]{1,3}|\d{1,2})[)）〉》>]")  # （一） read as 《一)


class OcrUnavailable(RuntimeError):
    """tesseract or its Chinese model is missing; the message is the Chinese reason."""


@dataclass
class OcrLine:
    text: str
    x0: float  # PDF points, top-left origin like pdfplumber
    x1: float
    top: float
    bottom: float


def engine() -> str:
    """The tesseract executable, after checking that its Chinese model is installed."""
    exe = shutil.which("tesseract")
    if not exe:
        raise OcrUnavailable(f"未安装文字识别程序 tesseract（Debian 软件包 {DEBIAN_PACKAGES}）")
    if LANG not in _languages(exe):
        raise OcrUnavailable("tesseract 缺少简体中文识别模型（Debian 软件包 tesseract-ocr-chi-sim）")
    return exe


_LANGS: dict[str, frozenset[str]] = {}


def _languages(exe: str) -> frozenset[str]:
    if exe not in _LANGS:
        try:
            out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        _LANGS[exe] = frozenset(ln.strip() for ln in out.splitlines()[1:])
    return _LANGS[exe]


def render_png(page, dpi: int = DPI) -> bytes:
    """A pypdfium2 page as a grayscale PNG at `dpi`."""
    image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def ocr_png(png: bytes, scale: float = DPI / 72, exe: str | None = None) -> list[OcrLine]:
    """The lines tesseract reads in one page image; boxes divided by `scale` (pixels per point)."""
    argv, env = command(exe or engine())
    try:
        done = subprocess.run(argv, input=png, capture_output=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        raise OcrUnavailable(f"文字识别超时（单页超过 {TIMEOUT_S} 秒）") from None
    except OSError:
        raise OcrUnavailable("无法运行文字识别程序 tesseract") from None
    if done.returncode != 0:
        raise OcrUnavailable("文字识别程序 tesseract 运行失败")
    return tsv_lines(done.stdout.decode("utf-8", errors="replace"), scale)


def command(exe: str) -> tuple[list[str], dict[str, str]]:
    """The tesseract command line (PNG on stdin, TSV on stdout) and its environment: one thread."""
    return [exe, "stdin", "stdout", "-l", LANG, "--psm", "3", "tsv"], {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_page(page, dpi: int = DPI, exe: str | None = None) -> list[OcrLine]:
    return ocr_png(render_png(page, dpi), dpi / 72, exe)


def tsv_lines(tsv: str, scale: float = 1.0) -> list[OcrLine]:
    """Group tesseract's TSV words into lines (block, paragraph, line), in reading order."""
    groups: dict[tuple[str, str, str], list[tuple[int, int, int, int, str]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        groups.setdefault((cols[2], cols[3], cols[4]), []).append((left, top, width, height, cols[11].strip()))
    out = []
    for words in groups.values():
        text = normalise(" ".join(w[4] for w in words))
        if not text or _NOISE.fullmatch(text):
            continue
        out.append(OcrLine(text, min(w[0] for w in words) / scale, max(w[0] + w[2] for w in words) / scale,
                           min(w[1] for w in words) / scale, max(w[1] + w[3] for w in words) / scale))
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out


def normalise(text: str) -> str:
    """OCR text as Chinese is written: no spaces but between two Latin words or numbers,
    full-width punctuation next to Chinese characters."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _GAP.sub("", text)
    text = _NUMBERED.sub(r"（\1）", text)
    text = _OPEN_PAREN.sub("（", text)
    text = _PUNCT_NEAR_HAN.sub(lambda m: _HALF_TO_FULL[m.group()], text)
    return re.sub(r"（([^（）()]{0,12})\)", r"（\1）", text)
