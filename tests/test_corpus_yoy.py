"""Year-over-year diff (fazhi.corpus.yoy), the side-by-side HTML (fazhi.render.compare) and
`fazhi corpus diff`, on a "next year" report built from a real sample: years +1, a few counts
changed, one paragraph edited, one rewritten, one dropped, one added."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import sample_text

import fazhi
from fazhi.corpus.copies import copy_ratios, match_stored
from fazhi.corpus.store import open_corpus
from fazhi.corpus.yoy import previous_report, year_over_year
from fazhi.render.compare import copy_pair_html, side_by_side_html

FAZHI = str(Path(sys.executable).with_name("fazhi"))
COUNT = re.compile(r"(?<![\d.])(\d{1,3})(?=[次件场人个家条期])")
CLAUSE = "同时建立季度法治工作例会制度，定期听取各部门依法行政情况汇报。"
REWRITTEN = ("围绕乡村振兴重点任务，对涉农资金使用、集体资产处置和宅基地审批开展专项合法性审查，"
             "逐项列出问题清单并限期整改，整改情况在政务公开栏公示，接受群众监督。")
ADDED = ("本年度新建公共法律服务工作站一个，聘请执业律师担任驻站顾问，全年接待群众法律咨询，"
         "办理法律援助案件，群众满意度明显提升。<script>alert('x')</script>")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|@import|<link\b""", re.IGNORECASE)


@dataclass
class Planted:
    text: str
    numbers: list[tuple[str, str, int]] = field(default_factory=list)  # old, new, start in text
    edited: str = ""  # the edited line as it stands this year
    dropped: str = ""  # last year's lines with no counterpart
    rewritten_old: str = ""
    recycled_chars: int = 0  # prose characters of the lines kept from last year


def _shift_years(s: str) -> str:
    return re.sub(r"20[12]\d", lambda m: str(int(m.group()) + 1), s)


def prose_chars(line: str) -> int:
    """Characters of a line that count as prose: a heading's title and short lines do not,
    nor the closing punctuation."""
    s = line.strip()
    if HEADING.match(s):
        s = s[s.find("。") + 1:] if "。" in s else ""
    s = s.rstrip("。；;，,:：")
    return len(s) if len(re.sub(r"\W", "", s)) >= 12 else 0


