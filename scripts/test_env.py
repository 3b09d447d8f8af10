#!/usr/bin/env python3
"""What `make test` runs: set up everything the test suite needs, run it, tear it down.

    python3 scripts/test_env.py -- .venv/bin/pytest -q      # what `make test` does
    FAZHI_TEST_MINIMAL=1 make test                         # no system packages: those tests left out

1. The Debian packages of scripts/debian-packages.txt: the missing ones are installed with apt-get
   (`apt-get update` only when something is missing) when run as root; when not root, one line
   names them and the command that installs them, and the exit status is 2. Nothing is skipped
   silently: a test whose package is missing fails (tests/conftest.py).
2. A throwaway PostgreSQL cluster (UTF-8, C.UTF-8 locale) in a temporary directory on a free port,
   run as user postgres when root, as the current user otherwise; FAZHI_TEST_PG_URL points at
   it. It is stopped and deleted afterwards, also on Ctrl-C. A FAZHI_TEST_PG_URL already set is
   used as it is.
3. The command after `--`, with that environment; its exit status is this script's.

Standard library only, so that it runs before the virtualenv has anything in it.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = HERE / "debian-packages.txt"
EXIT_MISSING = 2
PG_USER = "postgres"
PG_DB = "fazhi_test"


def read_packages(path: Path = PACKAGES) -> list[str]:
    """Package names, one a line; text after # is a comment."""
    names = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [n for n in names if n]


def dpkg_installed(packages: list[str]) -> set[str] | None:
    """The packages dpkg knows as installed; None when this is not a dpkg (Debian/Ubuntu) system."""
    if shutil.which("dpkg-query") is None:
        return None
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *packages],
                       capture_output=True, text=True)
    return {name for name, _, status in (ln.partition(" ") for ln in r.stdout.splitlines()) if status == "installed"}


def missing_packages(packages: list[str], installed: set[str]) -> list[str]:
    return [p for p in packages if p not in installed]


def install_command(missing: list[str]) -> str:
    return "sudo apt-get install -y --no-install-recommends " + " ".join(missing)


def missing_line(missing: list[str]) -> str:
    """The one line a user who is not root gets when packages are missing."""
    return (f"make test：缺少测试所需的 Debian 软件包：{' '.join(missing)}。请运行：{install_command(missing)}"
            "（或以 root 运行 make test 自动安装；FAZHI_TEST_MINIMAL=1 make test 只运行不需要系统软件包的测试）")


@dataclass
class Plan:
    install: list[str]  # to apt-get install now (root)
    refuse: str | None  # the line to print before exiting with EXIT_MISSING (not root)
    note: str | None = None  # a line to print and go on (not Debian)


def plan(packages: list[str], installed: set[str] | None, is_root: bool) -> Plan:
    """What to do about the system packages (pure: the tests of this script call it directly)."""
    if installed is None:
        return Plan([], None, "make test：不是 Debian/Ubuntu 系统，无法检查软件包；请自行安装与 "
                              f"scripts/debian-packages.txt 相当的软件：{' '.join(packages)}")
    missing = missing_packages(packages, installed)
    if not missing:
        return Plan([], None)
    if is_root:
        return Plan(missing, None)
    return Plan([], missing_line(missing))


def apt_install(packages: list[str]) -> None:
    print(f"make test：正在安装测试所需的 Debian 软件包：{' '.join(packages)}", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(f"make test：{' '.join(cmd[:2])} 失败，请查看上面的错误信息。")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path | None:
    """The directory of initdb/pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else PATH."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@contextmanager
def pg_cluster(bindir: Path, is_root: bool) -> Iterator[str]:
    """A throwaway cluster on a free port; yields its URL; stopped and deleted on exit."""
    tmp = Path(tempfile.mkdtemp(prefix="fazhi_pg."))
    as_user: list[str] = []
    if is_root:  # initdb refuses to run as root
        shutil.chown(tmp, PG_USER)
        as_user = ["runuser", "-u", PG_USER, "--"]
    data, port = tmp / "data", free_port()
    run: Callable[..., subprocess.CompletedProcess] = lambda *cmd: subprocess.run(  # noqa: E731
        [*as_user, *map(str, cmd)], stdout=subprocess.DEVNULL, check=True)
    try:
        run(bindir / "initdb", "-D", data, "-U", PG_USER, "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust")
        run(bindir / "pg_ctl", "-D", data, "-l", tmp / "log", "-w", "start",
            "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1")
        try:
            run(bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", PG_USER, "-E", "UTF8",
                "--locale=C.UTF-8", "-T", "template0", PG_DB)
            yield f"postgresql://{PG_USER}@127.0.0.1:{port}/{PG_DB}"
        finally:
            subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _terminate(signum, _frame):  # noqa: ANN001 - a signal handler
    raise SystemExit(128 + signum)


def run_tests(cmd: list[str], env: dict[str, str]) -> int:
    try:
        return subprocess.run(cmd, env=env).returncode
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv[argv.index("--") + 1:] if "--" in argv else argv
    if not cmd:
        print("用法：python3 scripts/test_env.py -- 测试命令 …", file=sys.stderr)
        return EXIT_MISSING
    env = dict(os.environ)
    if env.get("FAZHI_TEST_MINIMAL") == "1":
        return run_tests(cmd, env)
    is_root = os.geteuid() == 0
    packages = read_packages()
    p = plan(packages, dpkg_installed(packages), is_root)
    if p.note:
        print(p.note, file=sys.stderr)
    if p.refuse:
        print(p.refuse, file=sys.stderr)
        return EXIT_MISSING
    if p.install:
        apt_install(p.install)
    if env.get("FAZHI_TEST_PG_URL"):
        return run_tests(cmd, env)
    bindir = pg_bin()
    if bindir is None:
        print(f"make test：找不到 PostgreSQL（initdb）。请运行：{install_command(['postgresql'])}", file=sys.stderr)
        return EXIT_MISSING
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with pg_cluster(bindir, is_root) as url:
            env["FAZHI_TEST_PG_URL"] = url
            return run_tests(cmd, env)
    except subprocess.CalledProcessError as e:
        step = next((Path(c).name for c in e.cmd if Path(c).parent == bindir), "PostgreSQL")
        print(f"make test：无法启动临时 PostgreSQL（{step} 退出码 {e.returncode}）", file=sys.stderr)
        return EXIT_MISSING


if __name__ == "__main__":
    sys.exit(main())
