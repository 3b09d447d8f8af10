"""A bounded, seeded fuzz run in CI: cheap cases of every family (txt in many encodings, .docx,
web pages, PDFs; text, structural and byte mutations), each analysed in a forked worker with a
2 GiB address-space limit and a 10 s CPU limit. No case may raise anything but a clear InputError,
exceed the limits, point a span outside its text, or give non-strict JSON (tests/fuzz_harness.py).

The harness runs in its own process (forking a pytest process that may hold threads is unsafe).
bench/fuzz.py runs the same harness on 100,000 cases.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = int(os.environ.get("FAZHI_FUZZ_CASES", "3000"))  # ~0.15 s worker CPU each: ~4 min on 2 cores
SEED = int(os.environ.get("FAZHI_FUZZ_SEED", "20261128"))


def test_seeded_fuzz_sample_has_no_failure():
    proc = subprocess.run([sys.executable, str(HERE / "fuzz_harness.py"), "--cases", str(CASES), "--seed", str(SEED),
                           "--cheap", "--jobs", "2", "--json"], capture_output=True, text=True, timeout=1800)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    outcomes = json.loads(proc.stdout)
    assert len(outcomes) == CASES
    families = {o["family"] for o in outcomes}
    assert {"txt_text", "txt_byte", "docx_struct", "html_struct", "pdf_text", "special"} <= families
    statuses = {o["status"] for o in outcomes}
    assert {"ok", "refused"} <= statuses  # the run reads good files and refuses broken ones
    failed = [f"{o['status']} case={o['index']} {o['family']} {o['name'][:80]}: {o['detail'][:300]}"
              for o in outcomes if o["status"] not in ("ok", "refused")]
    assert not failed, f"seed {SEED}: " + "\n".join(failed[:20])
