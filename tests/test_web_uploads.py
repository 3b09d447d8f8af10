"""Uploads are analysed in child processes with a queue, per-file time and memory limits, per-account
quotas, and a progress state the page polls (fazhi.web.uploads, fazhi.web.worker)."""
from __future__ import annotations

import re
import time

import pytest

from conftest import sample_path, sample_text

PASSWORD = "upload-pass-1"


def make_app(tmp_path, **limits):
    from fazhi.web.app import create_app
    from fazhi.web.uploads import UploadLimits
    from fazhi.web.worker import TaskLimits

    task = limits.pop("task", TaskLimits())
    app = create_app(str(tmp_path / "up.db"), upload_limits=UploadLimits(task=task, **limits))
    app.state.cycle.add_user("rev", PASSWORD, "reviewer")
    app.state.cycle.add_user("rev2", PASSWORD, "reviewer")
    return app


def client(app, user: str = "rev"):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    c.auth = (user, PASSWORD)
    return c


def long_page(chars: int) -> bytes:
    """A real report's paragraphs repeated into a web page of about `chars` characters of text."""
    paras = [p for p in sample_text("000").splitlines() if p.strip()]
    body, n, i = [], 0, 0
    while n < chars:
        body.append(f"<p>{paras[i % len(paras)]}</p>")
        n += len(paras[i % len(paras)])
        i += 1
    return ("<html><head><meta charset='utf-8'></head><body><article>" + "\n".join(body)
            + "</article></body></html>").encode("utf-8")


def poll(c, url: str, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = c.get(url).json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish")


def test_queued_upload_is_polled_to_done_while_the_server_answers(tmp_path):
    app = make_app(tmp_path)
    c = client(app)
    r = c.post("/api/upload?wait=false", files={"files": ("长报告.html", long_page(150_000))})
    assert r.status_code == 202
    (job,) = r.json()
    assert job["state"] in ("queued", "running") and job["url"] == f"/api/jobs/{job['job_id']}"
    other = c.get("/api/periods")  # answered while the file is analysed in a child process
    assert other.status_code == 200
    assert c.get(job["url"]).json()["state"] in ("queued", "running")
    assert client(app, "rev2").get(job["url"]).status_code == 404  # only its uploader sees a job
    assert c.get("/api/jobs/no-such-job").status_code == 404
    done = poll(c, job["url"])
    assert done["state"] == "done" and done["state_label"] == "完成" and done["seconds"] > 0
    report = c.get(f"/api/reports/{done['report_id']}").json()["report"]
    assert len(report["text"]) > 150_000 and done["url"] == f"/reports/{done['report_id']}"


def test_upload_form_and_api_wait_for_their_results(tmp_path):
    app = make_app(tmp_path)
    c = client(app)
    r = c.post("/api/upload", files=[("files", (sample_path("000").name, sample_path("000").read_bytes())),
                                     ("files", ("空.txt", b""))], data={"new_unit": "true"})
    assert r.status_code == 200
    good, bad = r.json()
    assert good["status"] == "submitted" and good["version"] == 1 and good["filename"] == sample_path("000").name
    assert bad == {**bad, "filename": "空.txt", "state": "failed"} and "文件为空" in bad["error"]


def test_time_limit_stops_the_analysis_with_a_chinese_reason(tmp_path):
    from fazhi.web.worker import TaskLimits

    app = make_app(tmp_path, task=TaskLimits(seconds=0.5))
    (r,) = client(app).post("/api/upload", files={"files": ("慢.html", long_page(200_000))}).json()
    assert r["state"] == "failed" and "分析超时（超过 0.5 秒）" in r["error"] and r["error"].startswith("慢.html：")
    assert app.state.corpus.size() == 0
    refused = [e for e in app.state.cycle.audit_log() if e["action"] == "upload.refused"]
    assert refused and "超时" in refused[0]["detail"]["reason"]


def test_memory_limit_stops_the_analysis(tmp_path):
    from fazhi.web.worker import TaskLimits

    app = make_app(tmp_path, task=TaskLimits(memory_mb=275))  # measured: a 490,000-character page needs 300-340 MB, a sample under 250
    (r,) = client(app).post("/api/upload", files={"files": ("大.html", long_page(490_000))}).json()
    assert r["state"] == "failed" and "内存" in r["error"], r
    assert app.state.corpus.size() == 0
    # the server and the next upload are fine
    (ok,) = client(app).post("/api/upload", files={"files": ("a.txt", sample_path("003").read_bytes())},
                             data={"new_unit": "true"}).json()
    assert ok["state"] == "done" and ok["status"] == "submitted"


def test_per_account_queue_limit_refuses_with_429_and_an_audit_row(tmp_path):
    app = make_app(tmp_path, per_account=1)
    c = client(app)
    r = c.post("/api/upload?wait=false", files=[("files", ("一.html", long_page(100_000))),
                                                ("files", ("二.txt", sample_path("002").read_bytes()))])
    assert r.status_code == 202
    first, second = r.json()
    assert first["state"] in ("queued", "running") and second["status"] == 429 and "排队或分析中" in second["error"]
    limited = [e for e in app.state.cycle.audit_log() if e["action"] == "rate.limited"]
    assert limited and limited[0]["detail"]["filename"] == "二.txt" and limited[0]["username"] == "rev"
    assert poll(c, first["url"])["state"] == "done"
    # once it finished, the account may upload again
    (again,) = c.post("/api/upload", files={"files": ("二.txt", sample_path("002").read_bytes())}).json()
    assert again["state"] == "done"


def test_hourly_quota(tmp_path):
    app = make_app(tmp_path, per_hour=1)
    c = client(app)
    (one,) = c.post("/api/upload", files={"files": ("a.txt", sample_path("001").read_bytes())}).json()
    r = c.post("/api/upload", files={"files": ("b.txt", sample_path("002").read_bytes())})
    assert one["state"] == "done" and r.status_code == 429 and "一小时内上传已达上限" in r.json()[0]["error"]


def test_upload_page_without_javascript(tmp_path):
    app = make_app(tmp_path)
    from fastapi.testclient import TestClient

    c = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/upload").text).group(1)
    page = c.post("/upload", data={"csrf_token": token},
                  files={"files": (sample_path("004").name, sample_path("004").read_bytes())})
    # the issuer is no known unit: the page asks (fazhi.cycle.org_filing); the reviewer makes the unit
    assert page.status_code == 200 and "未找到单位「东莞市司法局桥头分局」" in page.text
    rid = re.search(r'action="/filings/(\d+)"', page.text).group(1)
    done = c.post(f"/filings/{rid}", data={"csrf_token": token, "choice": "new"})
    assert done.status_code == 200 and "第 1 版" in done.text and f'data-report-id="{rid}"' not in c.get("/filings").text


@pytest.mark.parametrize("kind", ["charts"])
def test_dashboard_charts_come_from_a_child_process_and_are_cached(tmp_path, kind):
    app = make_app(tmp_path)
    c = client(app)
    c.post("/api/upload", files={"files": (sample_path("000").name, sample_path("000").read_bytes())})
    from fastapi.testclient import TestClient

    page_client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_client.get("/login").text).group(1)
    page_client.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token})
    page = page_client.get("/reports")
    assert 'data-url="/reports/charts.json' in page.text and "charts-data" not in page.text
    first = page_client.get("/reports/charts.json").json()
    assert first["stale"] is False and {ch["id"] for ch in first["charts"]} >= {"coverage_heatmap", "copy_network"}
    assert page_client.get("/reports/charts.json").json() == first  # cached
    c.post("/api/upload", files={"files": (sample_path("003").name, sample_path("003").read_bytes())})
    changed = page_client.get("/reports/charts.json").json()
    assert changed["stale"] is True and changed["charts"] == first["charts"]  # served at once, refreshed behind


