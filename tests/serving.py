"""Servers the tests start on loopback: a free port, waiting until one answers, stopping it."""
from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(ready: Callable[[], bool], proc: subprocess.Popen, log_path: Path, what: str,
                  seconds: float = 120.0) -> None:
    """Poll `ready` (any error counts as not yet) until it holds; fail with the tail of the server's log when
    the process exits or `seconds` pass, so a server that cannot start says why."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log = _tail(log_path)
            state = f"exited ({proc.returncode})" if proc.poll() is not None else f"not up after {seconds:.0f} s"
            raise RuntimeError(f"{what} {state}: {log}")
        time.sleep(0.5)


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""


def died_while_used(proc: subprocess.Popen, log_path: Path, what: str) -> None:
    """Fail when the server exited before the tests were done with it: a crash otherwise shows only as refused
    connections in whichever test came next (a llama.cpp build that hit an illegal instruction did that)."""
    code = proc.poll()
    if code is None:
        return
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    raise RuntimeError(f"{what} died while the tests used it ({how}): {_tail(log_path)}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
