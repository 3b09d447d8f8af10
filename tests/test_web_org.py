"""Organisation in the web app (issue 14 item 9) over a real SQLite file and the real sample reports
(httpx TestClient; the analysis runs in the app's worker processes): /units, /filings, roles on /users,
the branch filter, and the JSON API under /api."""
from __future__ import annotations

import re

import pytest
from conftest import sample_path

PASSWORD = "test-password-1"
HJ = "中共蓬溪县红江镇委员会"  # issuer of sample 000 (2023)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def client_for(app, username: str):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303
    c.headers["X-CSRF-Token"] = c.get("/api/me").json()["csrf_token"]
    return c


def post_form(c, url: str, data: dict):
    token = csrf_of(c.get("/units").text if "/users" not in url else c.get("/users").text)
    return c.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


def upload(c, prefix: str, **form) -> dict:
    p = sample_path(prefix)
    r = c.post("/api/upload", files={"files": (p.name, p.read_bytes())}, data=form)
    assert r.status_code == 200, r.text
    (result,) = r.json()
    assert "error" not in result, result
    return result


@pytest.fixture
def app(tmp_path):
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path / "org.db"))
    app.state.cycle.add_user("admin", PASSWORD, "admin")
    app.state.cycle.add_user("rev", PASSWORD, "reviewer")
    return app


def test_an_unknown_issuer_is_asked_about_and_filed_where_the_reviewer_says(app):
    cycle = app.state.cycle
    near = cycle.add_unit("蓬溪县红江镇人民政府", level="乡镇街道")
    rev = client_for(app, "rev")
    asked = upload(rev, "000")
    assert asked["needs_unit"] is True and asked["issuer"] == HJ
    assert asked["candidates"][0]["name"] == "蓬溪县红江镇人民政府"
    assert [u["name"] for u in cycle.units()] == ["蓬溪县红江镇人民政府"]  # nothing made silently
    assert cycle.submissions() == []
    page = rev.get(f"/reports/{asked['report_id']}").text  # the report page asks too
    assert "未找到单位「中共蓬溪县红江镇委员会」" in page and f'action="/filings/{asked["report_id"]}"' in page
    assert [p["report_id"] for p in rev.get("/api/filings").json()] == [asked["report_id"]]
    assert "1 份上传的报告尚未归入单位" in rev.get("/units").text
    cycle.add_user("dw", PASSWORD, "unit", unit_name="大王古庄镇人民政府")
    unit = client_for(app, "dw")  # a unit account may not know of the waiting report
    assert unit.post(f"/api/filings/{asked['report_id']}", json={"new_unit": True}).status_code == 404
    assert unit.get("/api/filings").status_code == 403 and unit.get("/filings", follow_redirects=False).status_code == 403
    garbled = rev.post(f"/api/filings/{asked['report_id']}", content=b"unit_id=1")
    assert garbled.status_code == 422 and "应为 JSON" in garbled.json()["detail"]
    bad = rev.post(f"/api/filings/{asked['report_id']}", json={})
    assert bad.status_code == 409 and "请选择" in bad.json()["detail"]
    filed = rev.post(f"/api/filings/{asked['report_id']}", json={"unit_id": near["id"]})
    assert filed.status_code == 200, filed.text
    assert (filed.json()["unit_id"], filed.json()["year"]) == (near["id"], 2023) and "已归入" in filed.json()["summary"]
    assert rev.get("/api/filings").json() == []
    assert 'id="org-panel"' not in rev.get(f"/reports/{asked['report_id']}").text
    # an API client may say to make the unit from the issuer
    made = upload(rev, "003", new_unit="true")
    assert made["unit_name"] == cycle.corpus.get(made["report_id"])["issuer"] and "needs_unit" not in made


