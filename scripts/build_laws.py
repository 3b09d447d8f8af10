#!/usr/bin/env python3
"""Build src/fazhi/data/laws.tsv, the statute list the law-name rules check 《…》 titles against.

Source: ../shared/data/laws.tsv, the list kept by the open LawRefBook project
(github.com/LawRefBook/Laws, db.sqlite3 of 2025-04-19), compiled from the National People's
Congress 国家法律法规数据库 (flk.npc.gov.cn): one row per version. The derived table has one row per
name: `name, level, versions, first, last, in_force` (first and last publish date of the versions
listed, in_force 1 when a listed version is not expired). The list is incomplete (no local
regulations, few department rules, some laws only in their latest version): a name not in it is
"unknown", never "wrong", and `first` is not the date a law was first enacted (data/laws.yaml
lists those for the laws that are checked for it).

    .venv/bin/python scripts/build_laws.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "fazhi" / "data" / "laws.tsv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    with (args.shared / "data" / "laws.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_name[r["name"].strip()].append(r)
    with OUT.open("w", encoding="utf-8") as f:
        f.write("# National laws, administrative regulations, judicial interpretations (one row per name), derived by "
                "scripts/build_laws.py from the LawRefBook list (github.com/LawRefBook/Laws, 2025-04-19), compiled "
                "from the NPC 国家法律法规数据库 flk.npc.gov.cn\n")
        f.write("name\tlevel\tversions\tfirst\tlast\tin_force\n")
        for name in sorted(by_name):
            vs = by_name[name]
            dates = sorted(d for d in (v["publish"] for v in vs) if d)
            in_force = int(any(v["expired"] != "1" for v in vs))
            f.write(f"{name}\t{vs[0]['level']}\t{len(vs)}\t{dates[0] if dates else ''}\t{dates[-1] if dates else ''}"
                    f"\t{in_force}\n")
    print(f"{OUT.name}: {len(by_name)} names from {len(rows)} versions")


if __name__ == "__main__":
    main()
