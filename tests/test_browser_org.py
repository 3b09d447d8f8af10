"""Organisation in Chromium (issue 14 item 9), against a real `fazhi serve` on a real SQLite file: a
reviewer's upload whose issuer is no known unit is asked about and filed where the reviewer says; the admin
edits a unit's parent and e-mail, makes a reviewing office with a reviewer attached (who then sees only that
branch on the board), merges two units (the report moves), deactivates one (gone from the board), and changes
a user's role. Screenshots org-units.png, org-upload-ask.png."""
from __future__ import annotations

import pytest
from conftest import sample_path

from browser_kit import PASSWORD, browser, fazhi, login, new_db, serve, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
HJ = "中共蓬溪县红江镇委员会"  # issuer of sample 000 (2023)
DW = "大王古庄镇人民政府"  # issuer of sample 002 (2024)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    db = new_db(tmp_path_factory, "org")
    for args in (("unit", "add", "某某县人民政府", "--level", "区县"), ("unit", "add", "某某县依法治县办"),
                 ("unit", "add", "蓬溪县红江镇人民政府", "--level", "乡镇街道"), ("user", "add", "rev2", "--reviewer")):
        done = fazhi(*args, db=db)
        assert done.returncode == 0, done.stderr
    with serve(db) as url:
        yield url


def api(page, path: str):
    return page.evaluate("(p) => fetch(p).then(r => r.json())", path)


def unit_ids(page) -> dict[str, int]:
    return {u["name"]: u["id"] for u in api(page, "/api/units")}


def start_upload(page, base: str, prefix: str):
    """Upload a sample through the page's file input; the list item once analysed (done or asking)."""
    path = sample_path(prefix)
    page.goto(base + "/upload")
    page.set_input_files("#file-input", str(path))
    item = page.locator(f'#upload-list li[data-filename="{path.name}"]:is(.done, .needs-unit)')
    item.wait_for(timeout=90_000)
    return item


def board_units(page, base: str, year: int) -> set[int]:
    page.goto(f"{base}/periods?year={year}")
    return {int(x) for x in page.locator("#overview-table tr[data-unit-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.unitId)")}


def test_units_offices_merging_and_unit_choice_in_the_browser(base, browser, shots):
    # ---- a reviewer uploads a report signed by 中共蓬溪县红江镇委员会, which is no unit: asked, not made
    rev = login(browser, base, "rev")
    ids = unit_ids(rev)
    item = start_upload(rev, base, "000")
    assert "needs-unit" in item.get_attribute("class")
    assert f"未找到单位「{HJ}」" in item.inner_text()
    options = item.locator("select.unit-pick option").all_inner_texts()
    assert options[0].startswith("蓬溪县红江镇人民政府（名称相似度")  # the near name first
    assert HJ not in unit_ids(rev)  # nothing made meanwhile
    rev.screenshot(path=str(shots / "org-upload-ask.png"), full_page=False)
    assert [p["issuer"] for p in api(rev, "/api/filings")] == [HJ]  # waiting, not lost
    item.locator("select.unit-pick").select_option(str(ids["蓬溪县红江镇人民政府"]))
    item.locator("button.unit-file").click()
    link = rev.locator(f'#upload-list li.done[data-filename="{sample_path("000").name}"] a')
    link.wait_for(timeout=30_000)
    assert link.inner_text().startswith("蓬溪县红江镇人民政府 2023 年度 · 第 1 版")
    assert api(rev, "/api/filings") == []
    # a second unknown issuer: the reviewer makes it a new unit
    item = start_upload(rev, base, "002")
    item.locator("button.unit-new").click()
    rev.locator(f'#upload-list li.done[data-filename="{sample_path("002").name}"] a').wait_for(timeout=30_000)
    ids = unit_ids(rev)
    assert DW in ids

    # ---- the admin edits a unit's parent and e-mail, and makes the office a reviewing office
    admin = login(browser, base, "admin")
    admin.goto(f"{base}/units/{ids['蓬溪县红江镇人民政府']}/edit")
    admin.select_option('#unit-edit-form select[name="parent_id"]', str(ids["某某县依法治县办"]))
    admin.fill('#unit-edit-form input[name="email"]', "hongjiang@example.cn")
    admin.click("#unit-save")
    admin.wait_for_url(base + "/units")
    assert "已保存单位“蓬溪县红江镇人民政府”" in admin.locator(".flash").inner_text()
    admin.goto(f"{base}/units/{ids['某某县依法治县办']}/edit")
    admin.check('#unit-edit-form input[name="is_office"]')
    admin.click("#unit-save")
    admin.wait_for_url(base + "/units")
    row = admin.locator(f'#units-table tr[data-unit-id="{ids["蓬溪县红江镇人民政府"]}"]')
    assert row.get_attribute("data-parent-id") == str(ids["某某县依法治县办"])
    assert "hongjiang@example.cn" in row.inner_text() and "某某县依法治县办" in row.inner_text()
    office_row = admin.locator(f'#units-table tr[data-unit-id="{ids["某某县依法治县办"]}"]')
    assert "审查机构" in office_row.inner_text()

    # ---- the admin changes rev2's role: a reviewer attached to the office, who sees only that branch
    admin.goto(base + "/users")
    form = admin.locator('#users-table tr[data-username="rev2"] form.role-form')
    form.locator('select[name="role"]').select_option("reviewer")
    form.locator('select[name="unit_id"]').select_option(str(ids["某某县依法治县办"]))
    form.locator("button").click()
    admin.wait_for_load_state()
    assert "已将“rev2”的角色改为审查人员（某某县依法治县办）" in admin.locator(".flash").inner_text()
    rev2 = login(browser, base, "rev2")
    assert board_units(rev2, base, 2023) == {ids["某某县依法治县办"], ids["蓬溪县红江镇人民政府"]}
    assert ids["某某县人民政府"] in board_units(rev, base, 2023)  # a reviewer without an office sees all

    # ---- merge 大王古庄镇 into the county: its 2024 report moves with it
    admin.goto(base + "/units")
    admin.select_option('#merge-form select[name="from_id"]', str(ids[DW]))
    admin.select_option('#merge-form select[name="into_id"]', str(ids["某某县人民政府"]))
    admin.click('#merge-form button[type="submit"]')
    admin.wait_for_load_state()
    assert f"已将“{DW}”并入“某某县人民政府”" in admin.locator(".flash").inner_text()
    subs = api(admin, "/api/submissions?year=2024")
    assert [(s["unit_id"], s["unit_name"]) for s in subs] == [(ids["某某县人民政府"], "某某县人民政府")]
    assert "已并入“某某县人民政府”" in admin.locator(f'#units-table tr[data-unit-id="{ids[DW]}"]').inner_text()
    admin.screenshot(path=str(shots / "org-units.png"), full_page=True)

    # ---- deactivate the county: gone from the board, its report kept
    assert ids["某某县人民政府"] in board_units(admin, base, 2024)
    admin.goto(base + "/units")
    admin.locator(f'#units-table tr[data-unit-id="{ids["某某县人民政府"]}"] form button').click()
    admin.wait_for_load_state()
    assert "已停用单位“某某县人民政府”" in admin.locator(".flash").inner_text()
    assert ids["某某县人民政府"] not in board_units(admin, base, 2024)
    assert api(admin, "/api/submissions?year=2024")[0]["report_id"] == subs[0]["report_id"]
    for page in (rev, admin, rev2):
        assert page.js_errors == []
