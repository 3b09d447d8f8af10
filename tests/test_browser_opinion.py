"""The reviewer owns the opinion, in a real browser (Debian's chromium driven by Playwright) against a
real `fazhi serve` on a real SQLite file (issue 14 item 3).

The reviewer dismisses a finding as 误报 with a reason → it is struck through and the score goes up
by that finding's deduction → the misfire page counts it → the opinion is edited (an item added,
one edited, one moved up, one dragged, 总体意见 written), the score adjusted with a reason → sent →
the 审查意见 downloaded from the report page has the edited items in order, the 总体意见 and the
final score (read with python-docx). Screenshots: opinion-editor.png, opinion-misfires.png.
"""
from __future__ import annotations

import json

import pytest
from conftest import sample_path

from browser_kit import browser, fazhi, login, new_db, serve, shots  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs("chromium")
UNIT = "中共蓬溪县红江镇委员会"  # the issuer of sample 000
WORDS = "〔2023〕2 号"  # a stray-space warning in sample 000 (format item, 1 point)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = new_db(tmp_path_factory, "opinion")
    done = fazhi("unit", "add", UNIT, "--level", "乡镇街道", db=db)
    assert done.returncode == 0, done.stderr
    with serve(db) as base:
        yield base, db


def api_upload(page, base: str, prefix: str, unit_id: int) -> dict:
    token = page.request.get(base + "/api/me").json()["csrf_token"]
    p = sample_path(prefix)
    r = page.request.post(base + "/api/upload", headers={"X-CSRF-Token": token},
                          multipart={"files": {"name": p.name, "mimeType": "text/plain", "buffer": p.read_bytes()},
                                     "unit_id": str(unit_id)})
    assert r.ok, r.text()
    (up,) = r.json()
    assert "submission_id" in up, up
    return up


def items_on_page(page) -> list[str]:
    return page.locator("#opinion-items li[data-item-id] .item-body").evaluate_all(
        "els => els.map(e => (e.value !== undefined ? e.value : e.textContent).trim())")


def item_ids(page) -> list[str]:
    return page.locator("#opinion-items li[data-item-id]").evaluate_all("els => els.map(e => e.dataset.itemId)")


