"""Publication, withdrawal, self-check drafts and two-step review in a real browser (Debian's chromium
driven by Playwright) against a real `fazhi serve` process on a real SQLite file (issue 14 items 7, 8, 10).

The unit self-checks a draft (the office cannot open it: 404), submits, withdraws, resubmits; the admin
turns two-step review on; reviewer A assigns and passes the 初审, reviewer B finds it in 待我审核 and
approves (复审); 公开 is refused without the 保密审查 checkbox and done with it; the unit records the
公开网址 and a late 公开日期 (flagged); reviewer A withdraws the publication with a reason and a
logged-out visitor can no longer read the report. Screenshots lifecycle-draft.png, lifecycle-queue.png.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import sample_path, sample_text

from browser_kit import browser, fazhi, login, new_db, serve, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
UNIT = "中共蓬溪县红江镇委员会"  # the issuer of sample 000
WRONG, RIGHT = "法制讲座", "法治讲座"  # a wrong formulation in sample 000
OTHER = "中共重庆市潼南区古溪镇委员会"  # the issuer of sample 004


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = new_db(tmp_path_factory, "lifecycle")
    for args in (("user", "add", "rev2", "--reviewer"), ("user", "add", "hj", "--unit", UNIT),
                 ("user", "add", "gx", "--unit", OTHER)):
        done = fazhi(*args, db=db)
        assert done.returncode == 0, done.stderr
    with serve(db) as base:
        yield base


def upload(page, base: str, path: Path) -> int:
    page.goto(base + "/upload")
    page.set_input_files("#file-input", str(path))
    done = page.locator(f'#upload-list li.done[data-filename="{path.name}"]')
    done.locator("a").wait_for(timeout=60_000)
    return int(done.get_attribute("data-report-id"))


def status(page) -> str:
    return page.locator("#submission-status").get_attribute("data-status")


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_drafts_withdrawal_two_step_and_publication(site, browser, shots, tmp_path):
    base = site
    # ---- the unit self-checks a draft: same highlighting, findings and score as a report page
    unit = login(browser, base, "hj")
    unit.goto(base + "/drafts")
    unit.set_input_files("#draft-file", str(sample_path("000")))
    submit(unit, "#draft-submit")
    assert "/drafts/" in unit.url
    draft_url = unit.url.split("#")[0]
    assert "审查人员不可见" in unit.locator("#draft-badge").inner_text()
    finding = unit.locator('li.finding[data-rule="formulation-standard"]', has_text=WRONG).first
    ref = finding.get_attribute("data-ref")
    assert "".join(unit.locator(f'#report-text [data-refs~="{ref}"]').all_inner_texts()) == WRONG
    unit.screenshot(path=str(shots / "lifecycle-draft.png"))
    finding.click()
    unit.wait_for_function("""(ref) => { const r = document.querySelector(`#report-text [data-refs~="${ref}"]`)
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }""", arg=ref)
    assert float(unit.locator("#score-total").inner_text()) > 0

    rev = login(browser, base, "rev")
    assert rev.goto(draft_url).status == 404  # never visible to the office
    assert rev.goto(base + "/reports").ok and rev.locator("#reports-table tr[data-report-id]").count() == 0

    # ---- the unit submits, withdraws before review, resubmits
    rid = upload(unit, base, sample_path("000"))
    unit.goto(f"{base}/reports/{rid}")
    assert status(unit) == "submitted"
    submit(unit, "#withdraw-button")
    assert status(unit) == "withdrawn" and unit.locator("#withdrawn-note").is_visible()
    assert unit.locator("#withdraw-button").count() == 0
    fixed = tmp_path / "000-修改版.txt"
    fixed.write_text(sample_text("000").replace(WRONG, RIGHT), encoding="utf-8")
    rid = upload(unit, base, fixed)
    unit.goto(f"{base}/reports/{rid}")
    assert status(unit) == "submitted"
    assert [x.inner_text() for x in unit.locator("#versions li a").all()] == ["第 1 版", "第 2 版"]

    # ---- the admin turns two-step review on
    admin = login(browser, base, "admin")
    admin.goto(base + "/settings/review")
    admin.check("#two-step-review")
    submit(admin, "#review-settings-save")
    assert admin.locator("#two-step-review").is_checked()

    # ---- reviewer A assigns 初审 to himself and 复审 to B, and passes the 初审
    rev.goto(f"{base}/reports/{rid}")
    assert rev.locator("#first-pass-hint").is_visible()
    rev.select_option("#assign-first", label="rev")
    rev.select_option("#assign-second", label="rev2")
    submit(rev, "#assign-button")
    assert "初审 rev" in rev.locator("#review-steps").inner_text()
    submit(rev, "#approve-button")
    assert status(rev) == "first_passed"
    assert "您已完成初审" in rev.locator("#second-review").inner_text()
    assert rev.locator("#second-approve-button").count() == 0

    # another unit's report waits unassigned
    gx = login(browser, base, "gx")
    other_rid = upload(gx, base, sample_path("004"))

    # ---- reviewer B finds it in 待我审核 and approves (复审); the other report is in the open list
    rev2 = login(browser, base, "rev2")
    rev2.goto(base + "/queue")
    row = rev2.locator("#queue-mine tr[data-submission-id]")
    assert row.count() == 1 and row.get_attribute("data-step") == "复审"
    assert "rev 初审" in row.inner_text() and UNIT in row.inner_text()
    waiting = rev2.locator("#queue-open tr[data-submission-id]")
    assert waiting.count() == 1 and waiting.get_attribute("data-step") == "初审" and OTHER in waiting.inner_text()
    rev2.screenshot(path=str(shots / "lifecycle-queue.png"), full_page=True)
    submit(rev2, "#queue-open button[id^=claim-]")  # 领取初审: moves to my list
    assert rev2.locator("#queue-open tr[data-submission-id]").count() == 0
    assert rev2.locator("#queue-mine tr[data-submission-id]").count() == 2
    assert rev2.locator(f'#queue-mine a[href="/reports/{other_rid}"]').count() == 1
    with rev2.expect_navigation():
        rev2.locator(f'#queue-mine a[href="/reports/{rid}"]').click()
    submit(rev2, "#second-approve-button")
    assert status(rev2) == "approved"

    # ---- 公开: refused without the 保密审查 confirmation, done with it
    submit(rev2, "#publish-button")
    assert status(rev2) == "approved"
    assert "保密审查" in rev2.locator(".flash-error").inner_text()
    rev2.check("#secrecy-checked")
    submit(rev2, "#publish-button")
    assert status(rev2) == "published"
    assert "rev2" in rev2.locator("#secrecy-record").inner_text()
    anon = browser.new_context().new_page()
    assert anon.goto(f"{base}/reports/{rid}").status == 200

    # ---- the unit records the 公开网址 and a late 公开日期
    year = int(unit.evaluate(f"fetch('{base}/api/reports/{rid}').then(r => r.json()).then(d => d.submission.year)"))
    unit.goto(f"{base}/reports/{rid}")
    unit.fill("#publication-url", "https://www.example.gov.cn/fzzfjs/ndbg.html")
    unit.fill("#publication-date", f"{year + 1}-04-20")
    submit(unit, "#publication-button")
    assert unit.locator("#publish-url").get_attribute("href") == "https://www.example.gov.cn/fzzfjs/ndbg.html"
    assert unit.locator("#publish-date").inner_text() == f"{year + 1}-04-20"
    assert "逾期公开 19 天" in unit.locator("#publish-late").inner_text()  # deadline 04-01 (rubric)

    # ---- reviewer A withdraws the publication with a reason: the public can no longer read it
    rev.goto(f"{base}/reports/{rid}")
    rev.fill("#unpublish-reason", "含有未经脱密的人员信息")
    submit(rev, "#unpublish-button")
    assert status(rev) == "approved"
    assert "含有未经脱密的人员信息" in rev.locator("#unpublish-record").inner_text()
    assert anon.goto(f"{base}/reports/{rid}").status == 404

    for page in (unit, rev, rev2, admin, gx):
        assert page.js_errors == []
    for name in ("lifecycle-draft.png", "lifecycle-queue.png"):
        assert (shots / name).stat().st_size > 20_000
