"""Users' 👍/👎 on chat answers, in SQLite in the data dir: what was asked, answered and cited, and when.

One row per rating; a comment added afterwards updates that row. The file lives beside the index generations,
so an ingest (which replaces the index) never loses it. Each call opens its own short connection: the chat
answers in several threads at once, and SQLite serialises the few writes.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from core.models import Answer, Feedback

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, rating INTEGER NOT NULL, comment TEXT,
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, mode TEXT NOT NULL, user TEXT
);
"""
MAX_COMMENT = 2000  # characters kept of a comment: enough to explain, not a place to paste documents


def mode_of(answer: Answer) -> str:
    return "abstained" if answer.abstained else (answer.route or "prose")


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(SCHEMA)
        return db

    def add(self, answer: Answer, rating: int, user: str | None = None) -> int:
        """Store a rating of this answer; returns its id, for a comment that follows."""
        if rating not in (1, -1):
            raise ValueError("rating is 1 or -1")
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        citations = json.dumps([c.model_dump(mode="json") for c in answer.citations], ensure_ascii=False)
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, question, answer, citations, mode, user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created, rating, answer.question, answer.answer, citations, mode_of(answer), user))
            return int(cursor.lastrowid)

    def rate(self, feedback_id: int, rating: int) -> None:
        """A changed mind (👍 after 👎 on the same answer) replaces the rating rather than adding a second."""
        if rating not in (1, -1):
            raise ValueError("rating is 1 or -1")
        with closing(self._connect()) as db, db:
            db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, feedback_id))

    def comment(self, feedback_id: int, text: str) -> bool:
        text = (text or "").strip()[:MAX_COMMENT]
        with closing(self._connect()) as db, db:
            return db.execute("UPDATE feedback SET comment = ? WHERE id = ?",
                              (text or None, feedback_id)).rowcount == 1

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, created, rating, comment, question, answer, citations, mode, user "
                              "FROM feedback ORDER BY id").fetchall()
        return [Feedback(id=r[0], created=r[1], rating=r[2], comment=r[3], question=r[4], answer=r[5],
                         citations=json.loads(r[6]), mode=r[7], user=r[8]) for r in rows]
