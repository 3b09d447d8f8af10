"""Tables across a corpus: one row per report, read from the stored analyses (nothing re-analysed).

    table = corpus_table(corpus, "indicators")                 # or areas | scores | findings | findings-long
    write_table(table, Path("指标.xlsx"))                       # fazhi.corpus.export

Every table starts with the identity columns 编号 单位 年度 层级 省 市 县 文件 (report id, issuer,
report year, level, place, file path), taken from the report row. Then, per kind:

- indicators: one column per normalised measure (measures.yaml) and unit dimension that occurs in
  the selected reports, most widely reported first. Units are brought to one scale per column:
  money in 万元, cases (件/起/宗/例) in 件, 人次/万人次 in 人次, head counts (人/名/位/万人) in 人,
  session counts (次/场/期/...) in 次, percentages in %, 万-prefixed counts multiplied out; other
  counters (项/个/份 ...) share one column per measure, headed by the unit most often written.
  When a report gives one measure several times, the cell holds the FIRST mention in text order
  (usually the headline figure; summing double-counts "受理237件，调解成功230件"); `agg="max"`,
  `"sum"` or `"count"` (number of mentions) choose otherwise. 指标总数 / 已归口 count all
  indicators and those with a measure.
- areas: per 纲要 area (areas.yaml order; 2015-2020 areas appended when such reports are selected)
  the percentage of the report's counted characters in paragraphs tagged with that area (a
  paragraph may carry several areas, so a row may sum over 100); 0 = not covered; empty = the area
  is not part of the report's scheme. Then the uncovered areas.
- scores: total, cap, each rubric item's points, missing mandated parts, sign/publish date and the
  findings count by severity.
- findings: counts by severity, by category and by rule (one column per rule that occurs).
- findings-long: one row per finding (not per report), with its span and the quoted words.

The analyses are read in batches of BATCH reports, so thousands of reports are fine.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = ("indicators", "areas", "scores", "findings", "findings-long")
KIND_NAMES = {"indicators": "量化指标", "areas": "纲要领域覆盖", "scores": "评分", "findings": "发现问题统计",
              "findings-long": "发现问题明细"}
AGGS = ("first", "max", "sum", "count")
BATCH = 200
IDENTITY = (("id", "编号"), ("issuer", "单位"), ("report_year", "年度"), ("level", "层级"),
            ("province", "省"), ("city", "市"), ("county", "县"), ("path", "文件"))
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_LABEL = {"structure": "结构", "metadata": "要素", "timeliness": "时效", "content": "内容",
                  "formulation": "表述", "format": "格式", "duplication": "重复"}
QUOTE_MAX = 200


@dataclass
class Table:
    """A table with Chinese column headers; `keys` are stable machine names, one per column."""

    name: str
    columns: list[str]
    rows: list[list]
    keys: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def column(self, header_or_key: str) -> list:
        """The values of one column, by Chinese header or machine key."""
        i = self.columns.index(header_or_key) if header_or_key in self.columns else self.keys.index(header_or_key)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]


def corpus_table(corpus, kind: str, report_ids: Iterable[int] | None = None, *, agg: str = "first") -> Table:
    """The `kind` table (see KINDS) over the selected reports (all when None), ordered by id."""
    from fazhi.errors import FazhiError

    if kind not in KINDS:
        raise FazhiError(f"未知的表格类型“{kind}”（可选：{'、'.join(KINDS)}）")
    if agg not in AGGS:
        raise FazhiError(f"未知的汇总方式“{agg}”（可选：{'、'.join(AGGS)}）")
    extra = ("analysis", "text") if kind == "findings-long" else ("analysis",)
    return _BUILDERS[kind](iter_reports(corpus, report_ids, extra), agg)


def corpus_tables(corpus, kinds: Iterable[str], report_ids: Iterable[int] | None = None) -> dict[str, Table]:
    """Several tables over the same reports, reading each stored analysis once (holds them all in
    memory meanwhile: for a dashboard, not for exporting a whole large corpus)."""
    kinds = list(kinds)
    rows = list(iter_reports(corpus, report_ids, ("analysis", "text") if "findings-long" in kinds else ("analysis",)))
    return {k: _BUILDERS[k](rows, "first") for k in kinds}


def select_ids(corpus, year: int | None = None, level: str | None = None) -> list[int]:
    """Ids of the reports of a year and/or level (all when both None)."""
    where: dict[str, Any] = {}
    if year is not None:
        where["report_year"] = year
    if level:
        where["level"] = level
    return [r["id"] for r in corpus.rows(("id",), **where)]


# ------------------------------------------------------------------ reading
def iter_reports(corpus, report_ids: Iterable[int] | None, extra: tuple[str, ...] = ("analysis",)) -> Iterator[dict]:
    """Identity columns plus `extra` of the selected reports, fetched BATCH at a time, by id."""
    cols = tuple(dict.fromkeys([k for k, _ in IDENTITY] + ["sign_date", "publish_date", "unit_key", *extra]))
    ids = sorted(set(report_ids)) if report_ids is not None else [r["id"] for r in corpus.rows(("id",))]
    for i in range(0, len(ids), BATCH):
        yield from corpus.rows(cols, id=ids[i:i + BATCH])


def _identity(row: dict) -> list:
    return [row.get(k) for k, _ in IDENTITY]


def _table(kind: str, extra_keys: list[str], extra_cols: list[str], rows: list[list], notes: list[str]) -> Table:
    return Table(KIND_NAMES[kind], [c for _, c in IDENTITY] + extra_cols, rows,
                 [k for k, _ in IDENTITY] + extra_keys, notes)


def _num(x: float) -> int | float:
    x = round(float(x), 6)
    return int(x) if x.is_integer() else x


# ------------------------------------------------------------------ indicators
def unit_family() -> dict[str, str]:
    """Written unit → family (units.yaml), including the slips it lists."""
    from fazhi.data import load_yaml

    data = load_yaml("units.yaml")
    fam = {u: f for f, units in data["units"].items() for u in units}
    for slip, right in (data.get("unit_slips") or {}).items():
        fam.setdefault(slip, fam.get(right, ""))
    return fam


_MONEY = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}


def canonical_unit(unit: str | None, family: dict[str, str]) -> tuple[str, str, float]:
    """(dimension key, unit label, factor): value × factor is in `label`; one column per dimension."""
    if not unit:
        return "", "", 1.0
    fam = family.get(unit, "")
    scale, base = (1e4, unit[1:]) if unit.startswith("万") and len(unit) > 1 and fam != "money" else (1.0, unit)
    if fam == "money":
        return "万元", "万元", _MONEY.get(unit, 1.0)
    if fam == "percent":
        label = "%" if unit in ("%", "％") else "‰" if unit == "‰" else "个百分点"
        return label, label, 1.0
    if fam == "persons":
        label = "人次" if base == "人次" else "人"
        return label, label, scale
    if fam == "cases":
        return "件", "件", scale
    if fam == "times":
        label = "学时" if base in ("课时", "学时") else "次"
        return label, label, 1.0
    if fam == "items":
        return "items", base, scale
    return unit, unit, 1.0


def _measure_names() -> tuple[dict[str, str], dict[str, int]]:
    from fazhi.data import load_yaml

    ms = load_yaml("measures.yaml")["measures"]
    return {m["id"]: m.get("name") or m["id"] for m in ms}, {m["id"]: i for i, m in enumerate(ms)}


def _indicators(reports: Iterable[dict], agg: str) -> Table:
    family = unit_family()
    per_report: list[tuple[list, dict[str, list[tuple[int, float]]], int, int]] = []
    labels: dict[str, Counter] = defaultdict(Counter)  # column key → written unit labels
    reports_with: Counter = Counter()
    for row in reports:
        inds = row["analysis"].get("indicators") or []
        vals: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for ind in inds:
            if not ind.get("measure") or ind.get("value") is None:
                continue
            dim, label, factor = canonical_unit(ind.get("unit"), family)
            key = f"{ind['measure']}|{dim}"
            labels[key][label] += 1
            vals[key].append((ind.get("start") or 0, float(ind["value"]) * factor))
        reports_with.update(vals.keys())
        per_report.append((_identity(row), vals, len(inds), sum(1 for i in inds if i.get("measure"))))
    keys, headers = indicator_columns(reports_with, labels, agg)
    rows = [ident + [n, named] + [_agg(vals.get(k), agg) for k in keys] for ident, vals, n, named in per_report]
    notes = ["每列为一个统一口径（measures.yaml）及计量单位；金额折算为万元，万字头计数折算为个数。",
             {"first": "同一报告多次出现同一口径时取正文中第一次出现的数值。",
              "max": "同一报告多次出现同一口径时取最大值。", "sum": "同一报告多次出现同一口径时取合计。",
              "count": "单元格为该口径在报告中出现的次数。"}[agg],
             "列按有该指标的报告数从多到少排列；空白表示报告未给出该指标。"]
    return _table("indicators", ["indicators", "measured", *keys], ["指标总数", "已归口", *headers], rows, notes)


def indicator_columns(reports_with: Counter, labels: dict[str, Counter], agg: str) -> tuple[list[str], list[str]]:
    """The indicator columns ("measure|dimension" keys) most widely reported first, and their
    headers (the measure's name and the unit most often written; 提及次数 when counting)."""
    names, order = _measure_names()
    keys = sorted(reports_with, key=lambda k: (-reports_with[k], order.get(k.split("|")[0], 10**6), k))
    headers = []
    for k in keys:
        measure, label = k.split("|")[0], labels[k].most_common(1)[0][0]
        unit = "提及次数" if agg == "count" else label
        headers.append(f"{names.get(measure, measure)}（{unit}）" if unit else names.get(measure, measure))
    return keys, _unique(headers)


def _agg(vals: list[tuple[int, float]] | None, agg: str) -> int | float | None:
    if not vals:
        return None
    if agg == "count":
        return len(vals)
    if agg == "max":
        return _num(max(v for _, v in vals))
    if agg == "sum":
        return _num(sum(v for _, v in vals))
    return _num(min(vals, key=lambda sv: sv[0])[1])


def _join(names: list[str]) -> str | None:
    """Names joined with 、, None when there are none (an empty cell, not an empty string)."""
    return "、".join(names) or None


def _unique(headers: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for h in headers:
        seen[h] += 1
        out.append(h if seen[h] == 1 else f"{h}_{seen[h]}")
    return out


# ------------------------------------------------------------------ areas
def area_columns(schemes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(area id, short Chinese name) in taxonomy order: the 2021-2025 scheme first, then areas
    only the other schemes have; restricted to the given schemes when named."""
    from fazhi.data import load_yaml

    all_schemes = load_yaml("areas.yaml")["schemes"]
    wanted = [s for s in all_schemes if schemes is None or s in set(schemes)] or list(all_schemes)[:1]
    cols: dict[str, str] = {}
    for s in sorted(wanted, key=lambda s: s != "2021-2025"):
        for a in all_schemes[s]["areas"]:
            cols.setdefault(a["id"], a.get("short") or a["name"])
    return list(cols.items())


def area_shares(areas: dict) -> dict[str, float]:
    """Area id → percentage of the counted characters in paragraphs tagged with it."""
    cov = areas.get("coverage") or {}
    total = (areas.get("totals") or {}).get("counted_chars") or 0
    return {a: (round(100 * c.get("chars", 0) / total, 1) if total else 0.0) for a, c in cov.items()}


def _areas(reports: Iterable[dict], _agg: str = "first") -> Table:
    got = [(_identity(r), r["analysis"].get("areas") or {}) for r in reports]
    cols = area_columns({a.get("scheme") for _, a in got if a.get("scheme")})
    rows = []
    for ident, areas in got:
        shares, cov = area_shares(areas), areas.get("coverage") or {}
        totals = areas.get("totals") or {}
        unc = [cov[a].get("short") or a for a in areas.get("uncovered") or [] if a in cov]
        rows.append(ident + [areas.get("scheme"), totals.get("counted_paragraphs"), totals.get("counted_chars")]
                    + [shares.get(a) for a, _ in cols] + [len(unc), _join(unc)])
    notes = ["领域列为该领域段落字数占计入字数的百分比（一段可属多个领域，合计可超过100）；0表示未涉及；",
             "空白表示该领域不属于报告适用的纲要方案（2015—2020年纲要与2021—2025年纲要领域不同）。"]
    return _table("areas", ["scheme", "counted_paragraphs", "counted_chars", *[f"area:{a}" for a, _ in cols],
                            "uncovered_count", "uncovered"],
                  ["纲要方案", "计入段落", "计入字数", *[f"{n}（%）" for _, n in cols], "未涉及领域数", "未涉及领域"],
                  rows, notes)


# ------------------------------------------------------------------ scores
def part_names() -> dict[str, str]:
    from fazhi.data import load_yaml

    return {k: v["name"] for k, v in load_yaml("parts.yaml")["parts"].items()}


def missing_parts(analysis: dict) -> list[str]:
    """Names of the mandated parts the report lacks (parts mapped to no heading)."""
    names = part_names()
    return [names.get(k, k) for k, v in (analysis.get("parts") or {}).items() if v is None]


def _scores(reports: Iterable[dict], _agg: str = "first") -> Table:
    got = []
    items: dict[str, tuple[str, float]] = {}
    for r in reports:
        a = r["analysis"]
        score = a.get("score") or {}
        for it in score.get("items") or []:
            items.setdefault(it["id"], (it.get("name") or it["id"], it.get("max")))
        got.append((r, a, score))
    rows = []
    for r, a, score in got:
        pts = {it["id"]: it.get("points") for it in score.get("items") or []}
        by_id = {it["id"]: it.get("name") or it["id"] for it in score.get("items") or []}
        miss = missing_parts(a)
        sev = Counter(f.get("severity") for f in a.get("findings") or [])
        rows.append(_identity(r) + [
            _opt_num(score.get("total")), _opt_num(score.get("max")), bool(score.get("capped")),
            _join([by_id.get(c, c) for c in score.get("capped_by") or []]),
            *[_opt_num(pts.get(i)) for i in items], len(miss), _join(miss),
            r.get("sign_date"), r.get("publish_date"), *[sev.get(s, 0) for s in SEVERITY_LABEL]])
    item_cols = [f"{name}（{m:g}分）" if isinstance(m, (int, float)) else name for name, m in items.values()]
    return _table("scores", ["total", "max", "capped", "capped_by", *[f"item:{i}" for i in items], "missing_count",
                             "missing_parts", "sign_date", "publish_date", *SEVERITY_LABEL],
                  ["总分", "满分", "封顶", "封顶原因", *item_cols, "缺失法定内容数", "缺失法定内容",
                   "成文日期", "发布日期", *SEVERITY_LABEL.values()], rows,
                  ["存在否决项的报告总分封顶（见 rubric.yaml）；“封顶原因”为触发封顶的评分项。"])


def _opt_num(x: Any) -> int | float | None:
    return None if x is None else _num(x)


# ------------------------------------------------------------------ findings
def rule_titles() -> dict[str, str]:
    import fazhi.review.checks  # noqa: F401 - registers the rules
    from fazhi.review.registry import RULES

    return {rid: r.title for rid, r in RULES.items()}


def _findings(reports: Iterable[dict], _agg: str = "first") -> Table:
    got = []
    per_rule: Counter = Counter()
    for r in reports:
        fs = r["analysis"].get("findings") or []
        rules = Counter(f.get("rule") for f in fs)
        per_rule.update(rules.keys())
        got.append((_identity(r), fs, rules))
    titles = rule_titles()
    rule_ids = sorted(per_rule, key=lambda k: (-per_rule[k], k))
    rows = []
    for ident, fs, rules in got:
        sev = Counter(f.get("severity") for f in fs)
        cat = Counter(f.get("category") for f in fs)
        rows.append(ident + [len(fs), *[sev.get(s, 0) for s in SEVERITY_LABEL],
                             *[cat.get(c, 0) for c in CATEGORY_LABEL], *[rules.get(k, 0) for k in rule_ids]])
    return _table("findings", ["findings", *SEVERITY_LABEL, *[f"category:{c}" for c in CATEGORY_LABEL],
                               *[f"rule:{k}" for k in rule_ids]],
                  ["问题总数", *SEVERITY_LABEL.values(), *[f"{c}类" for c in CATEGORY_LABEL.values()],
                   *_unique([f"{titles.get(k, k)}（{k}）" for k in rule_ids])], rows,
                  ["规则列按出现该问题的报告数从多到少排列；数值为该报告中该问题的处数。"])


def _findings_long(reports: Iterable[dict], _agg: str = "first") -> Table:
    titles = rule_titles()
    rows = []
    for r in reports:
        text = r["text"] or ""
        for n, f in enumerate(r["analysis"].get("findings") or [], 1):
            s, e = f.get("start"), f.get("end")
            quote = text[s:e] if s is not None and e is not None else None
            rows.append(_identity(r) + [
                n, f.get("rule"), titles.get(f.get("rule"), f.get("rule")),
                CATEGORY_LABEL.get(f.get("category"), f.get("category")),
                SEVERITY_LABEL.get(f.get("severity"), f.get("severity")), f.get("message"), f.get("suggestion"),
                s, e, quote[:QUOTE_MAX] if quote is not None else None])
    return _table("findings-long", ["seq", "rule", "rule_title", "category", "severity", "message", "suggestion",
                                    "start", "end", "quote"],
                  ["序号", "规则", "规则名称", "类别", "严重程度", "说明", "建议", "起", "止", "原文"], rows,
                  ["每行一处问题；起、止为原文字符位置（Python 下标，止不含），原文最多取前200字。"])


_BUILDERS = {"indicators": _indicators, "areas": _areas, "scores": _scores, "findings": _findings,
             "findings-long": _findings_long}
