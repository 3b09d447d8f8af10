"""Old and other office formats (.doc, .wps, .rtf, .odt) converted to .docx by LibreOffice.

    docx_bytes = to_docx(data, ".doc")      # raises OfficeError with a Chinese reason

Each call runs `soffice --headless --convert-to docx` in a temporary directory of its own
with a private profile (-env:UserInstallation), so parallel conversions do not wait on each
other's profile lock; a timeout stops a hung conversion (the whole process group is killed);
the directory is always removed. The result is then read as any .docx.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 120
DEBIAN_PACKAGE = "libreoffice-writer-nogui"
MAX_DOCX_BYTES = 200 * 1024 * 1024


class OfficeError(ValueError):
    """The file could not be converted; the message is the Chinese reason."""


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise OfficeError(f"读取该格式需要 LibreOffice，但未安装（Debian 软件包 {DEBIAN_PACKAGE}），"
                          "或请另存为 .docx 后再试")
    return exe


def to_docx(data: bytes, suffix: str, timeout: float = TIMEOUT_S) -> bytes:
    """The .docx LibreOffice makes of `data` (a .doc/.wps/.rtf/.odt file's bytes)."""
    exe = soffice()
    with tempfile.TemporaryDirectory(prefix="fazhi-office-") as tmp:
        work = Path(tmp)
        src = work / f"input{suffix}"
        src.write_bytes(data)
        out = work / "out"
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "docx", "--outdir", str(out), str(src)]
        _run(cmd, timeout, work)
        result = out / "input.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise OfficeError(f"{suffix} 文件已损坏或不是文字处理文档（LibreOffice 无法打开）")
        if result.stat().st_size > MAX_DOCX_BYTES:
            raise OfficeError("转换后的文档过大，已拒绝")
        return result.read_bytes()


def _run(cmd: list[str], timeout: float, home: Path) -> None:
    env = {**os.environ, "HOME": str(home), "SAL_USE_VCLPLUGIN": "svp"}
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                start_new_session=True)
    except OSError:
        raise OfficeError("无法运行 LibreOffice（soffice）") from None
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise OfficeError(f"LibreOffice 转换超时（超过 {timeout:.0f} 秒）") from None
    except BaseException:
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
