"""Access control of the web app, route by route.

Every route of the app is enumerated (so a new route cannot escape): a unit account must not
read another unit's unpublished report or submission, and a logged-out client must read nothing
unpublished. Each route with an id parameter is called with the forbidden id; the answer must
be 404 (or 401 / 303-to-login for a logged-out client, 403 for a role check) and must never
contain the forbidden report's text. A published report is the positive control.
"""
from __future__ import annotations

import itertools
import re

import pytest

from conftest import sample_path

PASSWORD = "test-password-1"
# path parameters the test knows how to fill; a route with any other parameter fails the test
ID_PARAMS = {"report_id", "other_id", "submission_id"}
OTHER_PARAMS = {"year": ["{year}"], "action": ["return", "approve", "publish", "withdraw", "publication", "unpublish",
                                             "assign", "claim"], "draft_id": ["1"], "username": ["rev"],
                "fmt": ["csv", "xlsx"], "job_id": ["no-such-job"],
                "attachment_id": ["1"], "unit_id": ["1"],  # notices (H1): a notice's attachment; a unit's messages
                "issue_id": ["1"]}  # 问题池 (H2): issue 1 is raised from B's return, so it must not leak


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client.get("/api/me").json()["csrf_token"]


def marker(text: str) -> str:
    """A distinctive run of the report's body (a long line from its middle)."""
    lines = sorted((ln.strip() for ln in text.splitlines() if len(ln.strip()) > 40), key=len)
    return lines[len(lines) // 2][5:35]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from fastapi.testclient import TestClient

    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("web") / "access.db"))
    cycle = app.state.cycle
    reviewer = cycle.add_user("rev", PASSWORD, "reviewer")
    # two versions of one unit's report first, so report ids and submission ids differ below
    first = cycle.upload(reviewer, sample_path("003").name, sample_path("003").read_bytes())
    cycle.upload(reviewer, sample_path("004").name, sample_path("004").read_bytes(), unit_id=first["unit_id"],
                 year=first["year"])
    ups = {}
    for prefix in ("000", "001", "002"):
        p = sample_path(prefix)
        ups[prefix] = cycle.upload(reviewer, p.name, p.read_bytes())
    cycle.add_user("unit_a", PASSWORD, "unit", unit_name=ups["000"]["unit_name"])
    cycle.add_user("unit_b", PASSWORD, "unit", unit_name=ups["001"]["unit_name"])
    # B's report gets a review comment (so there is something more to leak), C's is published
    b = ups["001"]
    cycle.return_(reviewer, b["submission_id"], [{"start": 0, "end": 10, "body": "机密审查意见甲乙丙"}])
    cycle.approve(reviewer, ups["002"]["submission_id"])
    cycle.publish(reviewer, ups["002"]["submission_id"], secrecy_checked=True)
    texts = {k: app.state.corpus.report_dict(u["report_id"])["text"] for k, u in ups.items()}
    return {"app": app, "ups": ups, "texts": texts, "client": lambda: TestClient(app)}


def flat_routes(routes):
    """Every route, with included routers opened (FastAPI >= 0.160 keeps them as one entry)."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()  # each has .path and .methods
        else:
            yield route


def route_calls(app, ids: dict[str, int], forbidden: dict[str, int], year: int):
    """(method, url, refers to a forbidden id) for every route of the app, path parameters
    filled; fails on a parameter it does not know."""
    from starlette.routing import Mount

    calls = []
    for route in flat_routes(app.routes):
        if isinstance(route, Mount):
            calls.append(("GET", route.path + "/app.css", False))
            continue
        params = set(re.findall(r"{(\w+)(?::\w+)?}", route.path))
        unknown = params - ID_PARAMS - set(OTHER_PARAMS)
        assert not unknown, f"{route.path}: 访问控制测试不认识参数 {unknown}，请补充"
        refers = any(ids[name] == forbidden[name] for name in params & ID_PARAMS)
        names = sorted(params)
        choices = [[ids[n]] if n in ID_PARAMS else [v.format(year=year) for v in OTHER_PARAMS[n]] for n in names]
        for values in itertools.product(*choices):
            url = route.path
            for name, value in zip(names, values):
                url = re.sub(r"{%s(?::\w+)?}" % name, str(value), url)
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    calls.append((method, url, refers))
    return calls


def call(client, method: str, url: str, token: str | None):
    headers = {"X-CSRF-Token": token} if token else {}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    data = {"csrf_token": token} if token else {}
    if url.startswith("/api/") and url.endswith("/return"):
        return client.post(url, headers=headers, json={"comments": [], "note": "x"}, follow_redirects=False)
    return client.post(url, headers=headers, data=data, follow_redirects=False)


def forbidden_ids(ups: dict, own: str | None) -> list[dict[str, int]]:
    """Id fillings that must all be refused: B's report/submission in every id slot."""
    b = ups["001"]
    ok = ups[own] if own else ups["002"]
    return [{"report_id": b["report_id"], "other_id": ok["report_id"], "submission_id": b["submission_id"]},
            {"report_id": ok["report_id"], "other_id": b["report_id"], "submission_id": b["submission_id"]}]


def assert_refused(r, method: str, url: str, logged_in: bool, secret: str, refs_b: bool):
    assert secret not in r.text, f"{method} {url} 泄露了他人未公开报告的正文"
    assert "机密审查意见甲乙丙" not in r.text, f"{method} {url} 泄露了审查意见"
    if not refs_b:
        return
    allowed = {404} if logged_in else {404, 401, 303}
    assert r.status_code in allowed, f"{method} {url} → {r.status_code}"
    if r.status_code == 303:
        assert r.headers["location"].startswith("/login")


