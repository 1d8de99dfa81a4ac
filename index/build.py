"""Corpus → index, incrementally: unchanged files are not read past their hash, changed files are replaced
whole, deleted files are removed, and text already embedded is taken from the cache."""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.models import Chunk
from core.settings import Settings
from ingest.areas import Areas, load_areas
from ingest.catalog import load_catalog, relative_path, source_for
from ingest.document import ParsedDocument, parse_file
from ingest.lexicon import LEXICON_VERSION, load_lexicon
from ingest.ocr_repair import Repairer
from ingest.readers import SUPPORTED, ReadError, read_bytes
from ingest.units import embedding_text, units_of

from .analyzer import ANALYZER_ID, SwedishAnalyzer, surface_vocabulary
from .bm25 import BM25Index
from .generations import abandon, begin, is_complete, publish, remove_generations, writer_lock
from .records import rebuild_record_indexes
from .embedders import EmbeddingCache, get_embedder
from .store import Store
from .vectors import VectorStore

# Bump when parsing or extraction changes so that every file is re-ingested (2: figures; 3: goals, decisions;
# 4: verb-stem compounds; 5: units embedded for the reader; 6: a tab table's label row is its column header;
# 7: running-text figures with kind, basis, period and context from the words around them; 8: sources relative
# to the corpus dir and document ids a slug plus a hash of the path, so chunk, figure, goal and decision ids change;
# a heading with nothing under it is text of its own; 9: OCR repair leaves clean and short texts as printed;
# 10–15: page furniture, contents lists and download labels blanked, agenda items, meeting decisions, statement
# columns (Not, Avvikelse), subtotals, deviations and report years in running text, perspective headings and
# numbered goals and assignments, form and case lines as units, strong verbs, OCR damage judged per page; 18: a
# name line with the title beside it as a unit; 19: OCR repair leaves an acronym in capitals as printed; 20: a
# label ending in a preposition read with the line after it; 21: a sentence that refers back quoted with the one
# before it; 22: a lettered point wrapped onto the next line is list text, not an agenda heading, and a sentence
# broken by a blank line, or a line ending in a preposition or conjunction, is one sentence; 23: a chunk carries
# the footnotes its marks refer to, and a marked unit is quoted with its note; 24: a short paragraph is a unit;
# 25: a figure in running text keeps the unit as its sentence spells it; 26: a table's rows grouped under a label
# (`Vårdsystem:`) are a lead unit with that label; 27: a title whose first content is another title heads it and
# the titles after it, until its page ends; 28: a line alone inside a plain list announced by a colon is an item;
# 29: an area's name inflected with -n or -ns (`måltidsservicen`) tags what it is in; 30: OCR repair weighs a
# damaged compound's readings by word frequency, so a scanned text's repaired words change; 31: a compound splits
# into its commonest reading (`fram|tiden`, not `framt|iden`), so its indexed parts change; 32: a form's fields are
# units of their own, a label over its value and fields printed side by side (ingest/fields.py); 33: the case
# number opening a meeting-page item's text is a unit of its own).
PIPELINE_VERSION = "33"


class EmbedderMismatchError(RuntimeError):
    pass


@dataclass
class IngestReport:
    files: int = 0
    ingested: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    chunks_total: int = 0
    figures: int = 0
    goals: int = 0
    decisions: int = 0
    tables: list = field(default_factory=list)  # TableCheck of every table read this run
    parse_seconds: float = 0.0  # reading, OCR repair, structure, figures, goals, decisions
    embed_seconds: float = 0.0  # embedding, or taking vectors from the cache
    write_seconds: float = 0.0  # SQLite, Chroma and the BM25 rebuild
    embedded: int = 0
    from_cache: int = 0
    units_embedded: int = 0  # sentences, items and rows the reader scores by meaning, embedded this run
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.removed)

    def summary(self) -> str:
        lines = [
            f"{self.files} files: {len(self.ingested)} ingested, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; {self.chunks_written} chunks written "
            f"({self.embedded} embedded, {self.from_cache} from cache; {self.units_embedded} units embedded), "
            f"{self.chunks_total} in the index; "
            f"{self.seconds:.1f} s (parse {self.parse_seconds:.1f}, embed {self.embed_seconds:.1f}, "
            f"write {self.write_seconds:.1f})"
        ]
        if self.tables:
            t = self.tables
            lines.append(f"{self.figures} figures; {len(t)} tables checked by their sums: "
                         f"{sum(c.verified for c in t)} verified, {sum(c.repaired for c in t)} repaired, "
                         f"{sum(c.unverified for c in t)} unverified")
        if self.goals or self.decisions:
            lines.append(f"{self.goals} goal-structure nodes and {self.decisions} decisions and measures extracted")
        lines += [f"skipped {path}: {reason}" for path, reason in self.skipped]
        lines += self.notes
        return "\n".join(lines)


