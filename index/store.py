"""SQLite beside Chroma: documents (with fingerprints for incremental ingest), chunks, and the repaired text."""
from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

from pydantic import TypeAdapter

from core.models import Chunk, Decision, DocumentMeta, Figure, GoalNode, TableCheck

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, fingerprint TEXT NOT NULL, meta TEXT NOT NULL,
    n_chunks INTEGER NOT NULL, notes TEXT, ingested_at REAL NOT NULL, original TEXT, repaired TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, hash TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS chunk_filters (id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, doc_type TEXT, year INTEGER,
    body TEXT);
CREATE INDEX IF NOT EXISTS chunk_filters_doc ON chunk_filters(doc_id);
CREATE TABLE IF NOT EXISTS figures (
    id TEXT NOT NULL, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, year INTEGER, kind TEXT, unit TEXT,
    status TEXT, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc_id);
CREATE INDEX IF NOT EXISTS figures_id ON figures(id);
CREATE INDEX IF NOT EXISTS figures_status ON figures(status);
CREATE TABLE IF NOT EXISTS table_checks (doc_id TEXT NOT NULL, ord INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS goals (id TEXT NOT NULL, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, level TEXT NOT NULL,
    year INTEGER, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS goals_doc ON goals(doc_id);
CREATE TABLE IF NOT EXISTS decisions (id TEXT NOT NULL, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL,
    year INTEGER, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_doc ON decisions(doc_id);
CREATE INDEX IF NOT EXISTS table_checks_doc ON table_checks(doc_id);
"""


class Store:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(SCHEMA)
        self.db.commit()

    # meta
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        self.db.commit()

    # documents
    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """doc_id → (source, fingerprint)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT doc_id, source, fingerprint FROM documents")}

    def documents(self) -> list[dict]:
        rows = self.db.execute("SELECT meta, n_chunks, notes, ingested_at FROM documents ORDER BY source")
        return [{**json.loads(m), "n_chunks": n, "notes": json.loads(notes or "[]"), "ingested_at": t}
                for m, n, notes, t in rows]

    def paragraphs(self) -> set[str]:
        """Every protocol paragraph (`§ 58`) a heading names: one scan of the section paths, read once."""
        rows = self.db.execute("SELECT json_extract(data, '$.section_path') FROM chunks WHERE data LIKE '%§%'")
        return {f"§ {n}" for (path,) in rows for n in re.findall(r"§\s*(\d+)", path or "")}

    def document_text(self, doc_id: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT original, repaired FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ? ORDER BY ord", (doc_id,))]

    def replaced_chunk_ids(self, meta: DocumentMeta) -> list[str]:
        """The chunks a new version of this document replaces: those under its id, and those of a version stored
        for the same source under another id (ids were slugs of the path before pipeline 8)."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM chunks WHERE doc_id = ? OR doc_id IN (SELECT doc_id FROM documents WHERE source = ?) "
            "ORDER BY doc_id, ord", (meta.doc_id, meta.source))]

    def replace_document(self, meta: DocumentMeta, fingerprint: str, chunks: list[Chunk], notes: list[str],
                         original: str, repaired: str, figures: list[Figure] = (),
                         checks: list[TableCheck] = (), goals: list[GoalNode] = (),
                         decisions: list[Decision] = ()) -> None:
        with self.db:  # one transaction: a document is replaced whole (chunks, figures, goals …) or not at all
            self._delete(meta.doc_id)
            for (other,) in self.db.execute("SELECT doc_id FROM documents WHERE source = ? AND doc_id != ?",
                                            (meta.source, meta.doc_id)).fetchall():
                self._delete(other)  # one source, one document: a version under an older id goes
                self.db.execute("DELETE FROM documents WHERE doc_id = ?", (other,))
            self.db.executemany("INSERT INTO goals (id, doc_id, ord, level, year, data) VALUES (?, ?, ?, ?, ?, ?)",
                                [(g.id, g.doc_id, i, g.level, g.year, g.model_dump_json()) for i, g in enumerate(goals)])
            self.db.executemany(
                "INSERT INTO decisions (id, doc_id, ord, kind, year, data) VALUES (?, ?, ?, ?, ?, ?)",
                [(d.id, d.doc_id, i, d.kind, d.year, d.model_dump_json()) for i, d in enumerate(decisions)])
            self.db.executemany(
                "INSERT INTO figures (id, doc_id, ord, year, kind, unit, status, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(f.id, f.doc_id, i, f.year, f.kind, f.unit, f.status, f.model_dump_json()) for i, f in enumerate(figures)],
            )
            self.db.executemany("INSERT INTO table_checks (doc_id, ord, data) VALUES (?, ?, ?)",
                                [(c.doc_id, i, c.model_dump_json()) for i, c in enumerate(checks)])
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (meta.doc_id, meta.source, fingerprint, meta.model_dump_json(), len(chunks), json.dumps(notes),
                 time.time(), original, repaired),
            )
            self.db.executemany("INSERT OR REPLACE INTO chunk_filters VALUES (?, ?, ?, ?, ?)",
                                [(c.id, c.doc_id, c.doc_type, c.year, c.body) for c in chunks])
            self.db.executemany(
                "INSERT INTO chunks (id, doc_id, ord, hash, data) VALUES (?, ?, ?, ?, ?)",
                [(c.id, c.doc_id, i, c.hash, c.model_dump_json()) for i, c in enumerate(chunks)],
            )

    def delete_document(self, doc_id: str) -> None:
        with self.db:
            self._delete(doc_id)
            self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def _delete(self, doc_id: str) -> None:
        for table in ("chunks", "chunk_filters", "figures", "table_checks", "goals", "decisions"):
            self.db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    # chunks
    def all_chunks(self) -> list[Chunk]:
        return [Chunk.model_validate_json(r[0]) for r in self.db.execute("SELECT data FROM chunks ORDER BY doc_id, ord")]

    def count_chunks(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    # figures
    def all_figures(self) -> list[Figure]:
        return _many(Figure, self.db.execute("SELECT data FROM figures ORDER BY doc_id, ord"))

    def table_checks(self) -> list[TableCheck]:
        return [TableCheck.model_validate_json(r[0])
                for r in self.db.execute("SELECT data FROM table_checks ORDER BY doc_id, ord")]

    def all_goals(self) -> list[GoalNode]:
        return _many(GoalNode, self.db.execute("SELECT data FROM goals ORDER BY doc_id, ord"))

    def all_decisions(self) -> list[Decision]:
        return _many(Decision, self.db.execute("SELECT data FROM decisions ORDER BY doc_id, ord"))

    def figures_by_id(self, ids: list[str]) -> list[Figure]:
        out: list[Figure] = []
        for i in range(0, len(ids), 500):
            part = ids[i: i + 500]
            out += _many(Figure, self.db.execute(f"SELECT data FROM figures WHERE id IN ({','.join('?' * len(part))})", part))
        return out

    def repaired_figures(self, source: str) -> list[Figure]:
        return _many(Figure, self.db.execute(
            "SELECT data FROM figures WHERE status = 'repaired' AND json_extract(data, '$.source') = ?", (source,)))

    def chunk_filters(self) -> dict[str, tuple]:
        """Each chunk's filter fields (doc_type, year, body), without reading the chunks themselves."""
        rows = self.db.execute("SELECT id, doc_type, year, body FROM chunk_filters").fetchall()
        if len(rows) < self.count_chunks():  # an index written before this table existed
            rows = self.db.execute("SELECT id, json_extract(data, '$.doc_type'), json_extract(data, '$.year'), "
                                   "json_extract(data, '$.body') FROM chunks").fetchall()
        return {cid: (doc_type, year, body) for cid, doc_type, year, body in rows}

    def count_figures(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM figures").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def _many(model, rows) -> list:
    """Many records in one validation call: a JSON array through a TypeAdapter, not one call per row."""
    texts = [r[0] for r in rows]
    if not texts:
        return []
    return TypeAdapter(list[model]).validate_json("[" + ",".join(texts) + "]")