def test_the_upload_form_without_script_offers_the_choice(app):
    rev = client_for(app, "rev")
    token = csrf_of(rev.get("/upload").text)
    p = sample_path("003")
    page = rev.post("/upload", data={"csrf_token": token}, files={"files": (p.name, p.read_bytes())}).text
    assert "未找到单位「" in page and "新建单位「" in page
    rid = int(re.search(r'action="/filings/(\d+)"', page).group(1))
    done = rev.post(f"/filings/{rid}", data={"csrf_token": token, "choice": "new", "name": "古溪镇"},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/reports/{rid}"
    assert app.state.cycle.submission_of_report(rid)["unit_name"] == "古溪镇"


def test_admin_edits_merges_and_deactivates_units_on_the_units_page(app):
    cycle = app.state.cycle
    admin = client_for(app, "admin")
    county = cycle.add_unit("某某县人民政府", level="区县")
    town = cycle.add_unit("某某镇人民政府")
    edit = admin.get(f"/units/{town['id']}/edit")
    assert edit.status_code == 200 and 'id="unit-edit-form"' in edit.text
    page = post_form(admin, f"/units/{town['id']}/edit", {"name": "某某镇人民政府", "level": "乡镇街道",
                                                          "parent_id": str(county["id"]), "email": "zhen@example.cn"})
    assert "已保存单位" in page.text
    assert cycle.unit(town["id"])["parent_id"] == county["id"] and cycle.unit(town["id"])["email"] == "zhen@example.cn"
    page = post_form(admin, f"/units/{county['id']}/edit", {"name": "某某县人民政府", "parent_id": str(town["id"])})
    assert "不能把“某某县人民政府”设为其自身或其下级单位的下级" in page.text
    assert cycle.unit(county["id"])["parent_id"] is None
    rows = re.findall(r'<tr data-unit-id="(\d+)"', page.text)
    assert rows == [str(county["id"]), str(town["id"])]  # the tree: county, then its town
    page = post_form(admin, f"/units/{town['id']}/active", {"active": "0"})
    assert "已停用单位" in page.text and cycle.unit(town["id"])["active"] is False
    other = cycle.add_unit("另一镇")
    page = post_form(admin, "/units/merge", {"from_id": str(other["id"]), "into_id": str(county["id"])})
    assert "已将“另一镇”并入“某某县人民政府”" in page.text
    assert "已并入“某某县人民政府”" in admin.get("/units").text
    api = admin.post("/api/units/merge", json={"from_id": county["id"], "into_id": county["id"]})
    assert api.status_code == 409 and "自身" in api.json()["detail"]
    made = admin.post("/api/units", json={"name": "某某县司法局", "level": "部门", "parent_id": county["id"],
                                          "email": "sfj@example.cn"})
    assert made.status_code == 200 and (made.json()["parent_id"], made.json()["level"]) == (county["id"], "部门")
    assert admin.post("/api/units", json={"name": "某某县司法局"}).status_code == 409
    assert admin.post("/api/units", json={"name": "坏邮箱单位", "email": "x"}).status_code == 409
    assert "坏邮箱单位" not in {u["name"] for u in cycle.units()}  # refused whole
    rev = client_for(app, "rev")
    assert rev.post("/api/units", json={"name": "审查人员建的单位"}).status_code == 403
    assert rev.get("/units").status_code == 200  # reviewers read
    assert rev.post(f"/api/units/{town['id']}", json={"email": "x@example.cn"}).status_code == 403
    assert rev.get(f"/units/{town['id']}/edit", follow_redirects=False).status_code == 403


def test_roles_change_on_the_users_page_and_take_effect_at_once(app):
    cycle = app.state.cycle
    admin, rev = client_for(app, "admin"), client_for(app, "rev")
    unit = cycle.add_unit("某某镇人民政府")
    assert rev.get("/api/units").status_code == 200
    page = post_form(admin, "/users/rev/role", {"role": "unit", "unit_id": str(unit["id"])})
    assert "已将“rev”的角色改为报送单位（某某镇人民政府）" in page.text
    assert rev.get("/api/units").status_code == 403  # the same session, its next request
    page = post_form(admin, "/users/admin/role", {"role": "reviewer"})
    assert "最后一个启用的管理员" in page.text and cycle.users()[0]["role"] == "admin"
    r = admin.post("/api/users/rev/role", json={"role": "reviewer"})
    assert r.status_code == 200 and r.json()["role"] == "reviewer"
    assert [e["action"] for e in cycle.audit_log() if e["action"] == "user.role"] == ["user.role"] * 2


def test_a_branch_reviewer_sees_only_its_branch_in_the_api(app):
    cycle = app.state.cycle
    admin_user = cycle.users()[0]
    office = cycle.add_unit("某某县依法治县办")
    cycle.edit_unit(admin_user, office["id"], is_office=True)
    rev = client_for(app, "rev")
    a = upload(rev, "000", new_unit="true")
    b = upload(rev, "004", new_unit="true")
    cycle.edit_unit(admin_user, a["unit_id"], parent_id=office["id"])
    cycle.set_role(admin_user, "rev", "reviewer", office["id"])
    assert [s["unit_id"] for s in rev.get("/api/submissions").json()] == [a["unit_id"]]
    assert {r["unit_id"] for r in rev.get("/api/overview/2023").json()} == {office["id"], a["unit_id"]}
    admin = client_for(app, "admin")
    assert {s["unit_id"] for s in admin.get("/api/submissions").json()} == {a["unit_id"], b["unit_id"]}
    assert "本分支的 2 个单位" in rev.get("/units").text


def test_the_api_is_documented(app):
    spec = client_for(app, "admin").get("/openapi.json").json()
    for path in ("/api/units", "/api/units/{unit_id}", "/api/units/merge", "/api/filings",
                 "/api/filings/{report_id}", "/api/users/{username}/role"):
        assert path in spec["paths"], path
    assert "/units" not in spec["paths"] and "/filings/{report_id}" not in spec["paths"]