OUTSIDE = "links outside the corpus directory"


def collect_files(root: Path, corpus_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The supported files under `root`, and (source, reason) for those refused. A symlink in the corpus (or a
    linked folder) would index whatever it points at, `passwd.txt -> /etc/passwd` included: every path is
    resolved and must stay inside the corpus dir, or inside the file or folder named on purpose from outside it."""
    in_corpus = any(Path(a).is_relative_to(b) for a in (os.path.abspath(root), root.resolve())
                    for b in (os.path.abspath(corpus_dir), corpus_dir.resolve()))
    allowed = corpus_dir.resolve() if in_corpus else root.resolve()
    if root.is_file():
        found = [root]
    else:
        found = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
                       and not any(part.startswith(".") for part in p.relative_to(root).parts))
    inside = {p: p.resolve().is_relative_to(allowed) for p in found}
    return [p for p in found if inside[p]], [(source_for(p, corpus_dir), OUTSIDE) for p in found if not inside[p]]


def fingerprint(data: bytes, entry: dict | None, settings: Settings, areas: Areas | None = None) -> str:
    """Everything a document's records depend on: its bytes, the pipeline, its catalog entry, the areas."""
    h = hashlib.sha256(data)
    area_list = [[a.name, list(a.aliases)] for a in areas.areas] if areas else []
    h.update(json.dumps([PIPELINE_VERSION, LEXICON_VERSION, settings.chunk_chars, entry or {}, area_list],
                        sort_keys=True, default=str).encode())
    return h.hexdigest()


def check_embedder(store: Store, name: str) -> None:
    built_with = store.get_meta("embedder")
    if built_with and built_with != name and store.count_chunks():
        raise EmbedderMismatchError(
            f"the index in this data dir was built with {built_with!r}, not {name!r}; use another "
            f"ASSISTANT_DATA_DIR or run `assistant ingest --rebuild`"
        )


class PruneRefusedError(RuntimeError):
    """An ingest that would leave fewer than half of the documents: most likely the wrong corpus directory."""


def ingest(settings: Settings, path: Path | None = None, rebuild: bool = False, progress: bool = True,
           prune: bool = False) -> IngestReport:
    """Bring the index up to date with the corpus. Changes are written to a new generation beside the live
    one (a copy of it, or empty with `rebuild`), which replaces it only when complete (index/generations.py);
    nothing changed, nothing written. Leaving fewer than half of the documents needs `prune`."""
    started = time.perf_counter()
    scan_root = path or settings.corpus_dir
    if not scan_root.exists():
        raise FileNotFoundError(f"{scan_root}: no such file or directory")
    with writer_lock(settings.data_dir):
        live = settings.pinned()
        # what a killed or crashed ingest left: unfinished generations, never the live one
        remove_generations(settings, keep={live.index_path.name}, unfinished_only=True)
        report = _ingest(settings, live, scan_root, path, rebuild, progress, prune)
    report.seconds = time.perf_counter() - started
    return report


def _ingest(settings: Settings, live: Settings, scan_root: Path, path: Path | None, rebuild: bool, progress: bool,
            prune: bool) -> IngestReport:
    report = IngestReport()
    corpus_dir = settings.corpus_dir
    catalog = load_catalog(corpus_dir)
    areas = load_areas(corpus_dir)
    area_json = json.dumps([[a.name, list(a.aliases)] for a in areas.areas], ensure_ascii=False)
    known, live_ok, live_chunks = _live_state(live, area_json)
    by_source = {source: (doc_id, fp) for doc_id, (source, fp) in known.items()}

    # what changed, decided before anything is written: files are hashed here and parsed below
    files, refused = collect_files(scan_root, corpus_dir)
    report.files = len(files) + len(refused)
    report.skipped += refused
    max_bytes = int(settings.max_file_mb * 1_000_000)
    todo: list[tuple[Path, str, dict | None, str]] = []
    seen_sources: set[str] = set()
    for file in files:
        source = source_for(file, corpus_dir)
        seen_sources.add(source)
        entry = catalog.get(relative_path(file, corpus_dir) or file.name)
        try:
            data = read_bytes(file, max_bytes)  # the size checked before a byte is read
        except ReadError as exc:
            report.skipped.append((source, exc.problem))
            continue
        fp = fingerprint(data, entry, settings, areas)
        del data
        if source in by_source and by_source[source][1] == fp and not rebuild:
            report.unchanged += 1
        else:
            todo.append((file, source, entry, fp))
    full_scan = path is None or path.resolve() == corpus_dir.resolve()
    gone = [(doc_id, source) for doc_id, (source, _) in known.items() if source not in seen_sources] if full_scan else []
    # by count, not by name: renamed sources (a pipeline that names documents anew) are no loss
    if gone and len(seen_sources) * 2 < len(known) and not prune:
        shown = ", ".join(source for _, source in gone[:3]) + (" …" if len(gone) > 3 else "")
        raise PruneRefusedError(
            f"{corpus_dir}: this ingest would remove {len(gone)} of the {len(known)} documents in the index "
            f"({shown}) because they are not in the corpus directory; nothing was changed. If that is meant, "
            f"run `assistant ingest --prune`; otherwise check ASSISTANT_CORPUS_DIR")
    if live_ok and not rebuild and not todo and not gone:
        report.chunks_total = live_chunks
        return report

    target = begin(settings, copy_live=not rebuild)
    try:
        _write(target, todo, gone, corpus_dir, areas, area_json, report, progress)
        publish(settings, target)
    except BaseException:
        abandon(target)  # the live generation was never touched
        raise
    return report


def _live_state(live: Settings, area_json: str) -> tuple[dict[str, tuple[str, str]], bool, int]:
    """The live index's documents (doc_id → source, fingerprint), whether it is complete and current (a
    generation that was published, or an index from before generations with its BM25 files, built by
    today's analyzer for today's areas), and its chunk count."""
    if not live.store_path.exists():
        return {}, False, 0
    store = Store(live.store_path)
    try:
        known = store.fingerprints()
        areas_same = store.get_meta("areas") == area_json
        chunks = store.count_chunks()
    finally:
        store.close()
    published = is_complete(live.index_path) or live.index_path == live.data_dir
    bm25_present = not known or all((d / "ids.json").exists()
                                    for d in (live.bm25_dir, live.index_path / "figures_bm25"))
    return known, published and bm25_present and areas_same and not _bm25_outdated(live), chunks


def _write(target: Settings, todo, gone, corpus_dir: Path, areas: Areas, area_json: str,
           report: IngestReport, progress: bool) -> None:
    """Parse, embed and write the changed documents into the new generation, remove the gone ones, and build
    its BM25 indexes from what its store then holds."""
    store = Store(target.store_path)
    store.set_meta("areas", area_json)
    max_bytes = int(target.max_file_mb * 1_000_000)
    repairer: Repairer | None = None
    batch: list[tuple[ParsedDocument, str]] = []
    vectors_store = None
    embedder = None
    try:
        for file, source, entry, fp in todo:
            if repairer is None:
                repairer = Repairer(load_lexicon(target.lexicon_cache_dir, target.hunspell_dir))
            t0 = time.perf_counter()
            try:
                doc = parse_file(file, corpus_dir, entry, repairer, target.chunk_chars, max_bytes, areas)
            except ReadError as exc:
                report.skipped.append((source, exc.problem))  # the stored version, if any, stays
                continue
            finally:
                report.parse_seconds += time.perf_counter() - t0
            if not doc.chunks:
                report.skipped.append((source, "no text to index after parsing"))
                continue
            batch.append((doc, fp))
            report.notes += [f"{source}: {note}" for note in doc.notes]
            if len(batch) >= DOCS_PER_BATCH:  # a bounded batch: memory stays flat however large the corpus
                embedder = embedder or _checked_embedder(target, store)
                vectors_store = vectors_store or VectorStore.open(target)
                _write_batch(batch, embedder, vectors_store, store, target, report, progress)
                batch = []
        if batch:
            embedder = embedder or _checked_embedder(target, store)
            vectors_store = vectors_store or VectorStore.open(target)
            _write_batch(batch, embedder, vectors_store, store, target, report, progress)
        if embedder is not None:
            store.set_meta("embedder", embedder.name)
        for doc_id, source in gone:
            vectors_store = vectors_store or VectorStore.open(target)
            vectors_store.delete(store.chunk_ids(doc_id))
            store.delete_document(doc_id)
            report.removed.append(source)
        t0 = time.perf_counter()
        rebuild_bm25(target, store)
        report.write_seconds += time.perf_counter() - t0
        report.chunks_total = store.count_chunks()
    finally:
        store.close()
        if vectors_store is not None:
            vectors_store.close()


DOCS_PER_BATCH = 32


def _checked_embedder(settings: Settings, store: Store):
    embedder = get_embedder(settings.embedder, settings)
    check_embedder(store, embedder.name)
    return embedder


def _write_batch(batch: list[tuple[ParsedDocument, str]], embedder, vectors_store: VectorStore, store: Store,
                 settings: Settings, report: IngestReport, progress: bool) -> None:
    """Embed (or take from the cache) and write one batch of parsed documents, each replaced whole."""
    t0 = time.perf_counter()
    vectors = _embed_all([c for d, _ in batch for c in d.chunks], embedder, settings, report, progress)
    _embed_units([c for d, _ in batch for c in d.chunks], embedder, settings, report, progress)
    t1 = time.perf_counter()
    report.embed_seconds += t1 - t0
    for doc, fp in batch:
        old_ids = store.replaced_chunk_ids(doc.meta)
        vectors_store.upsert(doc.chunks, np.stack([vectors[c.hash] for c in doc.chunks]))
        stale = sorted(set(old_ids) - {c.id for c in doc.chunks})
        vectors_store.delete(stale)
        store.replace_document(doc.meta, fp, doc.chunks, doc.notes, doc.original, doc.text, doc.figures,
                               doc.table_checks, doc.goals, doc.decisions)
        report.goals += len(doc.goals)
        report.decisions += len(doc.decisions)
        report.figures += len(doc.figures)
        report.tables += doc.table_checks
        report.ingested.append(doc.meta.source)
        report.chunks_written += len(doc.chunks)
    report.write_seconds += time.perf_counter() - t1


def rebuild_bm25(settings: Settings, store: Store) -> None:
    analyzer = SwedishAnalyzer(load_lexicon(settings.lexicon_cache_dir, settings.hunspell_dir))
    rebuild_record_indexes(settings.index_path, store, analyzer)
    chunks = store.all_chunks()
    texts = [c.embedding_text() for c in chunks]
    BM25Index.build([c.id for c in chunks], [analyzer.terms(t) for t in texts], surface_vocabulary(texts)).save(settings.bm25_dir)


def _bm25_outdated(settings: Settings) -> bool:
    f = settings.bm25_dir / "analyzer.json"
    return f.exists() and json.loads(f.read_text(encoding="utf-8")) != ANALYZER_ID


def _embed_all(chunks: list[Chunk], embedder, settings: Settings, report: IngestReport, progress: bool) -> dict[str, np.ndarray]:
    found, embedded = _cached_embeddings({c.hash: c.embedding_text() for c in chunks}, embedder, settings,
                                         progress, "Embedding passages")
    report.from_cache += sum(1 for c in chunks if c.hash not in embedded)
    report.embedded += len(embedded)
    return found


def _embed_units(chunks: list[Chunk], embedder, settings: Settings, report: IngestReport, progress: bool) -> None:
    """Every sentence, item and row once, by content hash: the reader compares them with a question by
    meaning without embedding anything while the user waits."""
    texts = {}
    for c in chunks:
        leaf = c.section_path[-1] if c.section_path else ""
        for u in units_of(c):
            texts[u.key] = embedding_text(leaf, u.quote)
    _, embedded = _cached_embeddings(texts, embedder, settings, progress, "Embedding units")
    report.units_embedded += len(embedded)


def _cached_embeddings(texts: dict[str, str], embedder, settings: Settings, progress: bool,
                       label: str) -> tuple[dict[str, np.ndarray], set[str]]:
    """Vectors for these texts by content hash, embedding only what the cache lacks; (all, the new ones)."""
    cache = EmbeddingCache(settings.embed_cache_path)
    found = cache.get_many(embedder.name, list(texts))
    todo = [h for h in texts if h not in found]
    if todo:
        from rich.progress import Progress

        with Progress(disable=not progress or len(todo) < 2, transient=True) as bar:
            task = bar.add_task(label, total=len(todo))
            for i in range(0, len(todo), settings.embed_batch):
                batch = todo[i: i + settings.embed_batch]
                new = dict(zip(batch, embedder.passages([texts[h] for h in batch])))
                cache.put_many(embedder.name, new)  # saved per batch: an interrupted run keeps its work
                found.update(new)
                bar.advance(task, len(batch))
    cache.close()
    return found, set(todo)

