"""The whole yearly cycle in a real browser (Debian's chromium driven by Playwright) against a real
`fazhi serve` process on a real SQLite file.

reviewer uploads a sample → sees its findings highlighted → selects words, comments, returns it →
the unit logs in, sees only its own reports, uploads a fixed version, sees the fixed finding →
the reviewer approves, publishes and downloads the 审查意见 (.docx).

Screenshots of the report page and the corpus page go to $FAZHI_SCREENSHOTS (default: the test's
tmp folder); `FAZHI_SCREENSHOTS=docs/screenshots make test` refreshes the README's picture.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import sample_path, sample_text

from browser_kit import PASSWORD, browser, fazhi, login, server, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
WRONG, RIGHT = "法治建设第一负责人", "法治建设第一责任人"  # a wrong formulation in sample 004


def upload(page, base: str, path: Path) -> int:
    """Upload through the page's file input (the same XHR path drag and drop takes); the report id."""
    page.goto(base + "/upload")
    page.set_input_files("#file-input", str(path))
    item = page.locator(f'#upload-list li[data-filename="{path.name}"]:is(.done, .needs-unit)')
    item.wait_for(timeout=60_000)
    if "needs-unit" in (item.get_attribute("class") or ""):  # the issuer is no known unit: asked
        item.locator("button.unit-new").click()  # the reviewer makes it a new unit
    link = page.locator(f'#upload-list li.done[data-filename="{path.name}"] a')
    link.wait_for(timeout=60_000)
    rid = int(page.locator(f'#upload-list li.done[data-filename="{path.name}"]').get_attribute("data-report-id"))
    return rid


FIND_WORDS = """(words) => {
    const walker = document.createTreeWalker(document.getElementById('report-text'), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.indexOf(words);
        if (i >= 0) return [n, i];
    }
    return null;
}"""