def next_year(last: str) -> Planted:
    """A plausible next-year report of the same unit, and what was planted in it."""
    lines = [_shift_years(ln) for ln in last.split("\n")]
    prose = [i for i, ln in enumerate(lines) if len(ln.strip()) >= 80]
    with_counts = [i for i in prose if COUNT.search(lines[i])][:2]
    rest = [i for i in prose if i not in with_counts]
    edit, add_after, drop, rewrite = rest[0], rest[1], rest[-2], rest[-1]
    p = Planted("")
    p.dropped, p.rewritten_old = last.split("\n")[drop], last.split("\n")[rewrite]
    changed_at: dict[int, tuple[int, str, str]] = {}
    for i in with_counts:
        m = COUNT.search(lines[i])
        new = str(int(m.group(1)) + 7)
        changed_at[i] = (m.start(1), m.group(1), new)
        lines[i] = lines[i][:m.start(1)] + new + lines[i][m.end(1):]
    cut = lines[edit].find("。") + 1 or len(lines[edit])
    lines[edit] = lines[edit][:cut] + CLAUSE + lines[edit][cut:]
    p.edited = lines[edit]
    lines[rewrite] = REWRITTEN
    out, pos = [], 0
    for i, ln in enumerate(lines):
        if i == drop:
            continue
        if i in changed_at:
            col, old, new = changed_at[i]
            p.numbers.append((old, new, pos + col))
        if i != rewrite:
            p.recycled_chars += prose_chars(ln)
        out.append(ln)
        pos += len(ln) + 1
        if i == add_after:
            out.append(ADDED)
            pos += len(ADDED) + 1
    p.text = "\n".join(out)
    return p


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A SQLite corpus: 红江镇 2023 (the sample), its 2024 report, and 宝梵镇 2023 (another unit,
    same text, stored last)."""
    d = tmp_path_factory.mktemp("yoy")
    last = sample_text("000")
    planted = next_year(last)
    other = last.replace("红江镇", "宝梵镇")
    for name, text in (("2023.txt", last), ("2024.txt", planted.text), ("other.txt", other)):
        (d / name).write_text(text, encoding="utf-8")
    db = d / "c.db"
    with open_corpus(db) as c:
        ids = {n: c.add(fazhi.analyze(d / f"{n}.txt"))[0] for n in ("2023", "2024", "other")}
        rows = {n: c.get(i) for n, i in ids.items()}
    return d, db, ids, rows, planted


@pytest.fixture(scope="module")
def diff(world):
    _d, db, ids, _rows, _p = world
    with open_corpus(db) as c:
        return year_over_year(c, ids["2024"], copies=match_stored(c, ids["2024"]))


def test_previous_report_is_the_same_unit_never_another(world):
    _d, db, ids, rows, _p = world
    assert rows["2024"]["report_year"] == 2024 and rows["2023"]["report_year"] == 2023
    assert rows["other"]["report_year"] == 2023 and rows["other"]["unit_key"] != rows["2023"]["unit_key"]
    with open_corpus(db) as c:
        assert previous_report(c, ids["2024"]) == ids["2023"]
        assert previous_report(c, ids["2023"]) is None
        # 宝梵镇 has the very same text a year earlier, but it is another unit: never paired
        assert year_over_year(c, ids["other"]) is None
        assert year_over_year(c, ids["2023"]) is None
        # asked for explicitly, another unit's report is compared but flagged
        forced = year_over_year(c, ids["2024"], ids["other"])
        assert forced.same_unit is False and forced.previous.id == ids["other"]
        with pytest.raises(KeyError):
            year_over_year(c, 999)


def test_changed_numbers_old_to_new_at_their_spans(diff, world):
    planted = world[4]
    text = diff.this.text
    found = [(c.old_text, c.new_text, c.new_start) for c in diff.number_changes()
             if not re.fullmatch(r"20\d\d", c.old_text)]
    assert found == planted.numbers
    for c in diff.number_changes():
        assert text[c.new_start:c.new_end] == c.new_text
        assert diff.previous.text[c.old_start:c.old_end] == c.old_text
    years = [c for c in diff.number_changes() if re.fullmatch(r"20\d\d", c.old_text)]
    assert years and all(int(c.new_text) == int(c.old_text) + 1 for c in years)
    # a paragraph whose only change is a number stays "same"
    (row,) = [r for r in diff.rows if r.start is not None and r.start <= planted.numbers[0][2] < r.end]
    assert row.status == "same" and any(c.number for c in row.changes)


def test_edited_rewritten_dropped_and_added_paragraphs(diff, world):
    planted = world[4]
    text, old = diff.this.text, diff.previous.text
    by_text = {text[r.start:r.end]: r for r in diff.paragraphs()}
    edited = by_text[planted.edited.strip()]
    assert edited.status == "changed" and not edited.moved
    (ins,) = [c for c in edited.changes if not c.number]
    assert ins.op == "insert" and text[ins.new_start:ins.new_end] == CLAUSE.rstrip("。")
    assert by_text[REWRITTEN].status == "new" and by_text[ADDED.strip()].status == "new"
    removed = {old[r.prev_start:r.prev_end] for r in diff.rows if r.status == "removed"}
    assert removed == {planted.dropped.strip(), planted.rewritten_old.strip()}
    assert diff.counts() == {"same": len(diff.rows) - 5, "changed": 1, "new": 2, "removed": 2}
    assert json.loads(json.dumps(diff.to_dict(), ensure_ascii=False))["counts"]["removed"] == 2
    # rows keep this year's order
    starts = [r.start for r in diff.paragraphs()]
    assert starts == sorted(starts)


def test_ratio_matches_what_was_planted_and_copy_ratios(diff, world):
    _d, db, ids, rows, planted = world
    expected = planted.recycled_chars / len(planted.text.strip())
    assert diff.ratio == pytest.approx(expected, abs=0.03)
    assert 0.5 < diff.ratio < 0.99
    with open_corpus(db) as c:
        copies = match_stored(c, ids["2024"])
    assert diff.ratio == pytest.approx(copy_ratios(copies, rows["2024"]["body_chars"])["recycling"], abs=0.02)


def test_diff_is_fast_on_two_ten_thousand_character_reports(tmp_path):
    last = sample_text("004")
    planted = next_year(last)
    (tmp_path / "a.txt").write_text(last, encoding="utf-8")
    (tmp_path / "b.txt").write_text(planted.text, encoding="utf-8")
    with open_corpus(tmp_path / "c.db") as c:
        c.add(fazhi.analyze(tmp_path / "a.txt"))
        rid, _ = c.add(fazhi.analyze(tmp_path / "b.txt"))
        year_over_year(c, rid)  # warm up imports
        t = time.perf_counter()
        d = year_over_year(c, rid)
        elapsed = time.perf_counter() - t
    assert len(d.this.text) > 8000 and d.counts()["new"] == 2
    assert elapsed < 1.0, elapsed  # about 0.07 s on an idle 2-core machine


def test_side_by_side_html_escapes_report_text_and_is_self_contained(diff):
    page = side_by_side_html(diff)
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert not EXTERNAL.search(page)
    assert "上一年度" in page and "本年度" in page and f"{diff.ratio * 100:.1f}%" in page
    assert page.count('class="st-removed') == 2 and page.count('class="st-new') == 2
    num = next(c for c in diff.number_changes() if not re.fullmatch(r"20\d\d", c.old_text))
    assert f'<span class="num" title="上一年度为：{num.old_text}">{num.new_text}</span>' in page
    assert f'<span class="num" title="本年度为：{num.new_text}">{num.old_text}</span>' in page
    assert f'<span class="ins">{CLAUSE.rstrip("。")}</span>' in page
    frag = side_by_side_html(diff, standalone=False)
    assert frag.lstrip().startswith('<div class="fz-compare') and "<html" not in frag and "<body" not in frag
    assert "<script>alert" not in frag


def test_copy_pair_links_shared_passages_both_ways(world):
    _d, db, ids, _rows, _p = world
    with open_corpus(db) as c:
        copies = match_stored(c, ids["2024"])
        page = copy_pair_html(c, ids["2024"], ids["other"], copies)
        frag = copy_pair_html(c, ids["2024"], ids["other"], copies, standalone=False)
    shared = [e for e in copies if e["other"]["id"] == ids["other"]]
    assert shared and {e["kind"] for e in shared} == {"copying"}
    assert not EXTERNAL.search(page) and "<script>alert" not in page and "&lt;script&gt;alert(" in page
    hrefs = re.findall(r'href="#([^"]+)"', page)
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert len([h for h in hrefs if "r" in h.split("-")[-1]]) >= len(shared)
    assert set(hrefs) <= anchors  # every link lands on a passage on the other side
    assert "宝梵镇" in page and "红江镇" in page and "重复" in page
    assert frag.lstrip().startswith('<div class="fz-compare') and "<html" not in frag


@pytest.mark.needs("chromium")
def test_copy_pair_click_scrolls_the_other_column(world, tmp_path):
    import playwright.sync_api as playwright
    _d, db, ids, _rows, _p = world
    with open_corpus(db) as c:
        page_html = copy_pair_html(c, ids["2024"], ids["other"], match_stored(c, ids["2024"]))
    f = tmp_path / "pair.html"
    f.write_text(page_html, encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1200, "height": 700})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f.as_uri())
        right = page.locator(".fz-col").nth(1)
        links = page.locator(".fz-col").nth(0).locator("a.fz-link")
        target = links.nth(links.count() - 1)  # the last shared passage: far down the right column
        before = right.evaluate("e => e.scrollTop")
        target.scroll_into_view_if_needed()
        target.click()
        page.wait_for_timeout(800)
        after = right.evaluate("e => e.scrollTop")
        browser.close()
    assert after > before + 100
    assert all(u.startswith("file:") for u in requests)


def test_cli_writes_html_and_summarises(world, tmp_path):
    _d, db, ids, _rows, planted = world
    out = tmp_path / "diff.html"
    r = subprocess.run([FAZHI, "corpus", "diff", str(ids["2024"]), "--db", str(db), "-o", str(out)],
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "已写入" in r.stderr and "沿用比例" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["diff.html"]  # no temp file left behind
    s = subprocess.run([FAZHI, "corpus", "diff", str(ids["2024"]), "--db", str(db)],
                       check=False, capture_output=True, text=True, timeout=60)
    assert s.returncode == 0, s.stderr
    old, new, _ = planted.numbers[0]
    assert "沿用比例" in s.stdout and "修改 1，新增 2，删除 2" in s.stdout
    assert f"{old} → {new}" in s.stdout


def test_cli_fails_cleanly_without_a_previous_year(world):
    _d, db, ids, _rows, _p = world
    reasons = {}
    for rid in (ids["other"], 999):
        r = subprocess.run([FAZHI, "corpus", "diff", str(rid), "--db", str(db)],
                           check=False, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and r.stdout == ""
        (line,) = r.stderr.strip().splitlines()
        assert line.startswith("错误：") and "Traceback" not in r.stderr
        reasons[rid] = line
    assert "没有同一单位更早年度的报告" in reasons[ids["other"]]
    assert "没有编号为 999 的报告" in reasons[999]
