"""The language model, built from settings through llama-index's LLM classes: one place that knows how to talk
to an OpenAI-compatible server (vLLM, llama.cpp, Azure OpenAI, LM Studio, …) or to Ollama.

Why llama-index's classes rather than raw HTTP: they already speak both protocols, stream, and carry timeouts,
so a new server kind is one branch here. They are an optional extra (`pip install -e '.[llm]'`): the default
install, which answers extractively, does not need them. Sampling is fixed (temperature 0, a seed) so that the
same evidence gives the same answer as far as the server allows, and retries are off: a model that is down is
reported at once, and the extractive answer is given instead of waiting through retries.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from core.settings import Settings

SEED = 0


class LLMUnavailable(RuntimeError):
    """The LLM is configured but cannot be built (extra not installed, URL or model missing)."""


def build_llm(settings: Settings):
    """The llama-index LLM the settings name, or None for `ASSISTANT_LLM=none`."""
    if settings.llm == "none":
        return None
    if not settings.llm_model:
        raise LLMUnavailable("ASSISTANT_LLM_MODEL is not set: which model on the server should answer?")
    timeout = settings.llm_timeout_s
    if settings.llm == "openai-like":
        if not settings.llm_url:
            raise LLMUnavailable("ASSISTANT_LLM_URL is not set (e.g. http://127.0.0.1:8000/v1)")
        try:
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as exc:
            raise LLMUnavailable("ASSISTANT_LLM=openai-like needs the [llm] extra: pip install -e '.[llm]'") from exc
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        return OpenAILike(model=settings.llm_model, api_base=settings.llm_url, api_key=key, is_chat_model=True,
                          is_function_calling_model=False, context_window=8192, temperature=0.0,
                          max_tokens=settings.llm_max_tokens, timeout=timeout, max_retries=0,
                          additional_kwargs={"seed": SEED})
    if settings.llm == "ollama":
        try:
            from llama_index.llms.ollama import Ollama
        except ImportError as exc:
            raise LLMUnavailable("ASSISTANT_LLM=ollama needs the [llm] extra: pip install -e '.[llm]'") from exc
        return Ollama(model=settings.llm_model, base_url=settings.llm_url or "http://127.0.0.1:11434",
                      request_timeout=timeout, temperature=0.0, context_window=8192,
                      additional_kwargs={"seed": SEED, "num_predict": settings.llm_max_tokens})
    raise LLMUnavailable(f"unknown ASSISTANT_LLM {settings.llm!r}")


def describe(settings: Settings) -> str:
    """What the log and `assistant eval --llm` may say about the model: kind, model and URL, never the key."""
    if settings.llm == "none":
        return "none"
    url = urlsplit(settings.llm_url or "default")
    if url.username or url.password:  # `https://user:secret@host/v1`: the host only
        url = url._replace(netloc=url.hostname + (f":{url.port}" if url.port else ""))
    return f"{settings.llm}:{settings.llm_model}@{urlunsplit(url)}"
