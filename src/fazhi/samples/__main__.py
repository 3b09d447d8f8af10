"""`python -m fazhi.samples DIR [--as txt|docx|html]`: write the bundled samples into DIR."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fazhi.samples import FORMATS, SYNTHETIC_NAME, write_samples


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fazhi.samples",
                                description="把内置样例报告写到文件夹中（另附一份合成的下一年度报告）")
    p.add_argument("dir", type=Path, help="目标文件夹（不存在时新建）")
    p.add_argument("--as", dest="fmt", choices=FORMATS, default="txt", help="文件格式（默认 txt）")
    p.add_argument("--no-synthetic", action="store_true", help="不写合成的下一年度报告")
    args = p.parse_args(argv)
    try:
        written = write_samples(args.dir, args.fmt, synthetic=not args.no_synthetic)
    except OSError as e:
        print(f"错误：{args.dir}：无法写入（{e.strerror or e}）", file=sys.stderr)
        return 2
    note = "" if args.no_synthetic else f"，其中 {Path(SYNTHETIC_NAME).stem}.{args.fmt} 为合成样例（非真实报告）"
    print(f"已写入 {args.dir}：{len(written)} 份样例报告{note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
