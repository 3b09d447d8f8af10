"""`fazhi review FILE -o OUT [--rubric FILE ...] [--annotate]`: the review opinion (审查意见)
as .docx/.html/.md, or with --annotate the unit's own .docx back with a comment per finding.

Bad input gives one Chinese line naming the file and the reason, exit status 2. The output
is written atomically (a temp file in the same folder, then a rename) and never over the input.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_INPUT = 0, 2
OPINION_FORMATS = (".docx", ".html", ".htm", ".md")


class ReviewError(Exception):
    """A usage problem shown as one line (exit 2)."""


def add_review_command(subparsers) -> argparse.ArgumentParser:
    """Register `review` on the argparse subparsers of fazhi's CLI."""
    r = subparsers.add_parser("review", help="审查一份报告，输出审查意见（.docx/.html/.md）或带批注的 Word 文件",
                              description="审查一份报告，输出审查意见；--annotate 把问题作为批注写回原 Word 文件。")
    r.add_argument("file", type=Path, help="报告文件（txt/docx/pdf/html；--annotate 时须为 .docx）")
    r.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                   help="输出文件：.docx、.html 或 .md（--annotate 时为 .docx）")
    r.add_argument("--rubric", action="append", type=Path, default=[], metavar="FILE",
                   help="评分细则 YAML，叠加在默认细则之上；可重复（省级、再单位级）")
    r.add_argument("--annotate", action="store_true", help="把每个问题作为批注写回原 Word 文件")
    r.add_argument("--max-mb", type=float, default=50, help="文件大小上限（MB，默认 50）")
    r.set_defaults(func=run_review)
    return r


def run_review(args: argparse.Namespace) -> int:
    from fazhi.errors import FazhiError, InputError

    try:
        _check_paths(args.file, args.output, args.annotate)
        from fazhi.pipeline import analyze
        from fazhi.review.rubric import load_rubric

        rubric = load_rubric(args.rubric)
        report = analyze(args.file, max_bytes=int(args.max_mb * 1024 * 1024), rubric=rubric)
        if args.annotate:
            if report.source.format != "docx":
                kind = report.source.format
                raise ReviewError(f"{args.file}：--annotate 只适用于 Word 文件（.docx），该文件是 {kind}")
            from fazhi.render.annotate import annotate_docx

            data, placements = annotate_docx(args.file.read_bytes(), report)
            write_atomic(args.output, data)
            print(f"已写入 {args.output}：{len(placements)} 条批注", file=sys.stderr)
        else:
            write_atomic(args.output, render_opinion(report, args.output.suffix.lower()))
            print(f"已写入 {args.output}：审查意见，问题 {len(report.findings)} 处", file=sys.stderr)
    except InputError as e:
        print(f"错误：{e.path}：{e.reason}", file=sys.stderr)
        return EXIT_INPUT
    except (FazhiError, ReviewError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as e:
        print(f"错误：{args.output}：无法写入（{e.strerror or e.__class__.__name__}）", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def render_opinion(report, suffix: str) -> bytes:
    """The opinion in the format named by an output suffix (.docx/.html/.htm/.md)."""
    from fazhi.render.opinion import build_opinion

    opinion = build_opinion(report)
    if suffix == ".docx":
        from fazhi.render.opinion_docx import render_docx

        return render_docx(opinion)
    from fazhi.render.opinion_text import render_html, render_markdown

    if suffix in (".html", ".htm"):
        return render_html(opinion).encode("utf-8")
    return render_markdown(opinion).encode("utf-8")


def _check_paths(src: Path, out: Path, annotate: bool) -> None:
    suffix = out.suffix.lower()
    if annotate:
        if src.suffix.lower() != ".docx":
            raise ReviewError(f"{src}：--annotate 只适用于 Word 文件（.docx）")
        if suffix != ".docx":
            raise ReviewError(f"{out}：--annotate 的输出文件须以 .docx 结尾")
    elif suffix not in OPINION_FORMATS:
        raise ReviewError(f"{out}：不支持的输出格式（{suffix or '无扩展名'}），请用 .docx、.html 或 .md")
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise ReviewError(f"{out}：输出文件不能覆盖输入文件，请另取文件名")
    if out.exists() and out.is_dir():
        raise ReviewError(f"{out}：是一个文件夹，请给出文件名")
    if not out.parent.exists():
        raise ReviewError(f"{out}：所在文件夹不存在")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then rename over `path`."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (tests, or before the lead wires `review` into fazhi's CLI)."""
    parser = argparse.ArgumentParser(prog="fazhi")
    add_review_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
