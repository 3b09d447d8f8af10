"""Command line: `fazhi analyze FILE... [--json]`.

Bad input never gives a traceback: one line naming the file and the reason on stderr,
the other files still analysed, exit status 2 when any file failed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INPUT = 0, 2


def _sample_paths() -> list[Path]:
    from importlib import resources

    root = resources.files("fazhi") / "samples"
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".txt"))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fazhi", description="法治政府建设年度报告：读取、审查、比较")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="分析一份或多份报告（txt/docx/pdf/html/ofd/doc/wps）")
    a.add_argument("files", nargs="*", type=Path, help="报告文件")
    a.add_argument("--json", action="store_true", help="输出 JSON（见 CONTRACT.md）")
    a.add_argument("--pretty", action="store_true", help="JSON 缩进排版")
    a.add_argument("--samples", action="store_true", help="分析内置的样例报告")
    a.add_argument("--max-mb", type=float, default=50, help="单个文件大小上限（MB，默认 50）")
    a.add_argument("--no-ocr", action="store_true", help="扫描件（没有文字层的 PDF 页面）不做文字识别，直接报错")
    a.add_argument("--rubric", action="append", type=Path, default=[], metavar="FILE",
                   help="评分细则 YAML，叠加在默认细则之上；可重复（省级、再单位级）")
    a.add_argument("--corpus", metavar="DIR_OR_DB",
                   help="与之比对的报告文件夹或语料库（.db 文件或数据库 URL），输出 copies")
    a.set_defaults(func=cmd_analyze)
    from fazhi.corpus.cli import add_corpus_commands
    from fazhi.review.cli import add_review_command

    add_review_command(sub)
    add_corpus_commands(sub)
    from fazhi.cycle.cli import add_cycle_commands; add_cycle_commands(sub)  # noqa: E702
    from fazhi.web.cli import add_serve_command; add_serve_command(sub)  # noqa: E702
    return p


def _version() -> str:
    from fazhi import __version__

    return f"fazhi {__version__}"


def _progress(n: int):
    """A progress bar on stderr for batches (more than three files)."""
    if n <= 3:
        return None
    from rich.progress import Progress

    from rich.console import Console

    return Progress(console=Console(stderr=True), transient=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    from fazhi.errors import FazhiError, InputError
    from fazhi.ingest import read_options
    from fazhi.pipeline import analyze
    from fazhi.review.rubric import load_rubric

    try:
        rubric = load_rubric(args.rubric)
    except FazhiError as e:
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_INPUT

    files = list(args.files) + (_sample_paths() if args.samples else [])
    if not files:
        print("fazhi analyze: 请给出至少一个文件（或 --samples）", file=sys.stderr)
        return EXIT_INPUT
    max_bytes = int(args.max_mb * 1024 * 1024)
    results: list[dict] = []
    failed = 0
    console = None
    if not args.json:
        from rich.console import Console

        console = Console()
    progress = _progress(len(files))
    task = progress.add_task("分析中", total=len(files)) if progress else None
    if progress:
        progress.start()
    try:
        for path in files:
            try:
                with read_options(ocr=not args.no_ocr, progress=False if progress else None):
                    report = analyze(path, max_bytes=max_bytes, rubric=rubric)
            except InputError as e:
                failed += 1
                print(f"错误：{path}：{e.reason}", file=sys.stderr)
                results.append({"source": {"path": str(path)}, "error": e.reason})
                continue
            for note in report.source.notes:
                print(f"注意：{path}：{note}", file=sys.stderr)
            if args.corpus:
                from fazhi.corpus import find_copies

                try:
                    report.copies = find_copies(report, args.corpus)
                except Exception as e:  # noqa: BLE001 - a bad store is one line for the whole run, never a traceback
                    from fazhi.corpus.database import failure_line

                    line = str(e) if isinstance(e, FazhiError) else f"{args.corpus}：{failure_line(e)}"
                    print(f"错误：{line}", file=sys.stderr)
                    return EXIT_INPUT
            if args.json:
                results.append(report.to_dict())
            else:
                from fazhi.render.summary import print_summary

                print_summary(report, console)
            if progress:
                progress.advance(task)
    finally:
        if progress:
            progress.stop()
    if args.json:
        out = results[0] if len(files) == 1 else results
        if not (len(files) == 1 and failed):
            json.dump(out, sys.stdout, ensure_ascii=False, indent=1 if args.pretty else None)
            sys.stdout.write("\n")
    if failed and len(files) > 1:
        print(f"{failed}/{len(files)} 个文件未能分析", file=sys.stderr)
    return EXIT_INPUT if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
