"""The web app against a hostile or careless account (issue 11): sessions that really end, login
throttling with lockout, HTTP Basic failures, out-of-range numbers, security headers, and the
audit rows every refusal leaves. Real app on a real SQLite file, real sample reports."""
from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest

from conftest import sample_path

PASSWORD = "test-password-1"
HUGE = "99999999999999999999"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def basic(name: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def actions(app, action: str) -> list[dict]:
    return [e for e in app.state.cycle.audit_log(limit=10_000) if e["action"] == action]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("sec") / "sec.db"))
    cycle = app.state.cycle
    cycle.add_user("admin", PASSWORD, "admin")
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    up = cycle.upload(rev, sample_path("000").name, sample_path("000").read_bytes())
    other = cycle.upload(rev, sample_path("003").name, sample_path("003").read_bytes())
    cycle.add_user("unit", PASSWORD, "unit", unit_name=up["unit_name"])
    app.state.ups = {"own": up, "other": other}
    return app


def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app, headers={"User-Agent": "pytest-security/1.0"})


# ---------------------------------------------------------------- sessions
def test_a_cookie_replayed_after_logout_is_worth_nothing(app):
    c = client(app)
    assert login(c, "rev").status_code == 303
    assert c.get("/api/me").status_code == 200
    saved = dict(c.cookies)
    c.post("/logout", data={"csrf_token": csrf_of(c.get("/reports").text)})
    replay = client(app)
    replay.cookies.update(saved)
    assert replay.get("/api/me").status_code == 401
    assert replay.get("/upload", follow_redirects=False).status_code == 303  # a page: back to the login


def test_password_reset_and_deactivation_end_every_session_at_once(app):
    cycle = app.state.cycle
    cycle.add_user("temp", PASSWORD, "reviewer")
    a, b = client(app), client(app)
    assert login(a, "temp").status_code == 303 and login(b, "temp").status_code == 303
    assert a.get("/api/me").status_code == 200 and b.get("/api/me").status_code == 200
    cycle.set_password("temp", "another-pass-9", by=None)
    assert a.get("/api/me").status_code == 401 and b.get("/api/me").status_code == 401
    assert login(a, "temp", "another-pass-9").status_code == 303
    cycle.set_active("temp", False)
    assert a.get("/api/me").status_code == 401


def test_an_idle_session_ends(app):
    from sqlalchemy import update

    from fazhi.cycle.accounts import now
    from fazhi.cycle.models import SessionRow

    c = client(app)
    assert login(c, "rev").status_code == 303
    assert c.get("/api/me").status_code == 200
    uid = app.state.cycle.authenticate("rev", PASSWORD)["id"]
    with app.state.cycle.engine.begin() as conn:  # as if the last request was 31 minutes ago
        conn.execute(update(SessionRow).where(SessionRow.user_id == uid)
                     .values(last_seen=now() - timedelta(minutes=31)))
    assert c.get("/api/me").status_code == 401
    assert login(c, "rev").status_code == 303  # the account itself is untouched


def test_secure_cookies_and_security_headers_on_every_response(app, tmp_path):
    from fazhi.web.app import create_app

    c = client(app)
    for url in ("/login", "/reports", "/static/app.css", "/api/periods", "/reports/" + HUGE, "/docs"):
        r = c.get(url)
        assert r.headers["x-frame-options"] == "DENY", url
        assert r.headers["x-content-type-options"] == "nosniff", url
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, url
        assert ("'unsafe-inline'" in csp.split("script-src")[1].split(";")[0]) == (url == "/docs"), url
    assert "secure" not in client(app).get("/login").headers["set-cookie"].lower()
    secure = create_app(str(tmp_path / "tls.db"), secure_cookies=True)
    r = client(secure).get("/login")
    assert "; secure" in r.headers["set-cookie"].lower() and "httponly" in r.headers["set-cookie"].lower()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_serve_turns_secure_cookies_on_behind_a_proxy_or_with_a_certificate():
    import argparse

    from fazhi.web.cli import add_serve_command, secure_cookies

    parser = argparse.ArgumentParser()
    add_serve_command(parser.add_subparsers())
    assert secure_cookies(parser.parse_args(["serve"])) is False
    assert secure_cookies(parser.parse_args(["serve", "--secure-cookies"])) is True
    assert secure_cookies(parser.parse_args(["serve", "--proxy-headers"])) is True
    assert secure_cookies(parser.parse_args(["serve", "--proxy-headers", "--no-secure-cookies"])) is False
    assert secure_cookies(parser.parse_args(["serve", "--ssl-certfile", "c.pem", "--ssl-keyfile", "k.pem"])) is True


