"""The corpus dashboard: ECharts options (pure data) and one self-contained HTML file.

    charts = dashboard_charts(corpus)            # {"coverage_heatmap": {...}, ...} ECharts options
    html = render_dashboard(corpus)              # ECharts inlined, no URL fetched when opened
    write_dashboard(corpus, Path("dashboard.html"))

Charts (all read from the stored analyses through fazhi.corpus.tables, nothing re-analysed):
- coverage_heatmap: reports (unit and year) × 纲要 areas, the area's share of counted characters;
- score_distribution: histogram of total scores in 5-point bins with the 60-point line and the mean;
- indicators_by_unit: the INDICATOR_CHARTS measures most reports share, one small bar chart each;
- copy_network: reports as nodes, copying (other unit) and recycling (same unit) as directed edges
  a → b weighted by the share of a's body also found in b. Template text is left out. Copy search
  runs per report (fazhi.corpus.copies.match_stored), so only the COPY_LIMIT most recently added
  selected reports are searched (the chart says so); results are cached per report in this process
  until the corpus changes (reports added, removed or re-analysed).
"""
from __future__ import annotations

import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from fazhi.render.script_json import script_json

COPY_LIMIT = 200
INDICATOR_CHARTS = 4
MAX_BAR_UNITS = 60
MAX_EDGES = 300
HEATMAP_ZOOM_ROWS = 40
LIST_ROWS = 500
KIND_LABEL = {"copying": "抄用他单位", "recycling": "沿用往年"}
KIND_COLOR = {"copying": "#c0392b", "recycling": "#2e6da4"}
_COPY_CACHE: dict[tuple, list[tuple[int, str, float]]] = {}


