"""scripts/test_env.py, what `make test` runs: the Debian packages (install as root, one line and exit 2
otherwise), the throwaway PostgreSQL on a free port, and `.ci/run` being nothing but `make test`."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "test_env.py"


def _load():
    spec = importlib.util.spec_from_file_location("fazhi_test_env", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


te = _load()
PACKAGES = te.read_packages()


def test_package_list_is_one_file_with_what_the_tests_need():
    for pkg in ("libreoffice-writer-nogui", "fonts-noto-cjk", "poppler-utils", "postgresql", "chromium",
                "tesseract-ocr", "tesseract-ocr-chi-sim"):
        assert pkg in PACKAGES
    assert all(" " not in p and "#" not in p for p in PACKAGES) and len(set(PACKAGES)) == len(PACKAGES)


def test_plan_installs_as_root_and_names_the_command_otherwise():
    installed = set(PACKAGES) - {"chromium", "postgresql"}
    as_root = te.plan(PACKAGES, installed, is_root=True)
    assert as_root.install == ["postgresql", "chromium"] and as_root.refuse is None
    user = te.plan(PACKAGES, installed, is_root=False)
    assert user.install == [] and "\n" not in user.refuse
    assert "chromium" in user.refuse and "postgresql" in user.refuse
    assert "sudo apt-get install -y --no-install-recommends postgresql chromium" in user.refuse
    assert "FAZHI_TEST_MINIMAL=1" in user.refuse
    assert te.plan(PACKAGES, set(PACKAGES), is_root=False) == te.Plan([], None)
    other = te.plan(PACKAGES, None, is_root=True)  # no dpkg: say what is needed, go on
    assert other.install == [] and other.refuse is None and "postgresql" in other.note


def _fake_dpkg(missing: str) -> Path:
    """A bin folder (readable by anyone) whose dpkg-query reports every package installed but one."""
    d = Path(tempfile.mkdtemp(prefix="fazhi_fake_dpkg."))
    d.chmod(0o755)
    exe = d / "dpkg-query"
    exe.write_text("#!/bin/sh\nshift 2\nfor p in \"$@\"; do\n"
                   f"  if [ \"$p\" = \"{missing}\" ]; then echo \"$p not-installed\"; else echo \"$p installed\"; fi\n"
                   "done\n", encoding="utf-8")
    exe.chmod(0o755)
    return d


def _run_as_non_root(fake_bin: Path, capfd, monkeypatch) -> tuple[int, str, str]:
    """The script as a user who is not root: `nobody` via runuser when we are root and a system python
    exists that `nobody` may run; otherwise in this process, with os.geteuid() answering 1000."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_TEST")}
    env["PATH"] = f"{fake_bin}:{env['PATH']}"
    argv = ["--", "sh", "-c", "echo ran-the-tests"]
    if os.geteuid() == 0 and Path("/usr/bin/python3").exists():
        r = subprocess.run(["runuser", "-u", "nobody", "--", "/usr/bin/python3", str(SCRIPT), *argv],
                           capture_output=True, text=True, env=env, timeout=60, cwd="/")
        return r.returncode, r.stdout, r.stderr
    for k in [k for k in os.environ if k.startswith("FAZHI_TEST")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setattr(te.os, "geteuid", lambda: 1000)
    rc = te.main(argv)
    out, err = capfd.readouterr()
    return rc, out, err


def test_not_root_and_a_package_missing_is_one_line_and_exit_2(capfd, monkeypatch):
    fake = _fake_dpkg("chromium")
    try:
        rc, out, err = _run_as_non_root(fake, capfd, monkeypatch)
    finally:
        shutil.rmtree(fake)
    assert rc == 2 and "ran-the-tests" not in out
    (line,) = err.splitlines()
    assert "chromium" in line and "sudo apt-get install -y --no-install-recommends chromium" in line
    assert "postgresql" not in line.split("：")[1]  # only what is missing is named


def test_minimal_runs_the_command_without_checking_anything():
    fake = _fake_dpkg("postgresql")
    try:
        env = {**os.environ, "FAZHI_TEST_MINIMAL": "1", "PATH": f"{fake}:{os.environ['PATH']}"}
        env.pop("FAZHI_TEST_PG_URL", None)
        r = subprocess.run([sys.executable, str(SCRIPT), "--", "sh", "-c", 'echo "pg=[$FAZHI_TEST_PG_URL]"; exit 3'],
                           capture_output=True, text=True, env=env, timeout=60)
    finally:
        shutil.rmtree(fake)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (3, "pg=[]", "")


@pytest.mark.needs("postgresql")
def test_throwaway_postgresql_on_a_free_port_is_removed_afterwards(tmp_path):
    """The real thing: a cluster is started, the command sees its URL and can use it, and it is gone after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_TEST")}
    probe = ("import os, psycopg; url = os.environ['FAZHI_TEST_PG_URL']; print(url); "
             "c = psycopg.connect(url); print(c.execute('show server_encoding').fetchone()[0]); "
             "print(c.execute('show data_directory').fetchone()[0])")
    r = subprocess.run([sys.executable, str(SCRIPT), "--", sys.executable, "-c", probe],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    url, encoding, data_dir = r.stdout.split()
    assert url.startswith("postgresql://postgres@127.0.0.1:") and url.endswith("/fazhi_test")
    assert encoding == "UTF8" and not Path(data_dir).exists()
    r = subprocess.run([sys.executable, str(SCRIPT), "--", "sh", "-c", "exit 5"], env=env, timeout=300)
    assert r.returncode == 5  # the command's exit status is make test's


def test_ci_runs_make_test_and_make_test_runs_the_script():
    ci = [ln for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if ln.strip() and not ln.startswith("#")]
    assert ci == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', "exec make test"]
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(PYTHON) scripts/test_env.py -- $(BIN)/pytest -q $(PYTEST_ARGS)\n" in make