# ---------------------------------------------------------------- logins
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(app):
    app.state.cycle.add_user("victim", PASSWORD, "reviewer")
    c = client(app)
    for _ in range(5):
        r = login(c, "victim", "wrong-password")
        assert r.status_code in (401, 429)
    assert "已被锁定" in r.text
    r = login(c, "victim")  # the right password, during the lock
    assert r.status_code == 429 and "已被锁定" in r.text
    assert c.get("/api/me").status_code == 401
    locked = [e for e in actions(app, "login.locked") if e["detail"].get("username") == "victim"]
    assert len(locked) == 1 and locked[0]["ip"] == "testclient"
    assert [e for e in actions(app, "login.refused") if e["detail"]["username"] == "victim"]
    assert len([e for e in actions(app, "login.failed") if e["detail"]["username"] == "victim"]) == 5
    # the admin's password reset unlocks the account
    app.state.cycle.set_password("victim", "a-new-password-7")
    assert login(c, "victim", "a-new-password-7").status_code == 303


def test_one_address_trying_many_accounts_is_locked(app, monkeypatch):
    from fazhi.cycle.throttle import Limits

    monkeypatch.setattr(app.state.cycle, "limits", Limits(account=50, address=6))
    c = client(app)
    for i in range(6):
        assert login(c, f"nobody{i}", "guess-123456").status_code in (401, 429)
    r = login(c, "admin")  # a real account with the right password, from the locked address
    assert r.status_code == 429
    assert [e for e in actions(app, "login.locked") if e["detail"].get("address") == "testclient"]
    from sqlalchemy import delete

    from fazhi.cycle.models import ThrottleRow

    with app.state.cycle.engine.begin() as conn:  # the lock would otherwise outlive this test
        conn.execute(delete(ThrottleRow).where(ThrottleRow.key == "ip:testclient"))


def test_wrong_basic_credentials_get_401_and_an_audit_row(app):
    c = client(app)
    before = len(actions(app, "basic.failed"))
    r = c.get("/api/reports", headers=basic("rev", "wrong-password"))
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    assert "认证失败" in r.json()["detail"]
    r = c.get("/api/reports", headers={"Authorization": "Basic !!!not-base64"})
    assert r.status_code == 401
    rows = actions(app, "basic.failed")
    assert len(rows) == before + 2 and rows[0]["user_agent"] == "pytest-security/1.0"
    assert c.get("/api/reports", headers=basic("rev", PASSWORD)).status_code == 200
    assert c.get("/api/me", headers=basic("rev", PASSWORD)).json()["user"]["username"] == "rev"


def test_basic_failures_lock_too(app):
    app.state.cycle.add_user("script", PASSWORD, "reviewer")
    c = client(app)
    for _ in range(5):
        c.get("/api/periods", headers=basic("script", "nope-nope-1"))
    r = c.get("/api/periods", headers=basic("script", PASSWORD))
    assert r.status_code == 429 and "锁定" in r.json()["detail"]


# ---------------------------------------------------------------- numbers
@pytest.mark.parametrize("url", [f"/reports/{HUGE}", f"/reports/{HUGE}.json", f"/reports/{HUGE}/opinion.docx",
                                 f"/reports/{HUGE}/annotated.docx", f"/reports/1/compare/{HUGE}",
                                 f"/submissions/{HUGE}", "/reports/0"])
def test_huge_ids_on_pages_are_404_with_the_chinese_page(app, url):
    c = client(app)
    login(c, "rev")
    r = c.get(url, follow_redirects=False)
    assert r.status_code == 404 and "未找到" in r.text and "<html" in r.text.lower()


@pytest.mark.parametrize("url", [f"/api/reports/{HUGE}", f"/api/reports/{HUGE}/copies", f"/api/reports/{HUGE}/diff",
                                 f"/api/submissions/{HUGE}", f"/api/overview/{HUGE}", "/api/reports/-1",
                                 f"/api/reports?year={HUGE}", f"/api/submissions?year={HUGE}"])
def test_huge_numbers_in_the_api_are_422_never_500(app, url):
    r = client(app).get(url, headers=basic("rev", PASSWORD))
    assert r.status_code == 422 and r.json()["detail"].startswith("请求参数有误")


