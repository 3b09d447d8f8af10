"""沿用比例, the ranking and the unit's picture in a real browser (Debian's chromium driven by Playwright)
against a real `fazhi serve` process on a real SQLite file (issue 14 items 4-6).

The office's reviewer sorts the report list by 沿用比例 by clicking its column header, opens the
recycled report's side-by-side view, the ranking, a unit's page with its score chart, and downloads
the 审查情况通报. Screenshots outputs-ranking.png, outputs-recycling.png, outputs-unit-profile.png and
outputs-reports-sorted.png go to $FAZHI_SCREENSHOTS (default: the test's tmp folder)."""
from __future__ import annotations

import io

import pytest
from conftest import sample_path, sample_text
from test_recycling import next_year

from browser_kit import PASSWORD, browser, login, new_db, serve, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
RED = "中共蓬溪县红江镇委员会"
OTHERS = {"大王古庄镇人民政府": "002", "古溪镇人民政府": "003"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A database with 红江镇's 2023 and (recycled) 2024 reports and two other towns' 2024 reports."""
    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle

    db = new_db(tmp_path_factory, "outputs")
    cycle = Cycle(open_corpus(db))
    rev = cycle.authenticate("rev", PASSWORD)
    red = cycle.add_unit(RED, level="乡镇街道")
    text = sample_text("000")
    old = cycle.upload(rev, "红江镇2023.txt", text.encode("utf-8"), unit_id=red["id"], year=2023)
    new = cycle.upload(rev, "红江镇2024.txt", next_year(text).encode("utf-8"), unit_id=red["id"], year=2024)
    for name, sample in OTHERS.items():
        unit = cycle.add_unit(name, level="乡镇街道")
        cycle.upload(rev, f"{name}.txt", sample_path(sample).read_bytes(), unit_id=unit["id"], year=2024)
    cycle.corpus.close()
    with serve(db) as base:
        yield {"base": base, "old": old, "new": new, "unit_id": red["id"]}


def test_sort_by_recycling_then_ranking_unit_page_and_side_by_side(site, browser, shots, tmp_path):
    base, new = site["base"], site["new"]
    rev = login(browser, base, "rev")
    # the report page computes and shows 沿用比例 (stored from then on)
    rev.goto(f"{base}/reports/{new['report_id']}")
    panel = rev.locator("#recycling-panel")
    assert panel.get_attribute("data-level") == "error"
    share = rev.locator("#recycled-share").inner_text()
    assert share.startswith("9") and share.endswith("%")
    assert "与本单位上一年度（2023年度）报告相同的内容占" in rev.locator("#recycling-message").inner_text()
    # ---- the list, sorted by clicking the 沿用比例 header (server-side: the URL carries the sort)
    rev.goto(f"{base}/reports")  # shares not computed yet are computed once, in the background
    rev.click("#sort-recycled a")
    rev.wait_for_url("**/reports?sort=recycled&order=desc")
    first = rev.locator("#reports-table tbody tr").first
    assert first.get_attribute("data-report-id") == str(new["report_id"])
    assert first.locator("td.recycled a").inner_text() == share
    assert rev.locator("#sort-recycled").get_attribute("aria-sort") == "descending"
    rev.screenshot(path=str(shots / "outputs-reports-sorted.png"), full_page=False)
    rev.click("#sort-recycled a")  # again: ascending, unknown shares still last
    rev.wait_for_url("**/reports?sort=recycled&order=asc")
    assert rev.locator("#sort-recycled").get_attribute("aria-sort") == "ascending"
    # filter: 沿用比例 at least 50% leaves only the recycled report
    rev.fill("#f-min-recycled", "50")
    rev.click("#filters button[type=submit]")
    rev.wait_for_url("**min_recycled=50**")
    assert rev.locator("#reports-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.reportId)") == \
        [str(new["report_id"])]
    # ---- the side-by-side view from the report page
    rev.goto(f"{base}/reports/{new['report_id']}")
    rev.click("#recycling-compare")
    rev.wait_for_url(f"**/reports/{new['report_id']}/recycling")
    assert rev.locator("#recycling-summary").get_attribute("data-level") == "error"
    compare = rev.locator("#yoy-compare")
    assert "2023年度" in compare.inner_text() and "2024年度" in compare.inner_text()
    assert rev.locator("#yoy-compare .fz-compare").count() == 1
    rev.screenshot(path=str(shots / "outputs-recycling.png"), full_page=False)
    # ---- the ranking: the towns by score, 红江镇 with its 沿用比例 marked
    rev.click("#nav-ranking")
    rev.wait_for_url("**/ranking")
    rows = rev.locator("table.ranking tbody tr")
    assert rows.count() == 3
    scores = [float(s.split()[0]) for s in rev.locator("table.ranking td.score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    assert rev.locator("table.ranking td.rank").all_inner_texts() == ["1", "2", "3"]
    red_row = rev.locator(f'table.ranking tr[data-report-id="{new["report_id"]}"]')
    assert red_row.locator("td.recycled a.recycling-error").inner_text() == share
    rev.screenshot(path=str(shots / "outputs-ranking.png"), full_page=True)
    with rev.expect_download() as dl:
        rev.click("#dl-review-circular")
    path = tmp_path / "通报.docx"
    dl.value.save_as(path)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "关于2024年度法治政府建设年度报告审查情况的通报" in text
    # ---- the year's other batch outputs: every 审查意见 in one zip, the submissions as Excel
    import zipfile

    import openpyxl

    with rev.expect_download() as dl:
        rev.click("#dl-opinions-zip")
    dl.value.save_as(tmp_path / "opinions.zip")
    with zipfile.ZipFile(tmp_path / "opinions.zip") as z:
        names = [n for n in z.namelist() if n.endswith(".docx")]
        assert len(names) == 3
        assert all("审查意见" in "\n".join(p.text for p in docx.Document(io.BytesIO(z.read(n))).paragraphs[:3])
                   for n in names)
    with rev.expect_download() as dl:
        rev.click("#dl-submissions-xlsx")
    dl.value.save_as(tmp_path / "submissions.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "submissions.xlsx").active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(table) == 4 and RED in {str(v) for row in table[1:] for v in row}
    # ---- the unit's page: its two years, the score line drawn
    red_row.locator("a.unit-link").click()
    rev.wait_for_url(f"**/units/{site['unit_id']}/profile")
    assert rev.locator("#unit-name").inner_text() == RED
    assert rev.locator("#profile-years tbody tr").evaluate_all("rs => rs.map(r => r.dataset.year)") == ["2024", "2023"]
    rev.locator("#profile-chart[data-ready='1'] canvas").first.wait_for(timeout=15_000)
    rev.screenshot(path=str(shots / "outputs-unit-profile.png"), full_page=True)
    assert rev.js_errors == []
    for name in ("outputs-ranking.png", "outputs-recycling.png", "outputs-unit-profile.png",
                 "outputs-reports-sorted.png"):
        assert (shots / name).stat().st_size > 20_000
    rev.context.close()
