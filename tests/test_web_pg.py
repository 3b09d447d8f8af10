"""The web app on PostgreSQL (runs when FAZHI_TEST_PG_URL is set, as in CI): the cycle through the
JSON API with HTTP Basic, the report page, and who may read what."""
from __future__ import annotations

import pytest

from conftest import PG_URL, reset_pg, sample_path

PASSWORD = "pg-web-pass-1"
pytestmark = pytest.mark.needs("postgresql")


@pytest.fixture(scope="module")
def app():
    from fazhi.web.app import create_app

    reset_pg(PG_URL)
    app = create_app(PG_URL)
    app.state.cycle.add_user("rev", PASSWORD, "reviewer")
    yield app
    app.state.corpus.close()
    reset_pg(PG_URL)


def client(app, user: str | None = None):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    if user:
        c.auth = (user, PASSWORD)
    return c


def logged_in(app, user: str):
    import re

    c = client(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    return c


def test_cycle_on_postgresql(app):
    rev = client(app, "rev")
    ups = {}
    for prefix in ("000", "004"):
        r = rev.post("/api/upload", files={"files": (sample_path(prefix).name, sample_path(prefix).read_bytes())},
                     data={"new_unit": "true"})
        assert r.status_code == 200, r.text
        (ups[prefix],) = r.json()
        assert ups[prefix]["status"] == "submitted"
    mine, other = ups["004"], ups["000"]
    app.state.cycle.add_user("unit", PASSWORD, "unit", unit_name=mine["unit_name"])

    page = logged_in(app, "rev").get(f"/reports/{mine['report_id']}")  # pages take the session, not Basic
    assert page.status_code == 200 and 'id="report-text"' in page.text and "data-refs" in page.text

    # the unit reads its own report only; a visitor nothing unpublished
    unit, anon = client(app, "unit"), client(app)
    assert unit.get(f"/api/reports/{mine['report_id']}").status_code == 200
    assert unit.get(f"/api/reports/{other['report_id']}").status_code == 404
    assert anon.get(f"/api/reports/{mine['report_id']}").status_code in (401, 404)

    sid = mine["submission_id"]
    text = app.state.corpus.report_dict(mine["report_id"])["text"]
    at = text.index("法治建设第一负责人")
    r = rev.post(f"/api/submissions/{sid}/return",
                 json={"comments": [{"start": at, "end": at + 9, "body": "请用法定表述"}], "note": "请修改"})
    assert r.status_code == 200, r.text
    assert rev.get(f"/api/submissions/{sid}").json()["status"] == "returned"
    fixed = text.replace("法治建设第一负责人", "法治建设第一责任人").encode("utf-8")
    r = unit.post("/api/upload", files={"files": ("修改版.txt", fixed)})
    assert r.status_code == 200, r.text
    (second,) = r.json()
    assert second["version"] == 2
    diff = unit.get(f"/api/reports/{second['report_id']}/diff").json()["diff"]
    assert any("第一负责人" in (f.get("message") or "") for f in diff["fixed"])
    assert rev.post(f"/api/submissions/{sid}/approve").status_code == 200
    assert rev.post(f"/api/submissions/{sid}/publish", params={"secrecy_checked": "true"}).status_code == 200
    assert anon.get(f"/api/reports/{second['report_id']}").status_code == 200
    assert anon.get(f"/api/reports/{mine['report_id']}").status_code in (401, 404)  # the old version stays private
    moves = [(e["detail"]["from"], e["detail"]["to"]) for e in app.state.cycle.audit_log()
             if e["action"] == "status" and e["target"] == f"submission:{sid}"]
    assert {("submitted", "returned"), ("returned", "submitted"), ("submitted", "approved"),
            ("approved", "published")} <= set(moves)
