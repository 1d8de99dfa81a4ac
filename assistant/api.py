"""The library API that the CLI, the chat and the tests call: load once, ask many times."""
from __future__ import annotations

import threading

from core.models import Answer
from core.settings import Settings, get_settings
from index.search import Hit, Searcher

from .compose import Composer
from .question import QuestionReader


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.searcher = Searcher(self.settings)
        self.reader = QuestionReader(self.searcher.analyzer, self.searcher.doc_freq, self.searcher.bm25.surface_vocab)
        self.composer = Composer(self.searcher.analyzer, self.searcher.doc_freq, len(self.searcher.chunks))
        self._lock = threading.Lock()

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        q = self.reader.read(question)
        return self._search(q, k)

    def _search(self, q, k: int | None = None) -> list[Hit]:
        text = q.normalized if q.english else f"{q.text}\n{q.normalized}" if q.normalized != q.text.lower() else q.text
        hits = self.searcher.search(text, k=k or self.settings.top_k, filters=q.filters or None, terms=q.terms)
        if not hits and q.filters:
            hits = self.searcher.search(text, k=k or self.settings.top_k, terms=q.terms)
        return hits

    def ask(self, question: str) -> Answer:
        question = (question or "").strip()
        if not question:
            return Answer(question="", answer="Ställ en fråga om dokumenten.", abstained=True)
        with self._lock:
            q = self.reader.read(question)
            hits = self._search(q, max(self.settings.top_k, 8))
            return self.composer.compose(q, hits)

    def documents(self) -> list[dict]:
        return self.searcher.documents