def select_words(page, words: str) -> None:
    """Drag the mouse across `words` in the report text, as a reviewer does."""
    page.evaluate(f"""(words) => {{ const f = ({FIND_WORDS})(words);
        if (f) f[0].parentElement.scrollIntoView({{block: 'center', behavior: 'instant'}}); }}""", words)
    # the page must stand still before the mouse goes down (an earlier click may scroll smoothly)
    page.wait_for_function("""() => new Promise(done => { const y = window.scrollY;
        requestAnimationFrame(() => requestAnimationFrame(() => done(window.scrollY === y))); })""")
    box = page.evaluate(f"""(words) => {{
        const f = ({FIND_WORDS})(words);
        if (!f) return null;
        const [n, i] = f, r = document.createRange();
        r.setStart(n, i); r.setEnd(n, i + 1);
        const a = r.getBoundingClientRect();
        r.setStart(n, i + words.length - 1); r.setEnd(n, i + words.length);
        const b = r.getBoundingClientRect();
        return {{x0: a.left + 1, y0: a.top + a.height / 2, x1: b.right - 1, y1: b.top + b.height / 2}};
    }}""", words)
    assert box, f"“{words}” not in the page"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move(box["x1"], box["y1"], steps=5)
    page.mouse.up()


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""", selector)


def test_the_whole_cycle(server, browser, shots, tmp_path):
    base = server
    # ---- the reviewer uploads two units' reports and opens one
    rev = login(browser, base, "rev")
    other_id = upload(rev, base, sample_path("000"))
    rid = upload(rev, base, sample_path("004"))
    rev.goto(f"{base}/reports/{rid}")
    assert rev.locator("#submission-status").get_attribute("data-status") == "submitted"

    # findings are highlighted where they stand; clicking one brings its words into view
    finding = rev.locator(f'li.finding[data-rule="formulation-standard"]', has_text=WRONG)
    assert finding.count() == 1
    ref = finding.get_attribute("data-ref")
    marked = rev.locator(f'#report-text [data-refs~="{ref}"]')
    assert "".join(marked.all_inner_texts()) == WRONG
    rev.evaluate("window.scrollTo(0, 0)")
    finding.click()
    rev.wait_for_function("""(ref) => { const r = document.querySelector(`#report-text [data-refs~="${ref}"]`)
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }""", arg=ref)
    assert "flash" in (marked.first.get_attribute("class") or "")
    assert "第一责任人" in (finding.get_attribute("title") or finding.inner_text())
    rev.screenshot(path=str(shots / "report-page.png"), full_page=False)

    # select the wrong words, comment on them, return the report
    select_words(rev, WRONG)
    rev.locator("#comment-box").wait_for(state="visible")
    rev.fill("#comment-body", "请改为法定表述“第一责任人”。")
    rev.click("#comment-add")
    assert WRONG in rev.locator("#pending-comments").inner_text()
    rev.fill("#return-note", "请修改后重新报送。")
    rev.click("#return-button")
    rev.wait_for_load_state()
    assert rev.locator("#submission-status").get_attribute("data-status") == "returned"
    comment = rev.locator("#comments li[data-start]").first
    assert rev.evaluate("([a, b]) => Array.from(document.getElementById('report-text').textContent)"
                        ".slice(a, b).join('')",
                        [int(comment.get_attribute("data-start")), int(comment.get_attribute("data-end"))]) == WRONG

    # ---- the admin gives the unit an account (unit name as the report signs it)
    unit = _unit_of(rev, base, rid)
    admin = login(browser, base, "admin")
    admin.goto(base + "/users")
    admin.fill('#user-form input[name="username"]', "unit004")
    admin.fill('#user-form input[name="password"]', PASSWORD)
    admin.select_option('#user-form select[name="role"]', "unit")
    admin.fill('#user-form input[name="unit_name"]', unit)
    admin.click('#user-form button[type="submit"]')
    admin.wait_for_load_state()
    assert "unit004" in admin.locator("#users-table").inner_text()

    # ---- the unit sees only its own report, with the comment, and cannot open the other unit's
    u = login(browser, base, "unit004")
    u.goto(base + "/reports")
    assert _row_ids(u) == {rid}
    assert u.goto(f"{base}/reports/{other_id}").status == 404
    u.goto(f"{base}/reports/{rid}")
    assert "请改为法定表述" in u.locator("#comments").inner_text()

    # resubmit a fixed version: the fixed finding is listed
    fixed = tmp_path / "004-修改版.txt"
    fixed.write_text(sample_text("004").replace(WRONG, RIGHT), encoding="utf-8")
    new_id = upload(u, base, fixed)
    u.goto(f"{base}/reports/{new_id}")
    assert u.locator("#submission-status").get_attribute("data-status") == "submitted"
    assert WRONG in u.locator("#fixed-findings").inner_text()
    assert u.locator('li.finding', has_text=WRONG).count() == 0

    # ---- the reviewer approves, publishes, downloads the opinion
    rev.goto(f"{base}/reports/{new_id}")
    rev.click("#approve-button")
    rev.wait_for_load_state()
    assert rev.locator("#submission-status").get_attribute("data-status") == "approved"
    rev.check("#secrecy-checked")  # 公开 needs the 保密审查 confirmation
    rev.click("#publish-button")
    rev.wait_for_load_state()
    assert rev.locator("#submission-status").get_attribute("data-status") == "published"
    with rev.expect_download() as dl:
        rev.click("#download-opinion")
    saved = tmp_path / "opinion.docx"
    dl.value.save_as(saved)
    import docx

    opinion = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    assert "审查意见" in opinion and unit in opinion

    # the corpus page with its charts
    rev.goto(base + "/reports")
    rev.locator("#charts canvas").first.wait_for(timeout=15_000)
    listed = _row_ids(rev)
    assert {new_id, other_id} <= listed and rid not in listed  # the returned first version is superseded
    rev.screenshot(path=str(shots / "corpus-page.png"), full_page=True)

    rev.goto(base + "/reports?status=superseded")
    assert _row_ids(rev) == {rid}

    # a logged-out visitor now sees the published version, and still not the other unit's report
    anon = browser.new_context().new_page()
    assert anon.goto(f"{base}/reports/{new_id}").status == 200
    assert anon.goto(f"{base}/reports/{other_id}").status in (401, 404) or "/login" in anon.url

    for page in (rev, admin, u):
        assert page.js_errors == []
    for name in ("report-page.png", "corpus-page.png"):
        assert (shots / name).stat().st_size > 20_000


def _row_ids(page) -> set[int]:
    return {int(x) for x in page.locator("#reports-table tr[data-report-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.reportId)")}


def _unit_of(page, base: str, rid: int) -> str:
    return page.evaluate(f"fetch('{base}/api/reports/{rid}').then(r => r.json()).then(d => d.submission.unit_name)")


def test_script_in_a_report_stays_text(server, browser, tmp_path):
    """Report text is untrusted: a <script> in it is shown as words and never runs."""
    rev = login(browser, base := server, "rev")
    text = sample_text("002").replace("一、", "一、<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">", 1)
    path = tmp_path / "脚本.txt"
    path.write_text(text, encoding="utf-8")
    rid = upload(rev, base, path)
    rev.goto(f"{base}/reports/{rid}")
    assert "<script>window.__pwned = 1</script>" in rev.locator("#report-text").inner_text()
    assert rev.evaluate("window.__pwned === undefined")
    assert rev.locator("#report-text script, #report-text img").count() == 0
