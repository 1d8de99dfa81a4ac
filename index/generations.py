"""Index generations: ingest writes a new index beside the live one and switches to it only when it is complete.

    DATA_DIR/CURRENT                    the live generation's name (replaced atomically, `os.replace`)
    DATA_DIR/generations/<name>/        store.sqlite, chroma/, bm25/, figures_bm25/ … and COMPLETE, written last
    DATA_DIR/ingest.lock                one writer at a time
    DATA_DIR/embed-cache.sqlite, lexicon/   shared by every generation

Why: a server answering from an index that ingest empties and refills answers nothing (or crashes on a Chroma
segment that vanished) until the rebuild ends, and a crash between the SQLite write and the BM25 save left the
two disagreeing with nothing to notice it. With generations a reader keeps the one it opened until it sees
`CURRENT` change; a crash leaves only an unfinished folder that the next ingest removes; the live index is
never written to.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from core.settings import GENERATIONS, POINTER, Settings, live_generation

COMPLETE = "COMPLETE"
LOCK = "ingest.lock"
# what a data dir held before generations existed; removed once a generation has replaced it
LEGACY = ("store.sqlite", "chroma", "bm25", "figures_bm25", "goals_bm25", "decisions_bm25")


class IndexBusyError(RuntimeError):
    """Another ingest holds the data dir."""


@contextmanager
def writer_lock(data_dir: Path):
    """The data dir for one writer. The lock is the kernel's (`flock`): it goes when its process goes, so a
    killed ingest never leaves a stale lock behind."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK
    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise IndexBusyError(f"{data_dir}: another ingest is writing this index ({holder}); wait until it "
                             f"ends, or stop it") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def is_complete(index_dir: Path) -> bool:
    return (index_dir / COMPLETE).exists()


def begin(settings: Settings, copy_live: bool) -> Settings:
    """A new, empty or copied, generation beside the live one, and settings that write to it. Copying: the
    SQLite store through SQLite's backup (consistent even while readers have it open), Chroma's folder as
    files (no process writes it: the writer lock is held and readers only read), or, on a Chroma server, the
    collection's vectors into a new collection. BM25 is not copied: ingest rebuilds it."""
    root = settings.data_dir / GENERATIONS
    root.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + f"-{secrets.token_hex(3)}"
    new = root / name
    new.mkdir()
    target = settings.pinned(new)
    live = settings.pinned()
    if copy_live and live.store_path.exists():
        _backup(live.store_path, target.store_path)
        if settings.chroma_url:
            from .vectors import VectorStore
            VectorStore.open(target).copy_from(VectorStore.open(live))
        elif live.chroma_dir.exists():
            shutil.copytree(live.chroma_dir, target.chroma_dir)
    return target


def publish(settings: Settings, target: Settings) -> None:
    """Mark `target` complete and make it the live generation, in one atomic rename; then remove what no
    reader needs: generations older than the one just replaced, and unfinished ones."""
    previous = live_generation(settings.data_dir)
    index_dir = target.index_path
    (index_dir / COMPLETE).write_text(json.dumps({"completed": time.time(), "pid": os.getpid()}), encoding="utf-8")
    _fsync_dir(index_dir)
    pointer = settings.data_dir / POINTER
    tmp = pointer.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(index_dir.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, pointer)
    _fsync_dir(settings.data_dir)
    # the generation just replaced stays: a server may be answering from it until it notices the switch
    remove_generations(settings, keep={index_dir.name, previous.name if previous else ""})
    if previous is not None:  # a data dir from before generations: its files are the previous index no longer
        for name in LEGACY:
            path = settings.data_dir / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def remove_generations(settings: Settings, keep: set[str], unfinished_only: bool = False) -> list[str]:
    """Remove generations not in `keep` (call with the writer lock held): old ones and those a crashed or
    killed ingest left unfinished (only those with `unfinished_only`)."""
    root = settings.data_dir / GENERATIONS
    removed = []
    for path in sorted(root.iterdir()) if root.exists() else []:
        if path.name in keep or not path.is_dir() or (unfinished_only and is_complete(path)):
            continue
        if settings.chroma_url:
            from .vectors import VectorStore
            VectorStore.drop(settings, settings.pinned(path).collection)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


def abandon(target: Settings) -> None:
    """An ingest that failed: its unfinished generation goes, the live one was never touched."""
    shutil.rmtree(target.index_path, ignore_errors=True)


def _backup(source: Path, dest: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(dest)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
