"""Issue 11's worst case: one account uploads two similar, repetitive files (2 MB and 8 MB); a
reviewer opens them, the report list and its charts. Before, this grew the server to 24 GB.
Here the whole server — and every worker process it starts, which inherit the limit — runs under
an address-space limit the test sets (RLIMIT_AS 1.5 GB), and everything must answer 200, with
the shared passages found."""
from __future__ import annotations

import json
import subprocess
import sys

LIMIT_MB = 1536

SCRIPT = r'''
import json, re, resource, sys
from pathlib import Path

limit = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from fastapi.testclient import TestClient
from fazhi.pipeline import MAX_TEXT_CHARS, MAX_TEXT_LINES
from fazhi.web.app import create_app

work = Path(sys.argv[1])
sample = Path(sys.argv[3]).read_text(encoding="utf-8")
paras = [p for p in sample.splitlines() if p.strip()]

def page(mb, share):
    """A web page of about `mb` MB: the sample's paragraphs repeated (their text a share of the
    analysis limits), the rest markup."""
    body, chars = [], 0
    while chars < share * MAX_TEXT_CHARS and len(body) < share * MAX_TEXT_LINES:
        body.append(paras[len(body) % len(paras)]); chars += len(body[-1])
    pad = max(0, (mb * 1024 * 1024 - len("".join(body).encode())) // len(body) - 30)
    attr = ' data-x="' + "x" * pad + '"'
    return ("<html><head><meta charset='utf-8'></head><body><article>" +
            "".join(f"<p{attr}>{p}</p>\n" for p in body) + "</article></body></html>").encode()

small, big = page(2, 0.25), page(8, 0.8)
app = create_app(str(work / "big.db"))
app.state.cycle.add_user("unit", "unit-pass-123", "unit", unit_name="某某镇人民政府")
app.state.cycle.add_user("rev", "rev-pass-1234", "reviewer")
unit = TestClient(app); unit.auth = ("unit", "unit-pass-123")
ups = unit.post("/api/upload", files=[("files", ("两兆.html", small)), ("files", ("八兆.html", big))]).json()
rev = TestClient(app)
token = re.search(r'name="csrf_token" value="([^"]+)"', rev.get("/login").text).group(1)
rev.post("/login", data={"username": "rev", "password": "rev-pass-1234", "csrf_token": token})
out = {"sizes": [len(small), len(big)], "uploads": ups, "status": {}}
for u in ups:
    rid = u.get("report_id")
    r = rev.get(f"/reports/{rid}")
    out["status"][f"page{rid}"] = r.status_code
    out["marks"] = out.get("marks", 0) + r.text.count("hl-copy")
    copies = rev.get(f"/api/reports/{rid}/copies")
    out["status"][f"copies{rid}"] = copies.status_code
    out[f"copies{rid}"] = len(copies.json().get("copies", []))
out["status"]["list"] = rev.get("/reports").status_code
out["status"]["charts"] = rev.get("/reports/charts.json").status_code
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(out, ensure_ascii=False))
'''


def test_two_similar_repetitive_uploads_of_2_and_8_mb_stay_within_a_memory_limit(tmp_path):
    from conftest import sample_path

    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), str(LIMIT_MB), str(sample_path("000"))],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["sizes"][0] > 2_000_000 and out["sizes"][1] > 8_000_000
    assert [u.get("state") for u in out["uploads"]] == ["done", "done"], out["uploads"]
    assert set(out["status"].values()) == {200}, out["status"]
    ids = [u["report_id"] for u in out["uploads"]]
    assert out[f"copies{ids[0]}"] > 0 and out[f"copies{ids[1]}"] > 0 and out["marks"] > 0
    assert out["peak_mb"] < LIMIT_MB
