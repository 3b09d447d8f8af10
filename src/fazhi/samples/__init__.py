"""The five bundled sample reports (real reports of 2019-2024, published by the units themselves),
and writing them out as files to try fazhi on:

    python -m fazhi.samples 样例/              # the five .txt and a synthetic next year of 000
    python -m fazhi.samples --as docx 报送/    # the same as Word files (also --as html)

The sixth file, SYNTHETIC_NAME, is not a real report: `fazhi.corpus.synth_year` makes it from
sample 000 (红江镇, 2023) as that unit's 2024 report, so that the year-over-year diff has two years
of one unit to compare. Its name says so.
"""
from __future__ import annotations

from html import escape
from importlib import resources
from pathlib import Path

SYNTHETIC_FROM = "000"
SYNTHETIC_NAME = "005_synthetic_000_next_year.txt"
FORMATS = ("txt", "docx", "html")


def paths() -> list[Path]:
    """The bundled sample files, in name order."""
    root = Path(str(resources.files("fazhi") / "samples"))
    return sorted(root.glob("*.txt"))


def synthetic_text() -> str:
    """The synthetic next-year report of sample 000 (deterministic)."""
    import fazhi
    from fazhi.corpus.synth_year import next_year

    (src,) = [p for p in paths() if p.name.startswith(SYNTHETIC_FROM + "_")]
    place = fazhi.analyze(src).metadata.place
    return next_year(src.read_text(encoding="utf-8"), short=place.town or place.county or "本单位", seed=2024)


def write_docx(path: Path, text: str) -> Path:
    """A Word file with one paragraph per line of `text`."""
    import docx

    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    d.save(path)
    return path


def write_html(path: Path, text: str) -> Path:
    """A government-style article page: navigation and 当前位置 around the text, one <p> per line."""
    body = "".join(f"<p>{escape(line)}</p>\n" for line in text.split("\n") if line.strip())
    path.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title></head><body>'
        '<div class="nav"><a href="/">首页</a> | <a href="/xxgk">政府信息公开</a> | <a href="/zwdt">政务动态</a></div>'
        '<div class="crumb">当前位置：首页 &gt; 政府信息公开 &gt; 法治政府建设</div>'
        f'<div class="article">{body}</div>'
        '<div class="foot">主办单位：某某人民政府办公室 | 网站标识码 1234567890</div></body></html>', encoding="utf-8")
    return path


def write_samples(out_dir: Path, fmt: str = "txt", synthetic: bool = True) -> list[Path]:
    """Write the samples (and the synthetic next year) into `out_dir` as .txt, .docx or .html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in paths()]
    if synthetic:
        texts.append((Path(SYNTHETIC_NAME).stem, synthetic_text()))
    written = []
    for stem, text in texts:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "txt":
            path.write_text(text, encoding="utf-8")
        else:
            (write_docx if fmt == "docx" else write_html)(path, text)
        written.append(path)
    return written
