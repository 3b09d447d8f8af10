"""The corpus dashboard over a real SQLite corpus of the five samples: chart data, the offline
HTML file, and the page drawn by a real browser."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi.corpus.tables import corpus_table
from fazhi.render.dashboard import CHART_TITLES, dashboard_charts, render_dashboard

FAZHI = str(Path(sys.executable).with_name("fazhi"))
CHROMIUM = Path("/usr/bin/chromium")
CHART_KEYS = {"coverage_heatmap", "score_distribution", "indicators_by_unit", "copy_network"}


@pytest.fixture(scope="module")
def charts(samples_corpus) -> dict:
    return dashboard_charts(samples_corpus)


@pytest.fixture(scope="module")
def html(samples_corpus) -> str:
    return render_dashboard(samples_corpus)


def test_charts_are_plain_json_with_the_real_units(samples_corpus, charts):
    assert set(charts) == CHART_KEYS
    back = json.loads(json.dumps(charts, ensure_ascii=False))
    assert back == charts
    issuers = [r["issuer"] for r in samples_corpus.rows(("issuer",))]
    ys = charts["coverage_heatmap"]["yAxis"]["data"]
    assert len(ys) == len(issuers) == len(set(ys))
    for issuer, label in zip(issuers, ys):
        unit, year = label.rsplit(" ", 1)
        assert unit.rstrip("…") in issuer and year.isdigit()


def test_heatmap_cells_are_the_area_table(samples_corpus, charts):
    t = corpus_table(samples_corpus, "areas")
    area_idx = [i for i, k in enumerate(t.keys) if k.startswith("area:")]
    expected = {(x, y): r[i] for y, r in enumerate(t.rows) for x, i in enumerate(area_idx) if r[i] is not None}
    cells = charts["coverage_heatmap"]["series"][0]["data"]
    assert {(x, y): v for x, y, v in cells} == expected
    assert charts["coverage_heatmap"]["xAxis"]["data"][:2] == ["总体要求", "政府职能"]


def test_score_histogram_counts_every_report_and_marks_60(samples_corpus, charts):
    opt = charts["score_distribution"]
    bars = opt["series"][0]["data"]
    totals = [r["analysis"]["score"]["total"] for r in samples_corpus.rows(("analysis",))]
    assert sum(n for _, n in bars) == len(totals)
    for v in totals:
        centre = min(19, int(v // 5)) * 5 + 2.5
        assert dict((x, n) for x, n in bars)[centre] >= 1
    assert {"xAxis": 60} .items() <= opt["series"][0]["markLine"]["data"][0].items()
    assert f"60分及以上 {sum(v >= 60 for v in totals)} 份" in opt["title"]["subtext"]


def test_indicator_bars_are_shared_measures_with_table_values(samples_corpus, charts):
    t = corpus_table(samples_corpus, "indicators")
    opt = charts["indicators_by_unit"]
    assert 1 <= len(opt["series"]) <= 4
    labels = opt["xAxis"][0]["data"]
    ids = [r[0] for r in t.rows]
    for s in opt["series"]:
        col = t.column(s["name"])
        assert sum(v is not None for v in col) >= 2  # a measure at least two reports give
        assert [v if v is not None else "-" for v in col] == s["data"]  # all five reports have one of them
    assert len(labels) == len(ids)


def test_copy_network_edges_come_from_copy_search(samples_corpus, charts):
    from fazhi.corpus.copies import match_stored

    rows = samples_corpus.rows(("id", "body_chars"))
    expected = set()
    for r in rows:
        for c in match_stored(samples_corpus, r["id"]):
            if c["kind"] != "template":
                expected.add((str(r["id"]), str(c["other"]["id"])))
    series = charts["copy_network"]["series"][0]
    got = {(e["source"], e["target"]) for e in series["links"]}
    assert got == expected and got  # samples 000 and 003 share a paragraph
    assert all(0 < e["value"] <= 1 and e["kind"] in ("抄用他单位", "沿用往年") for e in series["links"])
    assert {n["id"] for n in series["data"]} == {x for e in got for x in e}


def test_copy_search_is_limited_and_says_so(samples_corpus):
    none = dashboard_charts(samples_corpus, copy_limit=0)["copy_network"]
    assert none["series"][0]["links"] == [] and "仅就最近入库的 0 份（共 5 份）" in none["title"]["subtext"]
    one = dashboard_charts(samples_corpus, copy_limit=1)["copy_network"]
    last = str(max(r["id"] for r in samples_corpus.rows(("id",))))
    assert all(e["source"] == last for e in one["series"][0]["links"])
    assert "仅就最近入库的 1 份" in one["title"]["subtext"]


def test_html_is_self_contained(html, samples_corpus):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", html, re.I)
    assert "<link" not in html.lower()
    assert 'version="6.1.0"' in html and "echarts.init" in html  # the vendored ECharts, inlined
    for key in CHART_KEYS:
        assert f'id="chart-{key}"' in html
    data = re.search(r'<script type="application/json" id="fazhi-charts">(.*?)</script>', html, re.S).group(1)
    charts = json.loads(data)
    assert set(charts) == CHART_KEYS
    for r in samples_corpus.rows(("issuer",)):  # the units' names (shortened to fit) are in the chart data
        name = r["issuer"].split()[0]
        assert any(name[i:i + 6] in data for i in range(len(name) - 5)), name
    assert html.count("</script>") == 3


def test_html_has_summary_and_key_numbers(html, samples_corpus):
    rows = samples_corpus.rows(("analysis", "report_year"))
    mean = sum(r["analysis"]["score"]["total"] for r in rows) / len(rows)
    years = sorted(r["report_year"] for r in rows)
    assert re.search(rf"<b>{len(rows)}</b><span>份报告</span>", html)
    assert f"<b>{mean:.1f}</b><span>平均总分</span>" in html
    assert f"{years[0]}—{years[-1]}" in html
    for title in ("纲要领域覆盖", "缺失法定内容", "常见统一口径指标", "常见问题", "报告一览"):
        assert f"<h2>{title}</h2>" in html
    assert "党政主要负责人履行推进法治建设第一责任人职责情况" in html  # missing in two samples


def test_cli_report_writes_the_dashboard(samples_db, tmp_path):
    out = tmp_path / "dashboard.html"
    r = subprocess.run([FAZHI, "corpus", "report", "--db", str(samples_db), "--year", "2021", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "<b>2</b><span>份报告</span>" in page
    r = subprocess.run([FAZHI, "corpus", "report", "--db", str(samples_db), "-o", str(tmp_path / "d.pdf")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and ".html" in r.stderr
    assert not (tmp_path / "d.pdf").exists()


@pytest.mark.needs("chromium")
def test_browser_draws_every_chart_offline(html, tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "dashboard.html"
    page_file.write_text(html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            errors: list[str] = []
            fetched: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: fetched.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_function("window.fazhiCharts && window.fazhiCharts.length === 4")
            drawn = page.evaluate("""() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
                const c = el.querySelector('canvas');
                if (!c) return [el.dataset.chart, 0, 0];
                const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let ink = 0;
                for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
                return [el.dataset.chart, c.width * c.height, ink];
            })""")
        finally:
            browser.close()
    assert errors == []
    assert [u for u in fetched if not u.startswith("file:")] == []
    assert {k for k, _, _ in drawn} == CHART_KEYS
    for key, area, ink in drawn:
        assert area > 0 and ink > 0.01 * area, (key, CHART_TITLES[key], ink)


def test_hostile_unit_names_are_escaped(samples_db, tmp_path):
    import shutil
    import sqlite3

    from fazhi.corpus.store import open_corpus

    copy = tmp_path / "c.db"
    shutil.copy(samples_db, copy)
    evil = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    with sqlite3.connect(copy) as c:
        c.execute("UPDATE reports SET issuer = ? WHERE id = 1", (evil,))
    with open_corpus(copy, create=False) as samples_corpus:
        page = render_dashboard(samples_corpus)
        charts = dashboard_charts(samples_corpus)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("</script>") == 3
    data = re.search(r'<script type="application/json" id="fazhi-charts">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data) == charts  # the escaped JSON is still the same value
    assert any(y.startswith("</script>") for y in charts["coverage_heatmap"]["yAxis"]["data"])
