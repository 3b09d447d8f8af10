"""The web app over a real SQLite file and the real sample reports (httpx TestClient)."""
from __future__ import annotations

import io
import json
import re

import pytest

from conftest import sample_path, sample_text

PASSWORD = "test-password-1"
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def api_token(client) -> str:
    return client.get("/api/me").json()["csrf_token"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from fazhi.web.app import create_app

    app = create_app(str(tmp_path_factory.mktemp("web") / "app.db"))
    app.state.cycle.add_user("admin", PASSWORD, "admin")
    app.state.cycle.add_user("rev", PASSWORD, "reviewer")
    return app


@pytest.fixture()
def reviewer(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    assert login(client, "rev").status_code == 303
    return client


def upload(client, name: str, data: bytes, **form) -> dict:
    r = client.post("/api/upload", files={"files": (name, data)}, data={"new_unit": "true", **form},
                    headers={"X-CSRF-Token": api_token(client)})  # an unknown issuer becomes a unit: said explicitly
    assert r.status_code == 200, r.text
    (result,) = r.json()
    assert "error" not in result, result
    return result


def sample_docx(prefix: str) -> bytes:
    import docx

    document = docx.Document()
    for line in sample_text(prefix).splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def text_of(page: str):
    """The #report-text element of a report page (lxml)."""
    import lxml.html

    (el,) = lxml.html.fromstring(page).xpath('//*[@id="report-text"]')
    return el


def test_login_wrong_password_then_login_and_logout(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    r = login(client, "rev", "not-the-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert client.get("/api/me").status_code == 401
    r = login(client, "rev")
    assert r.status_code == 303 and r.headers["location"] == "/reports"
    assert client.get("/api/me").json()["user"]["username"] == "rev"
    page = client.get("/reports").text
    r = client.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/me").status_code == 401
    actions = [e["action"] for e in app.state.cycle.audit_log()]
    assert "login" in actions and "login.failed" in actions and "logout" in actions


def test_login_next_stays_on_this_site(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/reports"


def test_upload_and_report_page_highlights_every_finding(app, reviewer):
    up = upload(reviewer, sample_path("004").name, sample_path("004").read_bytes())
    assert up["status"] == "submitted" and up["version"] == 1
    data = app.state.corpus.report_dict(up["report_id"])
    page = reviewer.get(up["url"])
    assert page.status_code == 200
    el = text_of(page.text)
    assert el.text_content() == data["text"]  # the whole text, in order, nothing added
    spanned = [(i, f) for i, f in enumerate(data["findings"]) if f.get("start") is not None]
    assert spanned
    for i, f in spanned:
        pieces = el.xpath(f'.//span[contains(concat(" ", @data-refs, " "), " f{i} ")]')
        assert "".join(p.text_content() for p in pieces) == data["text"][f["start"]:f["end"]]
        assert int(pieces[0].get("data-start")) == f["start"] and int(pieces[-1].get("data-end")) == f["end"]
        assert f["message"] in pieces[0].get("title")
        assert f'id="finding-{i}"' in page.text and f'data-finding-id="{i}"' in page.text
    # the four mandated parts are listed, the missing one marked
    for key, idx in data["parts"].items():
        css = "ok" if idx is not None else "missing"
        assert re.search(rf'data-part="{key}" class="{css}"', page.text)
    assert 'id="approve-button"' in page.text and "退回修改" in page.text


def test_script_in_report_text_is_shown_as_text(app, reviewer):
    text = sample_text("002").replace("\n", "\n<script>alert(1)</script>\n", 3)
    up = upload(reviewer, "含脚本.txt", text.encode("utf-8"))
    page = reviewer.get(f"/reports/{up['report_id']}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" in text_of(page).text_content()


def test_downloads_are_real_documents(app, reviewer):
    import docx

    up = upload(reviewer, "红江镇.docx", sample_docx("000"))
    rid = up["report_id"]
    r = reviewer.get(f"/reports/{rid}/opinion.docx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    opinion = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "审查意见" in opinion
    data = app.state.corpus.report_dict(rid)
    assert data["metadata"]["issuer"] and data["metadata"]["issuer"].split()[0] in opinion
    r = reviewer.get(f"/reports/{rid}/annotated.docx")
    assert r.status_code == 200
    annotated = docx.Document(io.BytesIO(r.content))
    comments = list(annotated.comments)
    assert len(comments) == len(data["findings"])
    r = reviewer.get(f"/reports/{rid}.json")
    assert json.loads(r.content) == data
    # a .txt upload has no annotated original
    txt = upload(reviewer, sample_path("001").name, sample_path("001").read_bytes())
    assert reviewer.get(f"/reports/{txt['report_id']}/annotated.docx").status_code == 404
    page = reviewer.get(f"/reports/{txt['report_id']}").text
    assert "annotated.docx" not in page and "annotated.docx" in reviewer.get(f"/reports/{rid}").text
    downloads = [e for e in app.state.cycle.audit_log() if e["action"] == "download"]
    assert {e["detail"]["format"] for e in downloads} >= {"opinion.docx", "annotated.docx", "json"}


def test_csrf_is_required_for_writes(app, reviewer):
    up = upload(reviewer, sample_path("003").name, sample_path("003").read_bytes())
    sid = up["submission_id"]
    r = reviewer.post("/api/upload", files={"files": ("a.txt", sample_path("003").read_bytes())})
    assert r.status_code == 403
    r = reviewer.post(f"/api/submissions/{sid}/approve", headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = reviewer.post(f"/submissions/{sid}/approve", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    assert app.state.cycle.submission(sid)["status"] == "submitted"
    r = reviewer.post(f"/api/submissions/{sid}/approve", headers={"X-CSRF-Token": api_token(reviewer)})
    assert r.status_code == 200 and app.state.cycle.submission(sid)["status"] == "approved"


def test_return_with_comment_then_resubmit_shows_fixed_findings(app, reviewer):
    from fastapi.testclient import TestClient

    original = sample_text("004")
    up = upload(reviewer, "桥头.txt", ("（修订稿）\n" + original).encode("utf-8"))
    data = app.state.corpus.report_dict(up["report_id"])
    f = next(f for f in data["findings"] if f["rule"] == "formulation-standard" and f.get("start") is not None)
    quote = data["text"][f["start"]:f["end"]]
    page = reviewer.get(f"/reports/{up['report_id']}").text
    comments = json.dumps([{"start": f["start"], "end": f["end"], "body": "请改为规范表述"}])
    r = reviewer.post(f"/submissions/{up['submission_id']}/return",
                      data={"csrf_token": csrf_of(page), "comments": comments, "note": "请修改后重报"},
                      follow_redirects=False)
    assert r.status_code == 303
    sub = app.state.cycle.submission(up["submission_id"])
    assert sub["status"] == "returned" and sub["comments"][0]["quote"] == quote
    page = reviewer.get(f"/reports/{up['report_id']}").text
    seg = text_of(page).xpath(f'.//span[contains(concat(" ", @data-refs, " "), " c{sub["comments"][0]["id"]} ")]')
    assert "".join(s.text_content() for s in seg) == quote and "请改为规范表述" in page
    # the unit fixes that wording and resubmits
    app.state.cycle.add_user("qiaotou", PASSWORD, "unit", unit_name=up["unit_name"])
    unit = TestClient(app)
    assert login(unit, "qiaotou").status_code == 303
    fixed = ("（修订稿）\n" + original).replace(quote, quote.replace("第一负责人", "第一责任人").replace("法制教育", "法治宣传教育"))
    assert fixed != "（修订稿）\n" + original
    again = upload(unit, "桥头-修改.txt", fixed.encode("utf-8"))
    assert again["submission_id"] == up["submission_id"] and again["version"] == up["version"] + 1
    page = unit.get(f"/reports/{again['report_id']}").text
    assert "本次修改已解决的问题" in page
    fixed_list = text_of_fixed(page)
    assert f["message"] in fixed_list


def text_of_fixed(page: str) -> str:
    import lxml.html

    (el,) = lxml.html.fromstring(page).xpath('//*[@id="fixed-findings"]')
    return el.text_content()


def test_no_external_urls_and_docs_served(app, reviewer):
    from fastapi.testclient import TestClient

    rid = upload(reviewer, sample_path("002").name, sample_path("002").read_bytes())["report_id"]
    admin = TestClient(app)
    login(admin, "admin")
    pages = ["/reports", f"/reports/{rid}", "/upload", "/periods", "/users", "/audit", "/docs", "/login"]
    for client in (admin, reviewer):
        for p in pages:
            r = client.get(p)
            assert r.status_code == (403 if client is reviewer and p in ("/users", "/audit") else 200), p
            assert not EXTERNAL.search(r.text), f"{p} loads something from outside"
            if p != f"/reports/{rid}":  # report text itself may quote web addresses, as text
                assert "http://" not in r.text and "https://" not in r.text, p
    docs = reviewer.get("/docs").text
    assert "/static/swagger-ui-bundle.js" in docs and "validatorUrl" in docs
    assert reviewer.get("/static/swagger-ui-bundle.js").status_code == 200
    assert reviewer.get("/assets/echarts.min.js").status_code == 200
    spec = reviewer.get("/openapi.json").json()
    assert "/api/reports/{report_id}" in spec["paths"] and "/api/upload" in spec["paths"]


def test_corpus_page_filters_and_exports(app, reviewer):
    import openpyxl

    up = upload(reviewer, sample_path("001").name, sample_path("001").read_bytes())
    year = up["year"]
    rows = reviewer.get("/api/reports", params={"year": year}).json()
    assert rows and all(r["report_year"] == year for r in rows)
    assert up["report_id"] in {r["id"] for r in rows}
    other = reviewer.get("/api/reports", params={"year": year - 10}).json()
    assert other == []
    page = reviewer.get("/reports", params={"year": year}).text
    assert f'data-report-id="{up["report_id"]}"' in page
    r = reviewer.get("/reports.xlsx", params={"year": year, "kind": "scores"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    ids = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert ids == {row["id"] for row in rows}


def test_demo_is_idempotent(tmp_path):
    from fazhi.web.app import create_app
    from fazhi.web.cli import demo_accounts

    app = create_app(str(tmp_path / "demo.db"))
    cycle = app.state.cycle
    first = demo_accounts(cycle)
    subs = {s["id"]: (s["status"], len(s["versions"])) for s in cycle.submissions()}
    assert len(first) == 2 + len(subs) and len(subs) >= 4
    assert [cycle.authenticate(name, pw)["role"] for name, pw, _ in first[:3]] == ["admin", "reviewer", "unit"]
    assert cycle.periods()
    second = demo_accounts(cycle)
    assert second == first
    assert {s["id"]: (s["status"], len(s["versions"])) for s in cycle.submissions()} == subs
    assert app.state.corpus.size() == 5


def test_compare_page_shows_shared_passage_from_both_reports(app, reviewer):
    a = upload(reviewer, sample_path("004").name, sample_path("004").read_bytes())["report_id"]
    upload(reviewer, sample_path("000").name, sample_path("000").read_bytes())
    copies = reviewer.get(f"/api/reports/{a}/copies").json()["copies"]
    assert copies
    c = copies[0]
    page = reviewer.get(f"/reports/{a}").text
    assert f'/reports/{a}/compare/{c["other"]["id"]}' in page
    r = reviewer.get(f"/reports/{a}/compare/{c['other']['id']}")
    assert r.status_code == 200
    mine = app.state.corpus.report_dict(a)["text"][c["start"]:c["end"]]
    theirs = app.state.corpus.report_dict(c["other"]["id"])["text"][c["other"]["start"]:c["other"]["end"]]
    import lxml.html

    shown = lxml.html.fromstring(r.text).text_content()
    assert mine in shown and theirs in shown


def test_malformed_parameters_get_a_chinese_answer(app, reviewer):
    page = reviewer.get("/periods?year=abc")
    assert page.status_code == 422 and "请求参数有误：year" in page.text and "<html" in page.text.lower()
    api = reviewer.get("/api/reports?year=abc")
    assert api.status_code == 422 and api.json()["detail"] == "请求参数有误：year。"
    assert api.json()["errors"][0]["loc"][-1] == "year"


def test_admin_disables_enables_and_resets_a_password(app):
    from fastapi.testclient import TestClient

    app.state.cycle.add_user("temp-rev", PASSWORD, "reviewer")
    admin, temp = TestClient(app), TestClient(app)
    assert login(admin, "admin").status_code == 303
    assert login(temp, "temp-rev").status_code == 303
    token = csrf_of(admin.get("/users").text)
    # a reviewer may not do it
    r = temp.post("/users/temp-rev/password", data={"csrf_token": csrf_of(temp.get("/reports").text),
                                                    "password": "x-new-password"}, follow_redirects=False)
    assert r.status_code == 403
    # without the CSRF token nothing happens
    assert admin.post("/users/temp-rev/active", data={"active": "0"}).status_code in (400, 403)
    assert app.state.cycle.authenticate("temp-rev", PASSWORD) is not None
    # disable: the open session ends, logging in fails
    r = admin.post("/users/temp-rev/active", data={"csrf_token": token, "active": "0"}, follow_redirects=False)
    assert r.status_code == 303
    assert temp.get("/api/me").status_code == 401
    assert login(TestClient(app), "temp-rev").status_code == 401
    assert 'data-username="temp-rev" data-active="0"' in admin.get("/users").text
    # enable with a new password
    admin.post("/users/temp-rev/active", data={"csrf_token": token, "active": "1"})
    admin.post("/users/temp-rev/password", data={"csrf_token": token, "password": "another-pass-9"})
    assert app.state.cycle.authenticate("temp-rev", "another-pass-9") is not None
    assert app.state.cycle.authenticate("temp-rev", PASSWORD) is None
    # an admin cannot lock themself out
    admin.post("/users/admin/active", data={"csrf_token": token, "active": "0"})
    assert app.state.cycle.authenticate("admin", PASSWORD) is not None
    actions = [e["action"] for e in app.state.cycle.audit_log()]
    assert "user.active" in actions and "user.password" in actions
