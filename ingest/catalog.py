"""`corpus/catalog.toml`: what each document is. Files it does not list get detected or default metadata."""
from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from pathlib import Path

from core.models import DocumentMeta

TYPE_HINTS = [
    ("protokoll", re.compile(r"protokoll|§\s*\d+|justeras|propositionsordning", re.I)),
    ("handlingsplan", re.compile(r"handlingsplan", re.I)),
    ("verksamhetsplan", re.compile(r"verksamhetsplan", re.I)),
    ("årsredovisning", re.compile(r"årsredovisning|verksamhetsberättelse", re.I)),
    ("delårsrapport", re.compile(r"delårsrapport", re.I)),
]


class CatalogError(Exception):
    pass


def load_catalog(corpus_dir: Path) -> dict[str, dict]:
    """Entries keyed by path relative to the corpus dir."""
    path = corpus_dir / "catalog.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc})") from None
    out = {}
    for entry in data.get("document", []):
        if "path" not in entry:
            raise CatalogError(f"{path}: a [[document]] entry has no path")
        out[entry["path"]] = entry
    return out


def relative_path(file: Path, base: Path) -> str | None:
    """`file` relative to `base` with forward slashes, or None when it lies outside. Only the folders above the
    file are resolved: a symlink keeps its own name, so two names for one file stay two documents."""
    try:
        return (file.parent.resolve() / file.name).relative_to(base.resolve()).as_posix()
    except ValueError:
        return None


def source_for(file: Path, corpus_dir: Path) -> str:
    """What a document is stored and cited as: its path inside the corpus dir, never one relative to the
    working directory (ingest run from elsewhere would find every stored source gone and remove it); a file
    given from outside the corpus by its absolute path."""
    return relative_path(file, corpus_dir) or str(file.resolve())


def doc_id_for(source: str) -> str:
    """A readable slug and a short hash of the exact source path (`protokoll-12-txt-3fa2c1d9`). A slug alone
    is lossy: `Protokoll § 12.txt` and `protokoll 12.txt` would share an id and one of them would silently
    replace the other; with the hash, different paths never share one."""
    folded = unicodedata.normalize("NFKD", source.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].rstrip("-")
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def document_meta(file: Path, corpus_dir: Path, entry: dict | None, text: str) -> DocumentMeta:
    source = source_for(file, corpus_dir)
    entry = entry or {}
    head = text[:4000]
    title = entry.get("title") or _first_title(text) or file.stem
    doc_type = entry.get("type") or _detect_type(file.name + "\n" + head)
    year = entry.get("year") or _detect_year(file.name) or _detect_year(head)
    date = entry.get("date")
    if date is not None:
        date = str(date)
    return DocumentMeta(
        doc_id=doc_id_for(source),
        source=source,
        title=title,
        short_title=entry.get("short_title") or title,
        doc_type=doc_type,
        body=entry.get("body"),
        date=date,
        year=int(year) if year else None,
        dnr=entry.get("dnr"),
    )


def _detect_type(text: str) -> str:
    for name, pattern in TYPE_HINTS:
        if pattern.search(text):
            return name
    return "dokument"


def _detect_year(text: str) -> int | None:
    m = re.search(r"\b(19[89]\d|20[0-4]\d)\b", text)
    return int(m.group(1)) if m else None


def _first_title(text: str) -> str | None:
    for line in text.splitlines()[:30]:
        s = re.sub(r"[#*]", "", line).strip()
        if 4 <= len(s) <= 100 and any(ch.isalpha() for ch in s):
            return s
    return None
