"""Walk the README as a new user would: every command, in order, in a fresh folder.

What is run, from top to bottom:
- ```console blocks: each `$ ` line is a command (a trailing `\\` continues it); the lines after it, up
  to the next `$ `, are its output as the README shows it. Every shown line must appear in what the
  command printed (spaces collapsed; `…` stands for any text; a line that is only `…` shows nothing).
  The exit status must be 0, or what a line `(exit status N)` under the command says.
- a block whose first line is `# NAME.yaml: …` (or .json, .txt) is written to NAME, as the README
  tells the reader to save it;
- ```python blocks are run with the project's python.
Other blocks (output shown on its own, illustrations) are not run.

The folder is fresh but looks like a clone: the repository's top-level files are linked into it (the
virtualenv too, so nothing is installed), and what the commands write stays in it. Three things differ
from a user's terminal, and only these: `make test` is not run (it is what runs this test); `make` gets
`-o .venv/.installed` so it never reinstalls the shared virtualenv; and the web server (`make demo`,
`fazhi serve`) listens on a free port in 18300-18399 instead of 8000 — it is started in the background,
must answer http://127.0.0.1:PORT/, and is stopped (like Ctrl-C) at the end of its block. Passwords
that `fazhi user add` would ask for come from $FAZHI_PASSWORD, as the README says.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PASSWORD = "readme-walk-1"
SERVER = re.compile(r"^(?:make\b.*\bdemo\b|\S*fazhi serve\b)")
EXIT = re.compile(r"^\(exit status (\d+)\)$")
SAVED = re.compile(r"^#\s*(\S+\.(?:ya?ml|json|txt))\b")
TIMEOUT = 600


@dataclass
class Command:
    line: str
    shown: list[str] = field(default_factory=list)
    status: int = 0


@dataclass
class Block:
    kind: str  # console | file | python
    lineno: int
    commands: list[Command] = field(default_factory=list)
    name: str = ""  # file: where to save it
    body: str = ""  # file, python: the text


def parse(markdown: str) -> list[Block]:
    """The blocks of the README that the walk runs, in order."""
    blocks, lines, i = [], markdown.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        i = start
        while i < len(lines) and lines[i].rstrip() != "```":
            i += 1
        body = lines[start:i]
        i += 1
        if lang == "console":
            blocks.append(Block("console", start, commands=_commands(body)))
        elif body and (s := SAVED.match(body[0])):
            blocks.append(Block("file", start, name=s.group(1), body="\n".join(body) + "\n"))
        elif lang == "python":
            blocks.append(Block("python", start, body="\n".join(body) + "\n"))
    return blocks


def _commands(body: list[str]) -> list[Command]:
    out: list[Command] = []
    for line in body:
        if line.startswith("$ "):
            out.append(Command(line[2:]))
        elif out and out[-1].line.endswith("\\") and not out[-1].shown:
            out[-1].line = out[-1].line[:-1].rstrip() + " " + line.strip()
        elif out and (m := EXIT.match(line.strip())):
            out[-1].status = int(m.group(1))
        elif out and line.strip() and line.strip() != "…":
            out[-1].shown.append(line)
    return out


def _collapse(s: str) -> str:
    return " ".join(s.split())


def missing_lines(shown: list[str], printed: str) -> list[str]:
    """Shown lines that do not appear in the printed output (`…` matches anything)."""
    text = _collapse(printed)
    return [ln for ln in shown
            if not re.search(".*?".join(map(re.escape, _collapse(ln).split("…"))), text)]


def _free_port() -> int:
    for port in range(18300, 18400):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 18300-18399")


class Walk:
    def __init__(self, folder: Path) -> None:
        self.dir = folder
        for entry in ROOT.iterdir():
            if entry.name not in (".git", "README.md") and not entry.name.endswith(".db"):
                (folder / entry.name).symlink_to(entry)
        (folder / "README.md").symlink_to(README)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAZHI_", "PYTEST_"))}
        env.update(PATH=f"{ROOT / '.venv' / 'bin'}:{env['PATH']}", FAZHI_PASSWORD=PASSWORD, COLUMNS="200",
                   TERM="dumb", NO_COLOR="1", LANG="C.UTF-8")
        self.env = env
        self.servers: list[tuple[subprocess.Popen, Path]] = []

    def shell(self, line: str) -> str:
        if line.startswith("make "):
            line = "make -o .venv/.installed " + line[len("make "):]
        return line

    def run(self, cmd: Command) -> tuple[int, str]:
        r = subprocess.run(["bash", "-c", self.shell(cmd.line)], cwd=self.dir, env=self.env, capture_output=True,
                           text=True, timeout=TIMEOUT)
        return r.returncode, r.stdout + r.stderr

    def serve(self, cmd: Command) -> tuple[int, str]:
        port = _free_port()
        line = re.sub(r"--port\s+8000\b", f"--port {port}", self.shell(cmd.line))
        if "--port" not in line:
            line += f" PORT={port}" if line.startswith("make ") else f" --port {port}"
        log = self.dir / f".server-{port}.log"
        with open(log, "w", encoding="utf-8") as out:
            p = subprocess.Popen(["bash", "-c", line], cwd=self.dir, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        self.servers.append((p, log))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and p.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        time.sleep(0.5)
        printed = log.read_text(encoding="utf-8").replace(f":{port}/", ":8000/")
        return (p.returncode if p.poll() is not None else 0), printed

    def stop_servers(self) -> None:
        for p, _log in self.servers:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGINT)  # Ctrl-C
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        self.servers.clear()

    def python(self, body: str) -> tuple[int, str]:
        r = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", body], cwd=self.dir, env=self.env,
                           capture_output=True, text=True, timeout=TIMEOUT)
        return r.returncode, r.stdout + r.stderr


def test_parse_reads_commands_output_and_exit_status():
    blocks = parse("text\n```console\n$ a 1 \\\n  2\nout 1\n…\n(exit status 2)\n$ b\n```\n"
                   "```yaml\n# x.yaml: a rubric\nk: 1\n```\n```\nnot run\n```\n```python\nprint(1)\n```\n")
    assert [b.kind for b in blocks] == ["console", "file", "python"]
    a, b = blocks[0].commands
    assert (a.line, a.shown, a.status) == ("a 1 2", ["out 1"], 2) and (b.line, b.shown, b.status) == ("b", [], 0)
    assert blocks[1].name == "x.yaml" and blocks[1].body == "# x.yaml: a rubric\nk: 1\n"
    assert missing_lines(["共 5 份", "已写入 …：…，6 行"], "x\n共  5 份\n已写入 a.csv：表，6 行\n") == []
    assert missing_lines(["共 6 份"], "共 5 份") == ["共 6 份"]


def test_readme_names_nothing_outside_the_repository():
    text = README.read_text(encoding="utf-8")
    assert "../" not in text and "/work/" not in text
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        assert link.startswith("http") or (ROOT / link).exists(), link


def test_every_readme_command_runs_as_written(tmp_path):
    walk = Walk(tmp_path)
    failures: list[str] = []
    ran = 0
    try:
        for block in parse(README.read_text(encoding="utf-8")):
            if block.kind == "file":
                (tmp_path / block.name).write_text(block.body, encoding="utf-8")
                continue
            if block.kind == "python":
                status, printed = walk.python(block.body)
                ran += 1
                if status != 0:
                    failures.append(f"README line {block.lineno} (python): exit {status}\n{printed[-2000:]}")
                continue
            for cmd in block.commands:
                if cmd.line.split("#")[0].strip() == "make test":
                    continue  # the command running this test
                status, printed = (walk.serve if SERVER.match(cmd.line) else walk.run)(cmd)
                ran += 1
                if status != cmd.status:
                    failures.append(f"README line {block.lineno}: `{cmd.line}` exit {status}, README shows "
                                    f"{cmd.status}\n{printed[-2000:]}")
                elif lost := missing_lines(cmd.shown, printed):
                    failures.append(f"README line {block.lineno}: `{cmd.line}` did not print {lost}\n{printed[-2000:]}")
            walk.stop_servers()
    finally:
        walk.stop_servers()
    assert failures == []
    assert ran >= 30
