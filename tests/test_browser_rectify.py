"""整改销号 and the 问题池 in a real browser (Debian's chromium, Playwright) against `fazhi serve` on a
real SQLite file: the reviewer returns sample 004 with two span comments and a note → three issues
待整改; the unit sees them and uploads a fixed version where one phrase is changed → the report page
shows, for each issue, its words then and what the new version has there (the changed one suggested
可能已整改); the reviewer marks it 已整改 then 销号, the other 未整改, returns again; next year's
report of the unit still shows the open issues. Screenshots rectify-panel.png, rectify-pool.png."""
from __future__ import annotations

import pytest

from conftest import sample_path, sample_text

from browser_kit import browser, fazhi, login, new_db, serve, shots  # noqa: F401 (fixtures)
from test_web_browser import select_words, upload

pytestmark = pytest.mark.needs("chromium")
WRONG, RIGHT = "法治建设第一负责人", "法治建设第一责任人"  # a wrong formulation in sample 004
KEPT = "缴罚分离和收支两条线"  # words commented on that the unit leaves as they are


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`fazhi serve` with admin, reviewer `rev` and the account `u004` of sample 004's unit."""
    import fazhi as fz

    db = new_db(tmp_path_factory, "rectify")
    issuer = fz.analyze(sample_path("004")).to_dict()["metadata"]["issuer"]
    done = fazhi("user", "add", "u004", "--unit", issuer, db=db)
    assert done.returncode == 0, done.stderr
    with serve(db) as base:
        yield base


def rows(page) -> dict[str, dict]:
    """The 整改 panel's rows by the words they are about ("" for the note)."""
    out = {}
    for tr in page.locator("#rectify-items tbody tr").all():
        then = tr.locator("td.then a")
        key = then.inner_text().strip("“”") if then.count() else ""
        out[key] = {"id": tr.get_attribute("data-issue-id"), "state": tr.get_attribute("data-state"),
                    "suggestion": tr.get_attribute("data-suggestion"), "now": tr.locator("td.now").inner_text()}
    return out


def decide(page, issue_id: str, state: str, note: str = "") -> None:
    row = page.locator(f"#issue-{issue_id}")
    if note:
        row.locator('input[name="note"]').fill(note)
    row.locator(f'button[value="{state}"]').click()
    page.wait_for_load_state()