def test_the_reviewer_owns_the_opinion(site, browser, shots, tmp_path):
    from fazhi.review.rubric import default_rubric

    base, db = site
    units = json.loads(fazhi("unit", "list", "--json", db=db).stdout)
    unit_id = next(u["id"] for u in units if u["name"] == UNIT)
    rev = login(browser, base, "rev")
    up = api_upload(rev, base, "000", unit_id)
    rid, sid = up["report_id"], up["submission_id"]

    # ---- 误报 on one finding, with a reason: struck through, the score goes up by its deduction
    rev.goto(f"{base}/reports/{rid}")
    machine = float(rev.locator("#final-score").get_attribute("data-total"))
    finding = rev.locator("li.finding", has_text=WORDS)
    assert finding.count() == 1
    key = finding.get_attribute("data-key")
    rule, severity, category = "stray-space", "warning", finding.locator(".tag").first.inner_text()
    assert key.startswith(rule + ":") and category == "格式"
    rubric = default_rubric()
    points = rubric.deduction_for(rule, severity, rubric.item_for(rule, "format"))
    tools = rev.locator(f'li.verdict-tools[data-key="{key}"]')
    tools.locator("summary").click()
    tools.locator(".verdict-reason-input").fill("文号中的空格是原件排版所致，不属错误")
    tools.locator(".verdict-fp-submit").click()
    rev.wait_for_load_state()
    finding = rev.locator(f'li.finding[data-key="{key}"]')
    assert "dismissed" in finding.get_attribute("class")
    assert finding.locator(".msg").evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert "文号中的空格是原件排版所致" in finding.locator(".verdict-reason").inner_text()
    assert float(rev.locator("#final-score").get_attribute("data-total")) == pytest.approx(machine + points)
    assert points > 0

    # ---- the misfire page counts it
    rev.goto(f"{base}/rules/misfires")
    row = rev.locator(f'#misfires tr[data-rule="{rule}"]')
    assert (row.get_attribute("data-raised"), row.get_attribute("data-dismissed")) == ("2", "1")
    assert row.locator(".share").inner_text() == "50.0%"
    rev.screenshot(path=str(shots / "opinion-misfires.png"), full_page=True)

    # ---- the opinion: add an item, edit one, move one up, drag one, write 总体意见, adjust the score
    rev.goto(f"{base}/reports/{rid}")
    rev.click("#edit-opinion")
    rev.wait_for_url(f"**/submissions/{sid}/opinion")
    first = items_on_page(rev)
    assert first and not any(WORDS in t for t in first)  # the 误报 is not in the opinion
    rev.fill("#add-body", "请补充本年度行政复议、行政诉讼案件的数据。")
    rev.click("#add-item")
    rev.wait_for_load_state()
    assert items_on_page(rev)[-1] == "请补充本年度行政复议、行政诉讼案件的数据。"
    edited = "第一条：报告未写标题，请按“××年法治政府建设情况报告”拟写标题。"
    rev.locator("#opinion-items li[data-item-id]").first.locator("textarea").fill(edited)
    rev.locator("#opinion-items li[data-item-id]").first.locator(".item-save").click()
    rev.wait_for_load_state()
    assert items_on_page(rev)[0] == edited
    rev.locator("#opinion-items li[data-item-id]").last.locator(".item-up").click()  # the new item, one up
    rev.wait_for_load_state()
    texts = items_on_page(rev)
    assert texts[-2] == "请补充本年度行政复议、行政诉讼案件的数据。"
    rev.goto(f"{base}/submissions/{sid}/opinion")  # no #item anchor: the list's head in view
    ids = item_ids(rev)
    rev.locator(f"#item-{ids[0]}").scroll_into_view_if_needed()
    rev.drag_and_drop(f'#item-{ids[1]} .drag-handle', f'#item-{ids[0]} .drag-handle',
                      target_position={"x": 2, "y": 1})  # the second item dragged above the first
    rev.wait_for_load_state()
    rev.wait_for_function("(id) => document.querySelector('#opinion-items li[data-item-id]').dataset.itemId === id",
                          arg=ids[1])
    assert item_ids(rev)[:2] == [ids[1], ids[0]]
    rev.fill("#overall-input", "报告结构完整，数据较充实；个别表述和格式需修改。")
    rev.click("#overall-save")
    rev.wait_for_load_state()
    rev.fill("#adjust-value", "-2")
    rev.fill("#adjust-reason", "部分数据与统计公报不一致")
    rev.click("#adjust-save")
    rev.wait_for_load_state()
    assert float(rev.locator("#opinion-total").inner_text()) == pytest.approx(machine + points - 2)
    rev.screenshot(path=str(shots / "opinion-editor.png"), full_page=True)

    # ---- send: frozen; the report page's 审查意见 is now the edited one
    rev.click("#opinion-send")
    rev.wait_for_load_state()
    assert rev.locator("#opinion-sent").is_visible() and rev.locator("#opinion-items textarea").count() == 0
    final_items = items_on_page(rev)
    assert final_items[0] == texts[1] and final_items[1] == edited  # the drag, kept
    rev.goto(f"{base}/reports/{rid}")
    with rev.expect_download() as dl:
        rev.click("#download-opinion")
    saved = tmp_path / "opinion.docx"
    dl.value.save_as(saved)
    import docx

    under, heading = {}, None
    paragraphs = docx.Document(saved).paragraphs
    for p in paragraphs:
        if p.style.name.startswith("Heading"):
            heading = p.text[p.text.index("、") + 1:]
        elif heading:
            under.setdefault(heading, []).append(p.text)
    assert under["审查意见和修改建议"] == [f"{n}．{t}" for n, t in enumerate(final_items, 1)]
    assert under["总体意见"] == ["报告结构完整，数据较充实；个别表述和格式需修改。"]
    total = machine + points - 2
    shown = str(int(total)) if float(total).is_integer() else f"{total:g}"
    assert f"审查得分：{shown}分（满分100分）" in [p.text for p in paragraphs]
    assert any("审查人员减2分（部分数据与统计公报不一致）" in p.text for p in paragraphs)

    assert rev.js_errors == []
    for name in ("opinion-editor.png", "opinion-misfires.png"):
        assert (shots / name).stat().st_size > 20_000