def test_reports_stored_before_copies_were_kept_are_matched_in_the_background(tmp_path):
    """A page view never matches: an old database's report page says the passages are being
    computed; `fazhi serve` computes them in a worker process at start."""
    from sqlalchemy import text

    from fazhi.web.cli import backfill_copies

    app = make_app(tmp_path)
    c = client(app)
    ids = [c.post("/api/upload", files={"files": (sample_path(p).name, sample_path(p).read_bytes())}).json()[0]
           ["report_id"] for p in ("000", "003")]
    assert c.get(f"/api/reports/{ids[0]}/copies").json()["copies"]  # 000 and 003 share a paragraph
    with app.state.corpus.engine.begin() as conn:  # as a database migrated from the previous schema
        conn.execute(text("DELETE FROM copy_matches"))
        conn.execute(text("UPDATE reports SET copies_at = NULL"))
    from fastapi.testclient import TestClient

    page_client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_client.get("/login").text).group(1)
    page_client.post("/login", data={"username": "rev", "password": PASSWORD, "csrf_token": token})
    assert 'id="copies-pending"' in page_client.get(f"/reports/{ids[0]}").text
    assert c.get(f"/api/reports/{ids[0]}/copies").json()["copies"] == []
    with app.state.corpus.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM copy_matches")).scalar() == 0  # the views matched nothing
    assert backfill_copies(app) == 2
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not c.get(f"/api/reports/{ids[0]}/copies").json()["copies"]:
        time.sleep(0.3)
    assert c.get(f"/api/reports/{ids[0]}/copies").json()["copies"]
    assert 'id="copies-pending"' not in page_client.get(f"/reports/{ids[0]}").text


def test_an_oversized_file_is_refused_from_its_size_and_the_queue_holds_bounded_bytes(tmp_path):
    app = make_app(tmp_path, queue_bytes=400_000)
    c = client(app)
    (big,) = c.post("/api/upload", files={"files": ("太大.txt", b"a" * (51 * 1024 * 1024))}).json()
    assert big["error"].startswith("太大.txt：文件过大（51.0 MB，上限 50.0 MB）")
    assert [e for e in app.state.cycle.audit_log() if e["action"] == "upload.refused"
            and e["detail"]["filename"] == "太大.txt"]
    r = c.post("/api/upload?wait=false", files=[("files", ("一.html", long_page(100_000))),
                                                ("files", ("二.html", long_page(100_001)))])
    first, second = r.json()
    assert len(long_page(100_000)) * 2 > 400_000 > len(long_page(100_000))
    assert first.get("job_id") and second["status"] == 429 and "总量已达上限" in second["error"]
    assert poll(c, first["url"])["state"] == "done"