@pytest.mark.parametrize("who", ["unit_a", None])
def test_every_route_refuses_other_units_unpublished_report(world, who):
    app, ups = world["app"], world["ups"]
    client = world["client"]()
    token = login(client, who) if who else csrf_of(client.get("/login").text)
    secret = marker(world["texts"]["001"])
    assert secret in world["texts"]["001"] and secret not in world["texts"]["000"]
    year = ups["001"]["year"]
    b = ups["001"]
    forbidden = {"report_id": b["report_id"], "other_id": b["report_id"], "submission_id": b["submission_id"]}
    checked = 0
    for ids in forbidden_ids(ups, "000" if who else None):
        for method, url, refers in route_calls(app, ids, forbidden, year):
            if url in ("/logout",):
                continue  # would end the session under test; it shows nothing
            r = call(client, method, url, token)
            assert_refused(r, method, url, who is not None, secret, refers)
            checked += 1
    assert checked > 40
    # the session is still the same user (no route logged it out or in as someone else)
    if who:
        assert client.get("/api/me").json()["user"]["username"] == who


def test_unit_lists_show_only_readable_reports(world):
    ups = world["ups"]
    client = world["client"]()
    login(client, "unit_a")
    ids = {r["id"] for r in client.get("/api/reports").json()}
    assert ids == {ups["000"]["report_id"], ups["002"]["report_id"]}  # own + published
    subs = client.get("/api/submissions").json()
    assert {s["id"] for s in subs} == {ups["000"]["submission_id"]}
    page = client.get("/reports").text
    assert f'data-report-id="{ups["001"]["report_id"]}"' not in page
    assert f'data-report-id="{ups["000"]["report_id"]}"' in page
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(client.get("/reports.xlsx").content))
    ws = wb.active
    listed = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert listed == {ups["000"]["report_id"], ups["002"]["report_id"]}


def test_logged_out_reads_published_only(world):
    ups, texts = world["ups"], world["texts"]
    client = world["client"]()
    assert {r["id"] for r in client.get("/api/reports").json()} == {ups["002"]["report_id"]}
    r = client.get(f"/reports/{ups['002']['report_id']}")
    assert r.status_code == 200 and marker(texts["002"]) in r.text  # positive control
    for prefix in ("000", "001"):
        rid = ups[prefix]["report_id"]
        assert client.get(f"/reports/{rid}").status_code == 404
        assert client.get(f"/api/reports/{rid}").status_code == 404
    assert client.get("/api/me").status_code == 401
    r = client.get("/upload", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_unit_reads_own_and_published_but_cannot_review(world):
    ups, texts = world["ups"], world["texts"]
    client = world["client"]()
    token = login(client, "unit_a")
    own = ups["000"]
    r = client.get(f"/reports/{own['report_id']}")
    assert r.status_code == 200 and marker(texts["000"]) in r.text
    assert 'id="approve-button"' not in r.text
    assert client.get(f"/reports/{ups['002']['report_id']}").status_code == 200
    # its own submission, but approving is a reviewer's action
    r = client.post(f"/api/submissions/{own['submission_id']}/approve", headers={"X-CSRF-Token": token})
    assert r.status_code == 403
    assert world["app"].state.cycle.submission(own["submission_id"])["status"] == "submitted"
    # Basic auth on the API with the wrong password is refused (401), never answered as a visitor
    import base64

    bad = base64.b64encode(b"unit_a:wrong-password").decode()
    anon = world["client"]()
    r = anon.get(f"/api/reports/{own['report_id']}", headers={"Authorization": f"Basic {bad}"})
    assert r.status_code == 401 and texts["000"][:200] not in r.text
    assert r.headers["www-authenticate"].startswith("Basic")
    good = base64.b64encode(f"unit_a:{PASSWORD}".encode()).decode()
    r = anon.get(f"/api/reports/{own['report_id']}", headers={"Authorization": f"Basic {good}"})
    assert r.status_code == 200 and r.json()["report"]["text"] == texts["000"]
    r = anon.get(f"/api/reports/{ups['001']['report_id']}", headers={"Authorization": f"Basic {good}"})
    assert r.status_code == 404


def test_copies_name_only_readable_reports(world):
    ups = world["ups"]
    cycle, corpus = world["app"].state.cycle, world["app"].state.corpus
    rev = world["client"]()
    login(rev, "rev")
    own = ups["000"]["report_id"]
    all_copies = rev.get(f"/api/reports/{own}/copies").json()
    assert all_copies["hidden"] == 0 and all_copies["copies"]  # the reviewer sees every shared passage
    others = {c["other"]["id"] for c in all_copies["copies"]}
    unit = world["client"]()
    login(unit, "unit_a")
    user = cycle.authenticate("unit_a", PASSWORD)
    seen = unit.get(f"/api/reports/{own}/copies").json()
    assert {c["other"]["id"] for c in seen["copies"]} == {o for o in others if cycle.can_read(user, o)}
    assert seen["hidden"] == len(all_copies["copies"]) - len(seen["copies"]) > 0
    page = unit.get(f"/reports/{own}").text
    for o in others - {c["other"]["id"] for c in seen["copies"]}:
        assert f"/compare/{o}" not in page
        assert corpus.get(o)["issuer"] not in page
