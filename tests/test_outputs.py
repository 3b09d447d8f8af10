"""A year's batch outputs, the ranking, the sortable report list and the unit's picture (issue 14
items 5 and 6), through the web app (httpx TestClient) on a real SQLite file with the bundled samples.

The year 2024 of five 乡镇街道 units and one 部门: 红江镇 on time (its report recycled from its 2023
report), 大王古庄镇 5 days late, 古溪镇 on time, 桥头 (部门) 2 days late, 某某镇 never submits. The
period was opened on 1 January 2025 with every deadline on 1 March 2025."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pytest
from conftest import sample_path, sample_text
from test_recycling import next_year

PASSWORD = "outputs-test-1"
YEAR = 2024
UNITS = {  # name: (level, sample, submitted at (UTC), filed)
    "中共蓬溪县红江镇委员会": ("乡镇街道", "000", datetime(2025, 2, 20, 2), True),
    "大王古庄镇人民政府": ("乡镇街道", "002", datetime(2025, 3, 6, 2), True),
    "古溪镇人民政府": ("乡镇街道", "003", datetime(2025, 2, 28, 2), True),
    "东莞市司法局桥头分局": ("部门", "004", datetime(2025, 3, 3, 2), True),
    "某某镇人民政府": ("乡镇街道", None, None, False),
}
RED = "中共蓬溪县红江镇委员会"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def client_for(app, username: str | None):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    if username:
        token = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
        assert r.status_code == 303
    return client


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from sqlalchemy import update

    from fazhi.cycle.models import PeriodRow, SubmissionRow
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("outputs") / "outputs.db"))
    cycle = app.state.cycle
    rev = cycle.add_user("rev", PASSWORD, "reviewer", display_name="王审查")
    units = {name: cycle.add_unit(name, level=level) for name, (level, *_rest) in UNITS.items()}
    cycle.add_user("hongjiang", PASSWORD, "unit", unit_name=RED)
    cycle.add_period(YEAR, {lv: "2025-03-01" for lv in ("乡镇街道", "部门")})
    text = sample_text("000")
    old = cycle.upload(rev, "红江镇2023.txt", text.encode("utf-8"), unit_id=units[RED]["id"], year=YEAR - 1)
    subs = {}
    for name, (_level, sample, at, filed) in UNITS.items():
        if not filed:
            continue
        data = next_year(text).encode("utf-8") if name == RED else sample_path(sample).read_bytes()
        up = cycle.upload(rev, f"{name}.txt", data, unit_id=units[name]["id"], year=YEAR)
        subs[name] = up
        with cycle.engine.begin() as conn:
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == up["submission_id"]).values(submitted_at=at))
    with cycle.engine.begin() as conn:
        conn.execute(update(PeriodRow).where(PeriodRow.year == YEAR).values(created_at=datetime(2025, 1, 1)))
        conn.execute(update(SubmissionRow).where(SubmissionRow.id == subs[RED]["submission_id"])
                     .values(reviewer_id=rev["id"]))
    return {"app": app, "cycle": cycle, "units": units, "subs": subs, "old": old, "rev": rev}


@pytest.fixture(scope="module")
def reviewer(world):
    return client_for(world["app"], "rev")


def score_of(row: dict, deduction: float = 0) -> float | None:
    """The reviewer's final score, else the machine's less the 沿用/抄用 deduction."""
    return row["final_score"] if row["final_score"] is not None else row["machine_score"] - deduction


# ---------------------------------------------------------------- ranking


def test_ranking_per_level_by_score_with_lateness_and_recycling(world, reviewer):
    cycle = world["cycle"]
    for up in world["subs"].values():
        cycle.recycling(up["report_id"])
    got = reviewer.get(f"/api/ranking?year={YEAR}").json()
    assert got["summary"] == f"{YEAR}年度共 4 份报告参与排名，分 2 个层级。"
    levels = got["levels"]
    assert list(levels) == ["乡镇街道", "部门"]  # the rubric's order of levels
    towns = levels["乡镇街道"]
    assert {r["unit_name"] for r in towns} == {RED, "大王古庄镇人民政府", "古溪镇人民政府"}  # 某某镇 never submitted
    scores = [r["score"] for r in towns]
    assert scores == sorted(scores, reverse=True) and [r["rank"] for r in towns] == [1, 2, 3]
    deductions = {rid: x["deduction"] for rid, x in cycle.recycling_stored([r["report_id"] for r in towns]).items()}
    for r in towns:
        assert r["score"] == round(score_of(r, deductions[r["report_id"]]), 1)
    assert deductions[world["subs"][RED]["report_id"]] == 15
    by_name = {r["unit_name"]: r for r in towns}
    assert by_name["大王古庄镇人民政府"]["late"] and by_name["大王古庄镇人民政府"]["days_late"] == 5
    assert not by_name["古溪镇人民政府"]["late"]
    red = by_name[RED]
    assert red["reviewer"] == "王审查" and red["version"] == 1
    assert levels["部门"][0]["days_late"] == 2 and levels["部门"][0]["rank"] == 1
    # the page shows the same order and marks the recycled report
    page = reviewer.get(f"/ranking?year={YEAR}&level=乡镇街道")
    assert page.status_code == 200
    names = re.findall(r'class="unit-link">([^<]+)</a>', page.text)
    assert names == [r["unit_name"] for r in towns]
    assert "逾期 5 天" in page.text and re.search(r'class="recycling-error">9\d\.\d%</a>', page.text)


def test_ranking_and_outputs_are_for_reviewers_only(world):
    unit = client_for(world["app"], "hongjiang")
    for url in ("/ranking", f"/outputs/{YEAR}/opinions.zip", f"/outputs/{YEAR}/review-circular.docx",
                f"/outputs/{YEAR}/submissions.xlsx", f"/api/ranking?year={YEAR}"):
        assert unit.get(url).status_code == 403, url
    anonymous = client_for(world["app"], None)
    assert anonymous.get("/api/ranking?year=2024").status_code == 401
    assert anonymous.get("/ranking", follow_redirects=False).status_code == 303


def test_inactive_units_are_left_out_of_the_ranking(world, reviewer):
    from sqlalchemy import update

    from fazhi.cycle.models import UnitRow

    cycle, uid = world["cycle"], world["units"]["古溪镇人民政府"]["id"]
    with cycle.engine.begin() as conn:
        conn.execute(update(UnitRow).where(UnitRow.id == uid).values(active=False))
    try:
        towns = reviewer.get(f"/api/ranking?year={YEAR}").json()["levels"]["乡镇街道"]
        assert "古溪镇人民政府" not in {r["unit_name"] for r in towns} and len(towns) == 2
        assert [r["rank"] for r in towns] == [1, 2]
    finally:
        with cycle.engine.begin() as conn:
            conn.execute(update(UnitRow).where(UnitRow.id == uid).values(active=True))


# ---------------------------------------------------------------- batch outputs


def test_zip_has_one_opinion_per_submission(world, reviewer):
    import docx

    r = reviewer.get(f"/outputs/{YEAR}/opinions.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    names = sorted(zf.namelist())
    assert names == sorted(f"{n}-{YEAR}年度-审查意见.docx" for n, spec in UNITS.items() if spec[3])
    for name in names:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(zf.read(name))).paragraphs)
        assert "审查意见" in text
    red = "\n".join(p.text for p in docx.Document(io.BytesIO(zf.read(f"{RED}-{YEAR}年度-审查意见.docx"))).paragraphs)
    assert "红江镇" in red


def test_circular_names_late_and_missing_units_and_ranks_by_score(world, reviewer):
    import docx

    r = reviewer.get(f"/outputs/{YEAR}/review-circular.docx")
    assert r.status_code == 200
    doc = docx.Document(io.BytesIO(r.content))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == f"关于{YEAR}年度法治政府建设年度报告审查情况的通报"
    assert any("应报送2024年度法治政府建设年度报告的单位共5个，已报送4个（其中逾期报送2个），未报送1个" in p for p in paras)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    late = [t for t in tables if t[0] == ["序号", "单位", "报送期限", "逾期天数"]]
    assert [row[1:] for t in late for row in t[1:]] == [["大王古庄镇人民政府", "2025-03-01", "5天"],
                                                        ["东莞市司法局桥头分局", "2025-03-01", "2天"]]
    missing = [row for t in tables if t[0][:3] == ["序号", "单位", "报送期限"] and t[0][3] == "状态" for row in t[1:]]
    assert [row[1] for row in missing] == ["某某镇人民政府"]
    ranked = [t for t in tables if t[0][:3] == ["名次", "单位", "得分"]]
    towns = reviewer.get(f"/api/ranking?year={YEAR}").json()["levels"]["乡镇街道"]
    assert [row[1] for row in ranked[0][1:]] == [r["unit_name"] for r in towns]
    assert [float(row[2]) for row in ranked[0][1:]] == [r["score"] for r in towns]
    problems = next(t for t in tables if t[0][:2] == ["序号", "问题"])
    assert problems[1][1] == "照搬往年报告（沿用比例偏高）" and problems[1][4].startswith(f"{RED}：沿用比例 9")
    assert len(problems) > 3 and any("：“" in row[4] for row in problems[2:])  # quoted examples


def test_excel_of_the_years_submissions(world, reviewer):
    import openpyxl

    r = reviewer.get(f"/outputs/{YEAR}/submissions.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["单位", "层级", "状态", "提交时间", "报送期限", "逾期天数", "版本", "审核人", "机器评分",
                             "最终得分", "沿用比例（%）", "抄用比例（%）", "待整改问题", "报告编号"]
    by_unit = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert set(by_unit) == {n for n, spec in UNITS.items() if spec[3]}
    late = by_unit["大王古庄镇人民政府"]
    assert (late["层级"], late["状态"], late["提交时间"], late["逾期天数"], late["版本"]) == \
        ("乡镇街道", "已提交", "2025-03-06 10:00", 5, 1)
    red = by_unit[RED]
    assert red["逾期天数"] == 0 and red["审核人"] == "王审查" and red["沿用比例（%）"] >= 90
    assert isinstance(red["机器评分"], float) and red["报告编号"] == world["subs"][RED]["report_id"]
    assert f'href="/outputs/{YEAR}/submissions.xlsx"' in reviewer.get(f"/reports?year={YEAR}").text
    script = client_for(world["app"], None)  # a script with HTTP Basic gets the same file from the API
    r = script.get(f"/api/outputs/{YEAR}/submissions.xlsx", auth=("rev", PASSWORD))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert script.get(f"/api/outputs/{YEAR}/submissions.xlsx", auth=("hongjiang", PASSWORD)).status_code == 403
    board = {b["unit_name"]: b for b in world["cycle"].year_board(world["rev"], YEAR)}
    assert red["最终得分"] == board[RED]["score"] and late["机器评分"] == board["大王古庄镇人民政府"]["machine_score"]


# ---------------------------------------------------------------- the report list


def test_report_list_sorts_and_filters_by_the_offices_numbers(world, reviewer):
    cycle = world["cycle"]
    for up in world["subs"].values():
        cycle.recycling(up["report_id"])
    rows = reviewer.get("/api/reports?year=2024&sort=recycled&order=desc").json()
    assert rows[0]["id"] == world["subs"][RED]["report_id"] and rows[0]["recycled_share"] >= 0.9
    shares = [r["recycled_share"] for r in rows if r["recycled_share"] is not None]
    assert shares == sorted(shares, reverse=True)
    up = reviewer.get("/api/reports?sort=score&order=asc").json()
    scores = [r["score"] for r in up if r["score"] is not None]
    assert scores == sorted(scores) and len(scores) == len(up)
    late = reviewer.get("/api/reports?late=true").json()
    assert {r["unit_name"] for r in late} == {"大王古庄镇人民政府", "东莞市司法局桥头分局"}
    assert {r["days_late"] for r in late} == {5, 2}
    recycled = reviewer.get("/api/reports?min_recycled=50").json()
    assert [r["id"] for r in recycled] == [world["subs"][RED]["report_id"]]
    # the page: column headers are links that sort on the server, filters in the query string
    page = reviewer.get("/reports?sort=late&order=desc")
    ids = [int(x) for x in re.findall(r'<tr data-report-id="(\d+)"', page.text)]
    assert ids[:2] == [world["subs"]["大王古庄镇人民政府"]["report_id"], world["subs"]["东莞市司法局桥头分局"]["report_id"]]
    assert 'href="/reports?sort=late&amp;order=asc"' in page.text  # a second click reverses
    assert 'id="sort-recycled"' in page.text and 'aria-sort="descending"' in page.text
    bad = reviewer.get("/reports?min_score=abc")
    assert bad.status_code == 422 and "min_score（应为数字）" in bad.text


def test_a_unit_sees_its_own_numbers_only(world):
    unit = client_for(world["app"], "hongjiang")
    rows = unit.get("/api/reports").json()
    mine = [r for r in rows if r.get("unit_name") == RED]
    assert mine and all(r["recycled_share"] is not None or r["report_year"] == YEAR - 1 for r in mine)
    assert all(r["unit_name"] == RED for r in rows)  # nothing else is published


def test_missing_shares_are_measured_in_the_background_by_a_child_process(world, reviewer, monkeypatch):
    import time

    from sqlalchemy import delete

    from fazhi.cycle.models_office import RecyclingRow

    cycle = world["cycle"]

    def not_here(report_id, **kw):
        raise AssertionError("measured in the server process")

    monkeypatch.setattr(cycle, "recycling", not_here)  # the server's own Cycle must not measure
    ids = [up["report_id"] for up in world["subs"].values()]
    with cycle.engine.begin() as conn:
        conn.execute(delete(RecyclingRow))
    assert cycle.recycling_missing(ids) == ids
    assert reviewer.get("/reports").status_code == 200  # answers at once, queues the missing shares
    deadline = time.monotonic() + 120
    while cycle.recycling_missing(ids) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert cycle.recycling_missing(ids) == []
    red = cycle.recycling_stored([world["subs"][RED]["report_id"]])[world["subs"][RED]["report_id"]]
    assert red["recycled_share"] >= 0.9 and red["previous_id"] == world["old"]["report_id"]


# ---------------------------------------------------------------- the unit's picture


def test_unit_profile_over_the_years(world, reviewer):
    uid = world["units"][RED]["id"]
    got = reviewer.get(f"/api/units/{uid}/profile").json()
    assert [y["year"] for y in got["years"]] == [YEAR - 1, YEAR]
    assert got["years"][0]["recycled_share"] is None or got["years"][0]["recycled_share"] == 0
    assert got["years"][1]["recycled_share"] >= 0.9 and got["years"][1]["recycling_level"] == "error"
    assert got["summary"].startswith(f"{RED}：2 个年度的报告")
    page = reviewer.get(f"/units/{uid}/profile")
    assert page.status_code == 200 and 'id="profile-chart"' in page.text
    assert re.findall(r'<tr data-year="(\d+)"', page.text) == [str(YEAR), str(YEAR - 1)]
    unit = client_for(world["app"], "hongjiang")
    assert unit.get(f"/units/{uid}/profile").status_code == 200
    other = world["units"]["古溪镇人民政府"]["id"]
    assert unit.get(f"/units/{other}/profile").status_code == 404
    assert unit.get(f"/api/units/{other}/profile").status_code == 404
    assert reviewer.get("/units/999999/profile").status_code == 404


def test_report_page_panel_and_side_by_side(world, reviewer):
    rid = world["subs"][RED]["report_id"]
    page = reviewer.get(f"/reports/{rid}").text
    assert 'id="recycling-panel" data-level="error"' in page
    assert "与本单位上一年度（2023年度）报告相同的内容占 9" in page
    assert f'href="/reports/{rid}/recycling"' in page
    side = reviewer.get(f"/reports/{rid}/recycling")
    assert side.status_code == 200
    assert "fz-compare" in side.text and "沿用" in side.text and "新增" in side.text
    assert reviewer.get(f"/api/reports/{rid}/recycling").json()["previous_id"] == world["old"]["report_id"]
    anonymous = client_for(world["app"], None)
    assert anonymous.get(f"/api/reports/{rid}/recycling").status_code in (401, 404)


def test_reviewers_opinion_and_adjusted_score_reach_the_ranking_and_the_zip(world, reviewer):
    """Runs last (it changes the year): the reviewer's 总体意见 is in the zipped 审查意见, and the
    adjusted final score, not the machine's, decides the ranking."""
    import docx

    cycle, rev = world["cycle"], world["rev"]
    towns = reviewer.get(f"/api/ranking?year={YEAR}").json()["levels"]["乡镇街道"]
    top = towns[0]
    sid = top["submission_id"]
    cycle.set_overall(rev, sid, "该报告总体较好，请补充第一责任人履职情况。")
    cycle.adjust_score(rev, sid, -top["score"] + 1, "测试：人工下调")
    cycle.send_opinion(rev, sid)
    after = reviewer.get(f"/api/ranking?year={YEAR}").json()["levels"]["乡镇街道"]
    assert after[-1]["submission_id"] == sid and after[-1]["score"] == 1 and after[-1]["rank"] == 3
    assert after[-1]["machine_score"] == top["machine_score"]
    zf = zipfile.ZipFile(io.BytesIO(reviewer.get(f"/outputs/{YEAR}/opinions.zip").content))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(zf.read(f"{top['unit_name']}-{YEAR}年度-审查意见.docx")))
                     .paragraphs)
    assert "该报告总体较好，请补充第一责任人履职情况。" in text