# ------------------------------------------------------------------ data
def collect(corpus, report_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """The tables the dashboard is made of (indicators, areas, scores, findings)."""
    from fazhi.corpus.tables import corpus_tables

    ids = sorted(set(report_ids)) if report_ids is not None else [r["id"] for r in corpus.rows(("id",))]
    data: dict[str, Any] = corpus_tables(corpus, ("indicators", "areas", "scores", "findings"), ids)
    data["ids"] = ids
    data["labels"] = labels(data["scores"])
    return data


def short_unit(issuer: str | None, fallback: str, *places: str | None) -> str:
    """The first issuer named, without a leading province/city name when more remains, <= 14 chars."""
    name = (issuer or "").split()[0] if (issuer or "").split() else fallback
    for place in places:
        if place and name.startswith(place) and len(name) > len(place) + 1:
            name = name[len(place):]
    return name if len(name) <= 14 else name[:13] + "…"


def labels(table) -> dict[int, str]:
    """Report id → a unique readable label: the (first) issuer and the year."""
    out: dict[int, str] = {}
    seen: set[str] = set()
    for r in table.rows:
        rid, issuer, year = r[0], r[1], r[2]
        lab = f"{short_unit(issuer, f'#{rid}', r[4], r[5])} {year if year is not None else ''}".strip()
        if lab in seen:
            lab = f"{lab} #{rid}"
        seen.add(lab)
        out[rid] = lab
    return out


# ------------------------------------------------------------------ charts
def dashboard_charts(corpus, report_ids: Iterable[int] | None = None, *, copy_limit: int = COPY_LIMIT,
                     data: dict | None = None) -> dict[str, dict]:
    """ECharts option dicts (JSON-serialisable) keyed coverage_heatmap, score_distribution,
    indicators_by_unit, copy_network."""
    data = data or collect(corpus, report_ids)
    return {"coverage_heatmap": coverage_heatmap(data), "score_distribution": score_distribution(data),
            "copy_network": copy_network(corpus, data, copy_limit),
            "indicators_by_unit": indicators_by_unit(data)}


def _title(text: str, sub: str = "") -> dict:
    return {"text": text, "subtext": sub, "left": "center", "textStyle": {"fontSize": 15}}


def coverage_heatmap(data: dict) -> dict:
    t = data["areas"]
    area_idx = [i for i, k in enumerate(t.keys) if k.startswith("area:")]
    xs = [t.columns[i].removesuffix("（%）") for i in area_idx]
    ys = [data["labels"][r[0]] for r in t.rows]
    cells = [[x, y, r[i]] for y, r in enumerate(t.rows) for x, i in enumerate(area_idx) if r[i] is not None]
    top = max([c[2] for c in cells] + [10])
    opt: dict[str, Any] = {
        "title": _title("纲要领域覆盖", "各领域段落字数占报告计入字数的百分比；空白：该领域不属于报告适用的纲要"),
        "tooltip": {"position": "top"},
        "grid": {"left": 170, "right": 90, "top": 70, "bottom": 80},
        "xAxis": {"type": "category", "data": xs, "splitArea": {"show": True},
                  "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "category", "data": ys, "inverse": True, "splitArea": {"show": True},
                  "axisLabel": {"width": 160, "overflow": "truncate"}},
        "visualMap": {"min": 0, "max": round(top), "calculable": True, "orient": "vertical", "right": 5,
                      "top": "middle", "itemHeight": 120, "text": ["占比高", "占比低"],
                      "inRange": {"color": ["#f7fbff", "#6baed6", "#08306b"]}},
        "series": [{"name": "字数占比（%）", "type": "heatmap", "data": cells,
                    "label": {"show": len(ys) <= 30, "fontSize": 10}}],
    }
    if len(ys) > HEATMAP_ZOOM_ROWS:
        opt["dataZoom"] = [{"type": "slider", "yAxisIndex": 0, "startValue": 0, "endValue": HEATMAP_ZOOM_ROWS - 1,
                            "right": 0}, {"type": "inside", "yAxisIndex": 0}]
        opt["grid"]["right"] = 130
        opt["visualMap"]["right"] = 45
    return opt


def score_distribution(data: dict) -> dict:
    totals = [v for v in data["scores"].column("total") if v is not None]
    bins = [0] * 20
    for v in totals:
        bins[min(19, max(0, int(v // 5)))] += 1
    mark = [{"xAxis": 60, "name": "及格线", "label": {"formatter": "60分"}}]
    if totals:
        mean = round(statistics.fmean(totals), 1)
        mark.append({"xAxis": mean, "name": "平均分", "label": {"formatter": f"平均 {mean:g}",
                                                             "position": "insideMiddleTop"},
                     "lineStyle": {"color": "#555", "type": "dotted"}})
    passed = sum(v >= 60 for v in totals)
    return {
        "title": _title("总分分布", f"{len(totals)} 份报告，60分及以上 {passed} 份（每5分一档）"),
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 50, "right": 50, "top": 100, "bottom": 40},
        "xAxis": {"type": "value", "min": 0, "max": 100, "interval": 10, "name": "总分"},
        "yAxis": {"type": "value", "name": "报告数", "minInterval": 1},
        "series": [{"name": "报告数", "type": "bar", "barWidth": "90%", "itemStyle": {"color": "#4a7fb5"},
                    "data": [[i * 5 + 2.5, n] for i, n in enumerate(bins)],
                    "markLine": {"symbol": "none", "silent": True, "data": mark,
                                 "lineStyle": {"color": "#c0392b", "type": "dashed", "width": 2}}}],
    }


def shared_measures(table, k: int = INDICATOR_CHARTS) -> list[int]:
    """Column indexes of the k measures most reports give (at least two when the corpus has two)."""
    idx = [i for i, key in enumerate(table.keys) if "|" in key]
    counts = {i: sum(r[i] is not None for r in table.rows) for i in idx}
    need = 2 if len(table.rows) >= 2 else 1
    return sorted((i for i in idx if counts[i] >= need), key=lambda i: (-counts[i], i))[:k]


def indicators_by_unit(data: dict) -> dict:
    t = data["indicators"]
    cols = shared_measures(t)
    rows = [r for r in t.rows if any(r[i] is not None for i in cols)]
    rows = sorted(rows, key=lambda r: -sum(r[i] is not None for i in cols))[:MAX_BAR_UNITS]
    rows.sort(key=lambda r: r[0])
    xs = [data["labels"][r[0]] for r in rows]
    sub = "各报告给出的统一口径指标（取报告中第一次出现的数值）"
    if len([r for r in t.rows if any(r[i] is not None for i in cols)]) > MAX_BAR_UNITS:
        sub += f"；仅显示指标最全的 {MAX_BAR_UNITS} 份"
    opt: dict[str, Any] = {"title": [_title("量化指标对比", sub if cols else "各报告没有共同的统一口径指标")],
                           "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
                           "grid": [], "xAxis": [], "yAxis": [], "series": []}
    height, top = 130, 95
    for n, i in enumerate(cols):
        y = top + n * (height + 55)
        last = n == len(cols) - 1
        opt["title"].append({"text": t.columns[i], "top": y - 38, "left": 10, "textStyle": {"fontSize": 13}})
        opt["grid"].append({"top": y, "height": height, "left": 70, "right": 20})
        opt["xAxis"].append({"type": "category", "gridIndex": n, "data": xs,
                             "axisLabel": {"show": last, "interval": 0, "rotate": 40, "width": 110,
                                           "overflow": "truncate"}})
        opt["yAxis"].append({"type": "value", "gridIndex": n, "splitNumber": 3})
        opt["series"].append({"name": t.columns[i], "type": "bar", "xAxisIndex": n, "yAxisIndex": n,
                              "data": [r[i] if r[i] is not None else "-" for r in rows],
                              "itemStyle": {"color": ["#4a7fb5", "#e08e45", "#5aa469", "#9b59b6"][n % 4]},
                              "label": {"show": len(xs) <= 15, "position": "top", "fontSize": 10}})
    return opt


# ------------------------------------------------------------------ copies
def _corpus_state(corpus) -> tuple:
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow

    q = select(func.count(), func.max(ReportRow.id), func.max(ReportRow.analyzed_at))
    with corpus.engine.connect() as conn:
        n, top, when = conn.execute(q).one()
    return str(corpus.engine.url), n, top, str(when)


def _merged_length(spans: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for a, b in sorted(spans):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def report_copy_links(corpus, report_id: int, body_chars: int, state: tuple) -> list[tuple[int, str, float]]:
    """(other report id, kind, share of this report's body) for copying and recycling, cached."""
    from fazhi.corpus.copies import match_stored

    key = (state, report_id)
    if key not in _COPY_CACHE:
        spans: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for c in match_stored(corpus, report_id):
            if c.get("kind") in KIND_LABEL:
                spans[(c["other"]["id"], c["kind"])].append((c["start"], c["end"]))
        if len(_COPY_CACHE) > 20000:
            _COPY_CACHE.clear()
        _COPY_CACHE[key] = [(o, k, round(_merged_length(s) / body_chars, 4) if body_chars else 0.0)
                            for (o, k), s in sorted(spans.items())]
    return _COPY_CACHE[key]


def copy_network(corpus, data: dict, limit: int = COPY_LIMIT) -> dict:
    ids = data["ids"][-limit:] if limit else []
    state = _corpus_state(corpus)
    body = {}
    for i in range(0, len(ids), 500):
        body.update({r["id"]: r["body_chars"] for r in corpus.rows(("id", "body_chars"), id=ids[i:i + 500])})
    links = [(a, o, k, share) for a in ids for o, k, share in report_copy_links(corpus, a, body.get(a, 0), state)]
    found = len(links)
    links = sorted(links, key=lambda x: -x[3])[:MAX_EDGES]
    node_ids = sorted({a for a, *_ in links} | {o for _, o, *_ in links})
    info = {}
    for i in range(0, len(node_ids), 500):
        info.update({r["id"]: r for r in corpus.rows(("id", "issuer", "report_year", "level", "province", "city"),
                                                     id=node_ids[i:i + 500])})
    lab = dict(data["labels"])
    for rid, r in info.items():
        unit = short_unit(r["issuer"], f"#{rid}", r["province"], r["city"])
        lab.setdefault(rid, f"{unit} {r['report_year'] or ''}".strip() + f" #{rid}")
    levels = sorted({info[n]["level"] or "未知层级" for n in node_ids if n in info})
    notes = ["红线：抄用他单位；蓝线：沿用本单位往年；箭头 a→b 旁为 a 正文中与 b 重复部分所占比例；模板套话不计"]
    if not links:
        notes[0] = "所选报告之间未发现抄用或沿用（模板套话不计）"
    if len(data["ids"]) > len(ids):
        notes.append(f"仅就最近入库的 {len(ids)} 份（共 {len(data['ids'])} 份）查找重复")
    if found > len(links):
        notes.append(f"共 {found} 条关系，仅画比例最高的 {len(links)} 条")
    sub = "\n".join(notes)
    data["copy_links"] = [(lab.get(a, f"#{a}"), lab.get(o, f"#{o}"), KIND_LABEL[k], share) for a, o, k, share in links]
    nodes = [{"id": str(n), "name": lab.get(n, f"#{n}"), "symbolSize": 18 if n in set(data["ids"]) else 12,
              "category": levels.index(info[n]["level"] or "未知层级") if n in info else 0} for n in node_ids]
    edges = [{"source": str(a), "target": str(o), "value": share, "kind": KIND_LABEL[k],
              "lineStyle": {"color": KIND_COLOR[k], "width": 1 + 8 * min(share, 1), "curveness": 0.15},
              "label": {"show": len(links) <= 40, "formatter": f"{share:.1%}"}}
             for a, o, k, share in links]
    return {
        "title": _title("重复内容关系", sub),
        "tooltip": {},
        "legend": [{"data": levels, "bottom": 0}],
        "series": [{"type": "graph", "roam": True, "draggable": True, **_graph_layout(len(nodes)),
                    "edgeSymbol": ["none", "arrow"],
                    "edgeSymbolSize": 8, "label": {"show": len(nodes) <= 30, "position": "right", "fontSize": 11},
                    "categories": [{"name": lv} for lv in levels], "data": nodes, "links": edges,
                    "edgeLabel": {"fontSize": 10}, "top": 110, "bottom": 50, "left": 40, "right": 40}],
    }


def _graph_layout(n: int) -> dict:
    """A force layout for a few reports; a circle (which stays inside the chart) for many."""
    if n <= 40:
        return {"layout": "force", "force": {"repulsion": 260, "edgeLength": [90, 220]}}
    return {"layout": "circular", "circular": {"rotateLabel": True}}


def chart_height(key: str, option: dict) -> int:
    """A pixel height that suits the chart (rows of the heat map, number of small bar charts)."""
    if key == "coverage_heatmap":
        rows = len(option["yAxis"]["data"])
        return max(320, 170 + 26 * min(rows, HEATMAP_ZOOM_ROWS))
    if key == "indicators_by_unit":
        return max(240, 95 + 185 * len(option.get("grid", [])) + 90)
    return 460


# ------------------------------------------------------------------ HTML
def summary(corpus, data: dict) -> dict[str, Any]:
    """The header numbers: reports, units, years, mean score, levels."""
    units: set[str] = set()
    for i in range(0, len(data["ids"]), 500):
        units.update(r["unit_key"] for r in corpus.rows(("unit_key",), id=data["ids"][i:i + 500]))
    t = data["scores"]
    years = sorted({y for y in t.column("report_year") if y is not None})
    totals = [v for v in t.column("total") if v is not None]
    levels: dict[str, int] = defaultdict(int)
    for lv in t.column("level"):
        levels[lv or "未知"] += 1
    return {"reports": len(t.rows), "units": len(units),
            "years": (f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])) if years else "—",
            "mean": f"{statistics.fmean(totals):.1f}" if totals else "—",
            "levels": "、".join(f"{k} {v} 份" for k, v in sorted(levels.items(), key=lambda kv: -kv[1]))}


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}" if not v.is_integer() else f"{v:g}"
    return str(v)


def _section(title: str, columns: list[str], rows: list[list], note: str = "") -> dict:
    return {"title": title, "note": note, "columns": columns, "rows": [[_fmt(v) for v in r] for r in rows]}


def key_sections(data: dict) -> list[dict]:
    """The tables' key numbers, as small HTML tables."""
    out = []
    a = data["areas"]
    rows = []
    for i, k in enumerate(a.keys):
        if k.startswith("area:"):
            vals = [r[i] for r in a.rows if r[i] is not None]
            rows.append([a.columns[i].removesuffix("（%）"), len(vals), sum(v > 0 for v in vals),
                         f"{sum(v > 0 for v in vals) / len(vals):.0%}" if vals else "—",
                         statistics.fmean(vals) if vals else None])
    out.append(_section("纲要领域覆盖", ["领域", "适用报告", "涉及报告", "涉及率", "平均字数占比（%）"], rows))
    s = data["scores"]
    totals = [v for v in s.column("total") if v is not None]
    if totals:
        out.append(_section("总分", ["平均", "中位数", "最高", "最低", "60分及以上", "封顶（否决项）"],
                            [[statistics.fmean(totals), statistics.median(totals), max(totals), min(totals),
                              sum(v >= 60 for v in totals), sum(bool(v) for v in s.column("capped"))]]))
    rows = []
    for i, k in enumerate(s.keys):
        if k.startswith("item:"):
            vals = [r[i] for r in s.rows if r[i] is not None]
            m = re.fullmatch(r"(.*)（([\d.]+)分）", s.columns[i])
            name, top = (m.group(1), float(m.group(2))) if m else (s.columns[i], None)
            rows.append([name, statistics.fmean(vals) if vals else None, top,
                         sum(1 for v in vals if top is not None and v < top)])
    out.append(_section("评分项", ["评分项", "平均得分", "满分", "失分报告数"], rows))
    missing: dict[str, int] = defaultdict(int)
    for names in s.column("missing_parts"):
        for n in (names or "").split("、"):
            if n:
                missing[n] += 1
    out.append(_section("缺失法定内容", ["法定内容", "缺失报告数"], sorted(missing.items(), key=lambda kv: -kv[1]),
                        "" if missing else "所有报告法定内容齐全"))
    t = data["indicators"]
    rows = []
    for i, k in enumerate(t.keys):
        if "|" in k and len(rows) < 15:
            vals = [r[i] for r in t.rows if r[i] is not None]
            rows.append([t.columns[i], len(vals), statistics.median(vals), min(vals), max(vals)])
    out.append(_section("常见统一口径指标", ["指标", "报告数", "中位数", "最小", "最大"], rows,
                        "同一报告多次出现时取第一次出现的数值"))
    f = data["findings"]
    rows = []
    for i, k in enumerate(f.keys):
        if k.startswith("rule:") and len(rows) < 10:
            vals = [r[i] for r in f.rows]
            rows.append([f.columns[i], sum(v > 0 for v in vals), sum(vals)])
    out.append(_section("常见问题", ["问题", "涉及报告", "处数"], rows))
    links = sorted(data.get("copy_links", []), key=lambda x: -x[3])[:20]
    out.append(_section("重复比例最高的报告对", ["报告", "对方报告", "类型", "比例"],
                        [[a, b, k, f"{share:.1%}"] for a, b, k, share in links],
                        "" if links else "未发现抄用或沿用（模板套话不计）"))
    idx = {k: i for i, k in enumerate(s.keys)}
    unc = dict(zip(a.column("id"), a.column("uncovered_count")))
    nf = dict(zip(f.column("id"), f.column("findings")))
    rows = [[r[0], r[1], r[2], r[3], r[idx["total"]], r[idx["missing_parts"]] or "—", unc.get(r[0]), nf.get(r[0])]
            for r in s.rows[:LIST_ROWS]]
    more = (f"仅列前 {LIST_ROWS} 份，完整表格请用 fazhi corpus table scores -o 评分.xlsx"
            if len(s.rows) > LIST_ROWS else "")
    out.append(_section("报告一览", ["编号", "单位", "年度", "层级", "总分", "缺失法定内容", "未涉及领域数", "问题数"],
                        rows, more))
    return out


def echarts_source() -> str:
    from importlib import resources

    js = resources.files("fazhi").joinpath("assets/echarts.min.js").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script")


WIDE = ("coverage_heatmap", "indicators_by_unit")
CHART_TITLES = {"coverage_heatmap": "纲要领域覆盖", "score_distribution": "总分分布",
                "indicators_by_unit": "量化指标对比", "copy_network": "重复内容关系"}


def render_dashboard(corpus, report_ids: Iterable[int] | None = None, *, copy_limit: int = COPY_LIMIT) -> str:
    """One self-contained HTML page (ECharts inlined, nothing fetched): summary, charts, key tables."""
    import datetime as dt

    from jinja2 import Environment, PackageLoader

    data = collect(corpus, report_ids)
    charts = dashboard_charts(corpus, copy_limit=copy_limit, data=data)
    env = Environment(loader=PackageLoader("fazhi.render", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    from fazhi import __version__

    return env.get_template("dashboard.html.j2").render(
        summary=summary(corpus, data), sections=key_sections(data), echarts_js=echarts_source(),
        charts=[{"key": k, "title": CHART_TITLES[k], "height": chart_height(k, o), "wide": k in WIDE}
                for k, o in charts.items()],
        charts_json=script_json(charts), version=__version__,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))


def write_dashboard(corpus, path: Path, report_ids: Iterable[int] | None = None) -> Path:
    """Write the dashboard HTML atomically (FazhiError, one Chinese line, on failure)."""
    from fazhi.corpus.export import write_atomic

    html = render_dashboard(corpus, report_ids)
    return write_atomic(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))