def test_rectification_from_return_to_next_year(site, browser, shots, tmp_path):
    base = site
    text = sample_text("004")
    assert WRONG in text and KEPT in text
    unit = login(browser, base, "u004")
    rid = upload(unit, base, sample_path("004"))

    # ---- the reviewer comments on two phrases, writes a note and returns the report
    rev = login(browser, base, "rev")
    rev.goto(f"{base}/reports/{rid}")
    for words, body in ((WRONG, "请改为法定表述“第一责任人”。"), (KEPT, "请写明缴罚分离的具体做法。")):
        select_words(rev, words)
        rev.locator("#comment-box").wait_for(state="visible")
        rev.fill("#comment-body", body)
        rev.click("#comment-add")
    rev.fill("#return-note", "请补充年度考核结果。")
    rev.click("#return-button")
    rev.wait_for_load_state()
    raised = rows(rev)
    assert set(raised) == {WRONG, KEPT, ""} and {r["state"] for r in raised.values()} == {"open"}
    assert all("本版提出" in raised[w]["now"] for w in (WRONG, KEPT))

    # ---- the unit sees its three issues (read only) and uploads a fixed version
    unit.goto(base + "/issues")
    assert unit.locator("#issues-table tbody tr[data-issue-id]").count() == 3
    assert unit.locator('#issues-totals strong[data-state="open"]').inner_text() == "3"
    unit.goto(f"{base}/reports/{rid}")
    assert unit.locator("#rectify-items tbody tr").count() == 3 and unit.locator("#rectify .state-form").count() == 0
    fixed = tmp_path / "004-整改版.txt"
    fixed.write_text(text.replace(WRONG, RIGHT), encoding="utf-8")
    v2 = upload(unit, base, fixed)
    unit.goto(f"{base}/reports/{v2}")
    now = rows(unit)
    assert now[WRONG]["suggestion"] == "changed" and RIGHT in now[WRONG]["now"] and "可能已整改" in now[WRONG]["now"]
    assert now[KEPT]["suggestion"] == "unchanged" and KEPT in now[KEPT]["now"] and "未修改" in now[KEPT]["now"]
    assert now[""]["suggestion"] == ""

    # jumping to what the new version has there marks exactly those words in the text
    unit.locator(f'#issue-{now[WRONG]["id"]} a.rectify-jump').click()
    marked = unit.evaluate("() => { const h = CSS.highlights.get('rectify'); return h ? [...h][0].toString() : null; }")
    assert marked == RIGHT
    unit.wait_for_function("""() => { const r = [...CSS.highlights.get('rectify')][0].getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    unit.goto(f"{base}/reports/{v2}")  # the page from its top for the picture
    unit.screenshot(path=str(shots / "rectify-panel.png"), full_page=False)

    # ---- the reviewer confirms: 已整改 then 销号 for the changed words, 未整改 for the others
    rev.goto(f"{base}/reports/{v2}")
    decide(rev, now[WRONG]["id"], "fixed")
    assert rev.locator(".flash", has_text=f"问题 {now[WRONG]['id']} 已改为“已整改”").count() == 1
    assert set(rows(rev)) == {KEPT, ""}
    rev.locator("#rectify-done summary").click()
    rev.locator(f'#rectify-done #issue-{now[WRONG]["id"]} button[value="closed"]').click()
    rev.wait_for_load_state()
    assert rev.locator(f'#rectify-done #issue-{now[WRONG]["id"]}').get_attribute("data-state") == "closed"
    decide(rev, now[KEPT]["id"], "unfixed", note="缴罚分离做法仍未写明。")
    assert rows(rev)[KEPT]["state"] == "unfixed"
    rev.fill("#return-note", "缴罚分离做法仍未整改，请补充。")
    rev.click("#return-button")
    rev.wait_for_load_state()
    assert rev.locator("#submission-status").get_attribute("data-status") == "returned"

    # the pool: counts per state and per unit, the list filtered, the Excel export
    rev.goto(base + "/issues")
    totals = {s: rev.locator(f'#issues-totals strong[data-state="{s}"]').inner_text()
              for s in ("open", "fixed", "unfixed", "closed")}
    assert totals == {"open": "2", "fixed": "0", "unfixed": "1", "closed": "1"}
    assert rev.locator('#issues-counts tbody tr td[data-state="closed"]').inner_text() == "1"
    rev.screenshot(path=str(shots / "rectify-pool.png"), full_page=True)
    rev.select_option('#issues-filters select[name="state"]', "outstanding")
    rev.click("#issues-filter")
    rev.wait_for_load_state()
    assert rev.locator("#issues-table tbody tr[data-issue-id]").count() == 3
    with rev.expect_download() as got:
        rev.click("#issues-xlsx")
    import openpyxl

    assert got.value.suggested_filename == "问题池.xlsx"
    with open(got.value.path(), "rb") as f:
        sheet = openpyxl.load_workbook(f).active
    assert sheet.max_row == 4 and {c.value for c in sheet["H"][1:]} == {"待整改", "未整改"}

    # ---- next year's report of the unit: the open issues of last year are on its page
    sub = rev.request.get(f"{base}/api/reports/{v2}").json()["submission"]
    year, unit_id = sub["year"], str(sub["unit_id"])
    nxt = tmp_path / "004-下一年度.txt"
    nxt.write_text(text.replace(WRONG, RIGHT).replace("持证执法", "亮证执法"), encoding="utf-8")  # a new body
    rev.goto(base + "/upload")
    rev.select_option("#upload-unit", unit_id)
    rev.fill("#upload-year", str(year + 1))
    rev.set_input_files("#file-input", str(nxt))
    done = rev.locator(f'#upload-list li.done[data-filename="{nxt.name}"]')
    done.wait_for(timeout=60_000)
    v3 = int(done.get_attribute("data-report-id"))
    assert v3 not in (rid, v2)
    rev.goto(f"{base}/reports/{v3}")
    carried = rows(rev)
    assert set(carried) == {KEPT, ""} and carried[KEPT]["state"] == "unfixed"
    assert rev.locator(f'#issue-{carried[KEPT]["id"]}').inner_text().count(f"{year} 年度遗留") == 1
    assert carried[KEPT]["suggestion"] == "unchanged"
    assert rev.locator("#rectify-items tbody tr").count() == 3  # two notes (both returns) and the phrase
    for page in (unit, rev):
        assert page.js_errors == []