def test_bad_years_and_posts_with_huge_numbers(app):
    c = client(app)
    login(c, "rev")
    for url in ("/periods?year=-5", f"/periods?year={HUGE}", "/reports?year=2199", f"/reports?year={HUGE}"):
        r = c.get(url)
        assert r.status_code == 422 and "year" in r.text, url
    token = csrf_of(c.get("/reports").text)
    r = c.post(f"/submissions/{HUGE}/approve", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 404
    up = c.post("/api/upload", headers={"X-CSRF-Token": token}, data={"unit_id": HUGE},
                files={"files": ("a.txt", sample_path("002").read_bytes())})
    assert up.status_code == 200 and "单位不存在" in up.json()[0]["error"]
    up = c.post("/api/upload", headers={"X-CSRF-Token": token}, data={"year": "2199"},
                files={"files": ("a.txt", sample_path("002").read_bytes())})
    assert up.status_code == 200 and "2199" in up.json()[0]["error"]


def test_a_unit_cannot_file_for_a_far_year(app):
    from fazhi.cycle import CycleError

    cycle = app.state.cycle
    unit = cycle.authenticate("unit", PASSWORD)
    with pytest.raises(CycleError, match="2199"):
        cycle.upload(unit, "x.txt", sample_path("000").read_bytes(), year=2199)
    with pytest.raises(CycleError, match="年度"):
        cycle.add_period(2199)


# ---------------------------------------------------------------- audit
def test_refusals_and_denials_are_audited_with_address_and_browser(app):
    ups = app.state.ups
    unit = client(app)
    assert login(unit, "unit").status_code == 303
    token = csrf_of(unit.get("/reports").text)
    # another unit's unpublished report: 404, audited as a denial
    assert unit.get(f"/reports/{ups['other']['report_id']}").status_code == 404
    # a reviewer's action: 403, audited
    assert unit.post(f"/api/submissions/{ups['own']['submission_id']}/approve",
                     headers={"X-CSRF-Token": token}).status_code == 403
    # a write without the CSRF token
    assert unit.post("/api/upload", files={"files": ("a.txt", b"x")}).status_code == 403
    # an upload refused by the analysis
    r = unit.post("/api/upload", headers={"X-CSRF-Token": token}, files={"files": ("空白.txt", b"  \n ")})
    assert "文件为空" in r.json()[0]["error"]
    denied = actions(app, "denied")
    paths = {e["target"] for e in denied if e["username"] == "unit"}
    assert f"path:/reports/{ups['other']['report_id']}" in paths
    assert f"path:/api/submissions/{ups['own']['submission_id']}/approve" in paths
    csrf = [e for e in actions(app, "csrf.failed") if e["target"] == "path:/api/upload"]
    refused = [e for e in actions(app, "upload.refused") if e["detail"]["filename"] == "空白.txt"]
    assert csrf and refused and refused[0]["username"] == "unit"
    for e in (denied[0], csrf[0], refused[0]):
        assert e["ip"] == "testclient" and e["user_agent"] == "pytest-security/1.0"


def test_audit_page_filters_shows_beijing_time_and_exports(app):
    import csv
    import io

    import openpyxl

    admin = client(app)
    assert login(admin, "admin").status_code == 303
    page = admin.get("/audit", params={"user": "unit", "action": "denied"})
    assert page.status_code == 200
    rows = re.findall(r'<tr data-action="([^"]+)">', page.text)
    assert rows and set(rows) == {"denied"}
    assert "拒绝访问" in page.text and "北京时间" in page.text and "\\u" not in page.text
    first = app.state.cycle.audit_log(limit=1)[0]
    assert (first["at"] + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in admin.get("/audit").text
    csv_r = admin.get("/audit.csv", params={"action": "denied"})
    assert csv_r.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(csv_r.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["编号", "时间（北京时间）", "用户", "操作"] and {r[3] for r in table[1:]} == {"拒绝访问"}
    assert any(r[7] == "testclient" for r in table[1:])
    xlsx = openpyxl.load_workbook(io.BytesIO(admin.get("/audit.xlsx", params={"user": "unit"}).content))
    values = list(xlsx.active.values)
    assert values[0][0] == "编号" and all(v[2] == "unit" for v in values[1:]) and len(values) > 3
    assert admin.get("/audit", params={"since": "昨天"}).status_code == 422
    assert client(app).get("/audit.csv", follow_redirects=False).status_code == 303  # to the login page
    reviewer = client(app)
    login(reviewer, "rev")
    assert reviewer.get("/audit.csv").status_code == 403 and reviewer.get("/audit").status_code == 403
