"""The yearly cycle on real databases (SQLite in tmp_path; PostgreSQL when FAZHI_TEST_PG_URL is set)
with the real sample reports uploaded as bytes."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import PG_URL, reset_pg, sample_path

from fazhi.corpus.store import open_corpus

PASSWORD = "correct-horse-1"


def _url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'cycle.db'}"
    reset_pg(PG_URL)
    return PG_URL


def _make(url: str):
    from fazhi.cycle import Cycle

    return Cycle(open_corpus(url))


@pytest.fixture
def cycle(tmp_path):
    c = _make(_url("sqlite", tmp_path))
    yield c
    c.corpus.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.needs("postgresql"))])
def any_cycle(request, tmp_path):
    """The key tests run on both backends."""
    c = _make(_url(request.param, tmp_path))
    yield c
    c.corpus.close()
    if request.param == "postgresql":
        reset_pg(PG_URL)


def sample(prefix: str) -> tuple[str, bytes]:
    p = sample_path(prefix)
    return p.name, p.read_bytes()


def text_of(cycle, report_id: int) -> str:
    return cycle.corpus.get(report_id)["text"]


def findings_of(cycle, report_id: int) -> list[dict]:
    return cycle.corpus.report_dict(report_id)["findings"]


@pytest.fixture
def reviewer(cycle):
    return cycle.add_user("li", PASSWORD, "reviewer", display_name="李审核")


# ---------------------------------------------------------------- uploading
def test_reviewer_upload_assigns_the_unit_from_the_issuer(any_cycle):
    cycle = any_cycle
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    up = cycle.upload(rev, *sample("000"))
    row = cycle.corpus.get(up["report_id"])
    assert up["unit_name"] == row["issuer"] == "中共蓬溪县红江镇委员会"
    assert (up["year"], up["status"], up["version"], up["duplicate"]) == (2023, "submitted", 1, False)
    unit = cycle.unit(up["unit_id"])
    assert unit["unit_key"] == row["unit_key"] and unit["level"] == row["level"] == "乡镇街道"
    other = cycle.upload(rev, *sample("003"))
    assert other["unit_id"] != up["unit_id"] and other["year"] == 2021
    again = cycle.upload(rev, *sample("000"))  # same bytes: no new report, no new version
    assert (again["report_id"], again["submission_id"], again["version"], again["duplicate"]) == \
        (up["report_id"], up["submission_id"], 1, True)
    assert len(cycle.submission(up["submission_id"])["versions"]) == 1
    assert cycle.original(up["report_id"]) == sample("000")
    # a reviewer may name the unit and year explicitly
    named = cycle.add_unit("某某县人民政府", level="区县")
    forced = cycle.upload(rev, *sample("002"), unit_id=named["id"], year=2026)
    assert (forced["unit_name"], forced["year"]) == ("某某县人民政府", 2026)
    assert len(cycle.units()) == 3


def test_a_unit_account_always_uploads_for_its_own_unit(any_cycle):
    from fazhi.cycle import AccessDenied

    cycle = any_cycle
    a = cycle.add_user("hj", PASSWORD, "unit", unit_name="中共蓬溪县红江镇委员会")
    b_unit = cycle.add_unit("大王古庄镇人民政府")
    up = cycle.upload(a, *sample("002"))  # another unit's report, uploaded by unit A: stays A's
    assert up["unit_id"] == a["unit_id"] and up["unit_name"] == "中共蓬溪县红江镇委员会"
    assert cycle.unit(b_unit["id"])["unit_key"] is None  # a unit's upload does not re-key other units
    with pytest.raises(AccessDenied, match="本单位"):
        cycle.upload(a, *sample("000"), unit_id=b_unit["id"])
    with pytest.raises(AccessDenied, match="登录"):
        cycle.upload(None, *sample("000"))
    assert cycle.submissions(unit_id=b_unit["id"]) == []


def test_bad_upload_is_one_line_naming_the_file_and_changes_nothing(cycle, reviewer):
    from fazhi.cycle import CycleError

    with pytest.raises(CycleError) as e:
        cycle.upload(reviewer, "../../etc/空的.txt", b"   \n")
    assert str(e.value) == "空的.txt：文件为空" and "\n" not in str(e.value)
    with pytest.raises(CycleError, match="损坏.docx"):
        cycle.upload(reviewer, "损坏.docx", b"PK\x03\x04 this is not a zip")
    assert cycle.submissions() == [] and cycle.corpus.size() == 0
    assert [r for r in cycle.audit_log() if r["action"] == "upload"] == []


def test_a_copy_of_another_units_report_is_refused(cycle, reviewer):
    from fazhi.cycle import CycleError

    cycle.upload(reviewer, *sample("004"))
    b = cycle.add_user("gx", PASSWORD, "unit", unit_name="中共重庆市潼南区古溪镇委员会")
    with pytest.raises(CycleError, match="其他单位"):
        cycle.upload(b, "mine.txt", sample("004")[1])
    assert cycle.submissions(unit_id=b["unit_id"]) == []


# ---------------------------------------------------------------- statuses
ACTIONS = ("return", "approve", "publish", "upload")
ALLOWED = {"submitted": {"return", "approve", "upload"}, "returned": {"upload"},
           "approved": {"return", "publish"}, "published": set()}


def _act(cycle, user, sid: int, action: str):
    if action == "return":
        return cycle.return_(user, sid, [], note="请修改")
    if action == "upload":
        return cycle.upload(user, "v.txt", sample("000")[1] + f"\n{datetime.now().isoformat()}\n".encode())
    if action == "publish":
        return cycle.publish(user, sid, secrecy_checked=True)
    return getattr(cycle, action)(user, sid)


def _drive(cycle, user, status: str) -> int:
    """A fresh submission of sample 000 brought to `status` along the legal path."""
    sid = cycle.upload(user, *sample("000"))["submission_id"]
    path = {"submitted": [], "returned": ["return"], "approved": ["approve"],
            "published": ["approve", "publish"]}[status]
    for action in path:
        _act(cycle, user, sid, action)
    assert cycle.submission(sid)["status"] == status
    return sid


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_illegal_transition_raises_and_changes_nothing(tmp_path, status):
    from fazhi.cycle import CycleError

    cycle = _make(_url("sqlite", tmp_path))
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    sid = _drive(cycle, rev, status)
    before, stored = cycle.submission(sid), cycle.corpus.size()
    for action in sorted(set(ACTIONS) - ALLOWED[status]):
        with pytest.raises(CycleError):
            _act(cycle, rev, sid, action)
        assert cycle.submission(sid) == before, action
        assert cycle.corpus.size() == stored, action  # a refused upload leaves no report behind
    cycle.corpus.close()
    for action in sorted(ALLOWED[status]):  # and the legal ones go through, each from a fresh database
        (tmp_path / action).mkdir()
        fresh = _make(_url("sqlite", tmp_path / action))
        rev = fresh.add_user("li", PASSWORD, "reviewer")
        sid = _drive(fresh, rev, status)
        _act(fresh, rev, sid, action)
        expected = {"return": "returned", "approve": "approved", "publish": "published", "upload": "submitted"}
        assert fresh.submission(sid)["status"] == expected[action]
        fresh.corpus.close()


def test_full_chain_with_return_resubmit_approve_publish(any_cycle):
    from fazhi.cycle import STATUS_LABELS, AccessDenied

    cycle = any_cycle
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    unit = cycle.add_user("hj", PASSWORD, "unit", unit_name="中共蓬溪县红江镇委员会")
    up = cycle.upload(unit, *sample("000"))
    sid = up["submission_id"]
    for forbidden in (lambda: cycle.approve(unit, sid), lambda: cycle.publish(unit, sid, secrecy_checked=True),
                      lambda: cycle.return_(unit, sid, [], note="x"), lambda: cycle.approve(None, sid)):
        with pytest.raises(AccessDenied):
            forbidden()
    text = text_of(cycle, up["report_id"])
    flagged = next(f for f in findings_of(cycle, up["report_id"]) if f["rule"] == "formulation-standard")
    s = cycle.return_(rev, sid, [{"start": flagged["start"], "end": flagged["end"], "body": "请规范表述"}])
    assert (s["status"], s["status_label"]) == ("returned", STATUS_LABELS["returned"]) == ("returned", "退回修改")
    assert s["comments"][0]["quote"] == text[flagged["start"]:flagged["end"]] == "法制讲座"
    assert s["comments"][0]["author"] == "li"
    fixed = cycle.upload(unit, "v2.txt", _repair_formulations(text, findings_of(cycle, up["report_id"])))
    assert (fixed["submission_id"], fixed["version"], fixed["status"]) == (sid, 2, "submitted")
    assert cycle.approve(rev, sid)["status"] == "approved"
    done = cycle.publish(rev, sid, secrecy_checked=True)
    assert done["status"] == "published" and done["report_id"] == fixed["report_id"]
    assert [v["report_id"] for v in done["versions"]] == [up["report_id"], fixed["report_id"]]
    assert [v["submitted_by"] for v in done["versions"]] == ["hj", "hj"]
    assert done["comments"][0]["report_id"] == up["report_id"]  # comments stay on the version they quote
    assert cycle.submission_of_report(up["report_id"])["id"] == sid
    assert cycle.submission_of_report(fixed["report_id"])["id"] == sid
    statuses = [(r["detail"]["from"], r["detail"]["to"]) for r in reversed(cycle.audit_log())
                if r["action"] == "status"]
    assert statuses == [("pending", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
                        ("submitted", "approved"), ("approved", "published")]


def test_return_comments_quote_the_text_and_bad_spans_are_refused(cycle, reviewer):
    from fazhi.cycle import CycleError

    up = cycle.upload(reviewer, *sample("001"))
    text = text_of(cycle, up["report_id"])
    spans = [f for f in findings_of(cycle, up["report_id"]) if f["start"] is not None][:3]
    sid = up["submission_id"]
    for bad, why in (([{"start": 5, "end": len(text) + 1, "body": "x"}], "超出"),
                     ([{"start": 9, "end": 9, "body": "x"}], "超出"),
                     ([{"start": "a", "end": 3, "body": "x"}], "位置无效"),
                     ([{"start": 1, "end": 3, "body": "  "}], "不能为空"),
                     ([], "至少")):
        with pytest.raises(CycleError, match=why):
            cycle.return_(reviewer, sid, bad)
        assert cycle.submission(sid)["status"] == "submitted" and cycle.submission(sid)["comments"] == []
    s = cycle.return_(reviewer, sid, [{"start": f["start"], "end": f["end"], "body": f["message"]} for f in spans],
                      note="请一并补充落款和成文日期。")
    assert [c["quote"] for c in s["comments"][:3]] == [text[f["start"]:f["end"]] for f in spans]
    assert s["comments"][3]["start"] is None and s["comments"][3]["body"].startswith("请一并补充")


# ---------------------------------------------------------------- diff of findings
def _repair_formulations(text: str, findings: list[dict]) -> bytes:
    """The text with every flagged non-standard formulation replaced by the right form that
    src/fazhi/data/formulations.yaml gives for it (only at the flagged spans)."""
    from importlib import resources

    import yaml

    data = yaml.safe_load((resources.files("fazhi") / "data" / "formulations.yaml").read_text(encoding="utf-8"))
    right = {w: e["right"] for e in data["entries"] for w in e["wrong"] if "（" not in e["right"]}
    for f in sorted((f for f in findings if f["rule"] == "formulation-standard"), key=lambda f: -f["start"]):
        quote = text[f["start"]:f["end"]]
        if quote in right:
            text = text[:f["start"]] + right[quote] + text[f["end"]:]
    return text.encode("utf-8")


def test_a_repaired_version_lists_the_findings_it_fixed(any_cycle):
    cycle = any_cycle
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    old = cycle.upload(rev, *sample("000"))
    old_findings = findings_of(cycle, old["report_id"])
    text = text_of(cycle, old["report_id"])
    cycle.return_(rev, old["submission_id"], [], note="请规范表述")
    new = cycle.upload(rev, "repaired.txt", _repair_formulations(text, old_findings))
    d = cycle.findings_diff(old["report_id"], new["report_id"])
    flagged = [f for f in old_findings if f["rule"] == "formulation-standard"]
    assert flagged and d["fixed"] == flagged and d["new"] == []
    assert len(d["kept"]) == len(old_findings) - len(flagged) == len(findings_of(cycle, new["report_id"]))
    # offsets after the repair moved, yet the later findings are matched as kept
    moved = [f for f in d["kept"] if f["start"] is not None and f["start"] > flagged[0]["start"]]
    assert moved and all(f not in old_findings for f in moved)
    back = cycle.findings_diff(new["report_id"], old["report_id"])  # the other way round: it is new
    assert back["new"] == flagged and back["fixed"] == []


def test_adding_the_missing_signature_and_date_fixes_spanless_findings(cycle, reviewer):
    old = cycle.upload(reviewer, *sample("001"))
    text = text_of(cycle, old["report_id"])
    issuer = cycle.corpus.get(old["report_id"])["issuer"]
    repaired = text.rstrip() + f"\n\n{issuer}\n2022年1月10日\n"
    new = cycle.upload(reviewer, "signed.txt", repaired.encode("utf-8"))
    d = cycle.findings_diff(old["report_id"], new["report_id"])
    assert {f["rule"] for f in d["fixed"]} == {"date-missing", "signature-missing"}
    assert all(f["start"] is None for f in d["fixed"]) and d["new"] == []
    assert new["version"] == 2 and new["submission_id"] == old["submission_id"]


def test_diff_pairs_identical_words_one_to_one():
    from fazhi.cycle.diff import diff_findings

    f = lambda s, e: {"rule": "formulation-standard", "start": s, "end": e, "message": "m"}
    old = {"text": "法制宣传和法制宣传", "findings": [f(0, 4), f(5, 9)]}
    new = {"text": "法治宣传教育和法制宣传", "findings": [f(7, 11)]}
    d = diff_findings(old, new)
    assert len(d["fixed"]) == 1 and len(d["kept"]) == 1 and d["new"] == []
    assert diff_findings(old, old) == {"fixed": [], "new": [], "kept": old["findings"]}


# ---------------------------------------------------------------- periods, overview, lateness
def test_period_deadlines_default_to_the_rubric(cycle):
    from fazhi.cycle import CycleError
    from fazhi.review.rubric import load_rubric

    p = cycle.add_period(2025)
    assert p["deadlines"] == {lv: f"2026-{d.submit}" for lv, d in load_rubric().deadlines.items()}
    assert p["deadlines"]["省"] == "2026-04-01" and p["deadlines"]["区县"] == "2026-03-01"
    assert cycle.add_period(2025) == p  # idempotent
    changed = cycle.add_period(2025, {"区县": "2026-02-20"})
    assert changed["id"] == p["id"] and changed["deadlines"]["区县"] == "2026-02-20"
    for bad, why in (({"国家": "2026-01-01"}, "未知层级"), ({"区县": "2026-02-30"}, "无效"),
                     ({"区县": "2026/02/01"}, "无效")):
        with pytest.raises(CycleError, match=why):
            cycle.add_period(2025, bad)
    assert [x["year"] for x in cycle.periods()] == [2025]


def test_overview_marks_who_is_late(any_cycle):
    cycle = any_cycle
    rev = cycle.add_user("li", PASSWORD, "reviewer")
    on_time = cycle.upload(rev, *sample("000"))  # 乡镇街道, report year 2023, submitted now
    cycle.add_unit("某某县人民政府", level="区县")
    cycle.add_unit("层级未定的单位")  # no level: the 区县 deadline applies
    cycle.add_unit("某某市人民政府", level="地市")
    cycle.add_period(2023, {"乡镇街道": "2999-03-01", "区县": "2999-03-03", "地市": "2999-03-10"})
    rows = {r["unit_name"]: r for r in cycle.overview(2023, today=date(2999, 3, 5))}
    assert set(rows) == {u["name"] for u in cycle.units()}
    sub = rows["中共蓬溪县红江镇委员会"]
    assert (sub["status"], sub["late"], sub["days_late"], sub["submission_id"]) == \
        ("submitted", False, None, on_time["submission_id"])
    assert (rows["某某县人民政府"]["late"], rows["某某县人民政府"]["days_late"]) == (True, 2)
    assert rows["某某县人民政府"]["status_label"] == "待提交"
    assert (rows["层级未定的单位"]["deadline"], rows["层级未定的单位"]["days_late"]) == ("2999-03-03", 2)
    assert (rows["某某市人民政府"]["late"], rows["某某市人民政府"]["days_late"]) == (False, None)
    early = {r["unit_name"]: r["late"] for r in cycle.overview(2023, today=date(2999, 3, 1))}
    assert not any(early.values())
    # a period opened after its deadline records a past year: nobody is late, however late the upload
    cycle.add_period(2023, {"乡镇街道": "2024-03-01"})
    past = next(r for r in cycle.overview(2023, today=date(2024, 1, 1)) if r["submission_id"])
    assert (past["late"], past["days_late"], past["lateness_tracked"]) == (False, None, False)
    assert cycle.submission(on_time["submission_id"])["late"] is False
    # opened in time (on 2024-01-10), a first submission after the deadline is late whatever "today" is
    from sqlalchemy import update

    from fazhi.cycle.models import PeriodRow

    with cycle.engine.begin() as conn:
        conn.execute(update(PeriodRow).where(PeriodRow.year == 2023).values(created_at=datetime(2024, 1, 10)))
    late = next(r for r in cycle.overview(2023, today=date(2024, 1, 1)) if r["submission_id"])
    assert late["late"] and late["lateness_tracked"]
    assert late["days_late"] >= (date.today() - date(2024, 3, 2)).days
    assert cycle.submission(on_time["submission_id"])["late"] is True
    # a year without a period asked nobody: listed, nobody late
    rows = cycle.overview(1999, today=date(2999, 1, 1))
    assert rows[0]["submission_id"] is None and not any(r["late"] or r["lateness_tracked"] for r in rows)


def test_lateness_counts_beijing_dates():
    from fazhi.cycle.deadlines import deadline_for, lateness, tracked

    deadline = deadline_for("区县", 2025)
    assert deadline == date(2026, 3, 1) and deadline_for(None, 2025) == deadline
    assert deadline_for("省", 2025) == date(2026, 4, 1)
    assert lateness(deadline, datetime(2026, 3, 1, 15, 59), date(2030, 1, 1)) == (False, None)  # 23:59 北京
    assert lateness(deadline, datetime(2026, 3, 1, 16, 0), date(2020, 1, 1)) == (True, 1)  # 次日 00:00
    assert lateness(deadline, None, date(2026, 3, 1)) == (False, None)
    assert lateness(deadline, None, date(2026, 3, 11)) == (True, 10)
    # a period opened on its deadline day (Beijing time) counts lateness; opened a day later does not
    assert tracked(datetime(2026, 3, 1, 15, 59), deadline) and not tracked(datetime(2026, 3, 1, 16, 0), deadline)
    assert not tracked(None, deadline)


def test_submissions_filter_by_year_status_unit_level(cycle, reviewer):
    ups = {p: cycle.upload(reviewer, *sample(p)) for p in ("000", "001", "003")}
    assert {s["year"] for s in cycle.submissions(year=2021)} == {2021}
    assert len(cycle.submissions(year=2021)) == 2
    cycle.approve(reviewer, ups["001"]["submission_id"])
    assert [s["id"] for s in cycle.submissions(status="approved")] == [ups["001"]["submission_id"]]
    assert [s["unit_id"] for s in cycle.submissions(unit_id=ups["003"]["unit_id"])] == [ups["003"]["unit_id"]]
    assert {s["level"] for s in cycle.submissions(level="乡镇街道")} == {"乡镇街道"}
    assert len(cycle.submissions(level="乡镇街道")) == 2
    assert cycle.submission(9999) is None and cycle.submission_of_report(9999) is None
