"""`corpus/catalog.toml`: what each document is. Files it does not list get detected or default metadata."""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from core.models import DocumentMeta

# What a document's own first lines call it (`PROTOKOLL`, `FÖREDRAGNINGSLISTA 1 (13)`, `Möte 2026-02-24`,
# `Tjänsteutlåtande`): a surer sign of its kind than a word anywhere in its text.
HEAD_KINDS = [
    ("protokoll", re.compile(r"^(?:protokoll|sammanträdesprotokoll|justerat protokoll)\b", re.I)),
    ("kallelse", re.compile(r"^(?:föredragningslista|kallelse|dagordning|möte\s+20\d\d-\d\d-\d\d)\b", re.I)),
    ("tjänsteskrivelse", re.compile(r"^(?:tjänsteutlåtande|tjänsteskrivelse)\b", re.I)),
]
ORGAN = re.compile(r"^(?:[Oo]rgan\s+|[Tt]ill\s+)?(?P<organ>(?:[A-ZÅÄÖ][\wåäö-]*\s)?[A-ZÅÄÖ][\wåäö-]*(?:nämnden|nämnd|styrelsen|"
                   r"fullmäktige|utskottet|utskott|beredningen|direktionen)(?:s arbetsutskott)?)$")
HEAD_DATE = re.compile(r"\b(20\d\d-[01]\d-[0-3]\d)\b")
TYPE_HINTS = [
    ("protokoll", re.compile(r"protokoll|§\s*\d+|justeras|propositionsordning", re.I)),
    ("handlingsplan", re.compile(r"handlingsplan", re.I)),
    ("verksamhetsplan", re.compile(r"verksamhetsplan|regionplan", re.I)),
    ("årsredovisning", re.compile(r"[åa]rsredovisning|verksamhetsberättelse", re.I)),
    ("delårsrapport", re.compile(r"del[åa]rsrapport", re.I)),
]


class CatalogError(Exception):
    pass


class CatalogEntry(BaseModel):
    """One `[[document]]` of the catalog, checked as it is read: a value of the wrong type (`year = "tjugo"`,
    `title = 5`) is named with its entry and field instead of failing deep in ingest. Other keys (`notes`) are
    free text and kept as written."""

    model_config = ConfigDict(extra="allow")

    path: str = Field(min_length=1, description="The file, relative to the corpus dir.")
    title: str | None = None
    short_title: str | None = None
    type: str | None = None
    body: str | None = None
    # strict: a number is not a timestamp here; TOML dates and date-times are taken as written
    date: str | Annotated[datetime.date, Strict()] | Annotated[datetime.datetime, Strict()] | None = None
    year: int | None = Field(None, ge=1900, le=2100)
    dnr: str | None = None


class CatalogArea(BaseModel):
    """One `[[area]]`: the organisation's name for an area and the other names documents use for it."""

    name: str = Field(min_length=1)
    aliases: list[str] = []


def load_catalog(corpus_dir: Path) -> dict[str, dict]:
    """Entries keyed by path relative to the corpus dir."""
    path = corpus_dir / "catalog.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc})") from None
    documents = data.get("document", [])
    if not isinstance(documents, list):
        raise CatalogError(f"{path}: `document` must be [[document]] tables, one per file")
    out: dict[str, dict] = {}
    first: dict[str, int] = {}
    for n, raw in enumerate(documents, start=1):
        label = _entry_label(n, raw)
        if not isinstance(raw, dict):
            raise CatalogError(f"{path}: [[document]] {label}: not a table of keys and values")
        try:
            entry = CatalogEntry.model_validate(raw)
        except ValidationError as exc:
            raise CatalogError(f"{path}: [[document]] {label}: {_problems(exc)}") from None
        if entry.path in first:
            raise CatalogError(f"{path}: [[document]] {label}: the same path as entry {first[entry.path]}")
        first[entry.path] = n
        out[entry.path] = entry.model_dump(exclude_unset=True)
    return out


def check_areas(path: Path, areas) -> list[CatalogArea]:
    """The `[[area]]` entries of the catalog at `path`, each checked like a document entry."""
    if not isinstance(areas, list):
        raise CatalogError(f"{path}: `area` must be [[area]] tables, one per area")
    out = []
    for n, raw in enumerate(areas, start=1):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = f"entry {n} (name {json.dumps(name, ensure_ascii=False)})" if isinstance(name, str) else f"entry {n}"
        if not isinstance(raw, dict):
            raise CatalogError(f"{path}: [[area]] {label}: not a table of keys and values")
        try:
            out.append(CatalogArea.model_validate(raw))
        except ValidationError as exc:
            raise CatalogError(f"{path}: [[area]] {label}: {_problems(exc)}") from None
    return out


def _entry_label(n: int, raw) -> str:
    """`entry 2 (path "x.txt")`, or `entry 2` when the path itself is missing or wrong."""
    p = raw.get("path") if isinstance(raw, dict) else None
    return f"entry {n} (path {json.dumps(p, ensure_ascii=False)})" if isinstance(p, str) and p else f"entry {n}"


def _problems(exc: ValidationError) -> str:
    """One clause per field: `year: Input should be a valid integer … (got "tjugo")`; a field that may take
    several types (`date`) says so once instead of once per type."""
    by_field: dict[str, list[dict]] = {}
    for error in exc.errors():
        by_field.setdefault(str(error["loc"][0]), []).append(error)
    out = []
    for name, errors in by_field.items():
        if errors[0]["type"] == "missing":
            out.append(f"{name}: missing")
            continue
        wants = " or ".join([errors[0]["msg"]] + [e["msg"].removeprefix("Input should be ") for e in errors[1:]])
        out.append(f"{name}: {wants} (got {json.dumps(errors[0]['input'], ensure_ascii=False, default=str)})")
    return "; ".join(out)


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


def document_meta(file: Path, corpus_dir: Path, entry: dict | None, text: str,
                  page_title: str | None = None) -> DocumentMeta:
    source = source_for(file, corpus_dir)
    entry = entry or {}
    head = text[:4000]
    found = read_head(text)
    title = entry.get("title") or found.get("title") or _page_title(page_title) or _first_title(text) or file.stem
    doc_type = entry.get("type") or found.get("type") or _detect_type(file.name + "\n" + head)
    year = entry.get("year") or _detect_year(file.name) or _detect_year(head)
    date = entry.get("date") or found.get("date")
    if date is not None:
        date = str(date)
    return DocumentMeta(
        doc_id=doc_id_for(source),
        source=source,
        title=title,
        short_title=entry.get("short_title") or title,
        doc_type=doc_type,
        body=entry.get("body") or found.get("body"),
        date=date,
        year=int(year) if year else None,
        dnr=entry.get("dnr"),
    )


def _detect_type(text: str) -> str:
    """The kind the file name and the document's first lines give (`Regionplan 2026–2028`), before a word
    anywhere in its head: a plan that gives a nämnd the task to write a handlingsplan is no handlingsplan."""
    lines = text.splitlines()
    title = "\n".join([lines[0]] + [s for s in lines[1:] if s.strip()][:2]) if lines else ""
    for scope in (title, text):
        for name, pattern in TYPE_HINTS:
            if pattern.search(scope):
                return name
    return "dokument"


def _detect_year(text: str) -> int | None:
    m = re.search(r"\b(19[89]\d|20[0-4]\d)\b", text)
    return int(m.group(1)) if m else None


def read_head(text: str) -> dict:
    """Kind, deciding body and date from a document's first lines, and a title made of them
    (`Servicenämnden, protokoll 2025-11-12`): meeting documents open with a form (`Organ`, `Sammanträdesdatum`,
    `Plats och tid`) rather than a title line, and their first line (`PROTOKOLL`) names no one document."""
    from .layout import PAGE_NUMBER

    lines = [re.sub(r"[#*]", "", line).strip() for line in text.splitlines()[:60]]
    lines = [s for s in lines if s][:25]
    found: dict = {}
    for s in lines:
        if "type" not in found:  # a running title with its page number (`FÖREDRAGNINGSLISTA 1 (13)`) names it too
            for kind, pattern in HEAD_KINDS:
                if pattern.match(s):
                    found["type"], found["kind_word"] = kind, s.split()[0].lower()
                    break
        if PAGE_NUMBER.match(s):
            continue
        if "body" not in found and (m := ORGAN.match(s)):
            found["body"] = m.group("organ")
        if "date" not in found and (m := HEAD_DATE.search(s)):
            found["date"] = m.group(1)
    if "type" in found and ("body" in found or "date" in found):
        word = found["kind_word"]
        found["title"] = ", ".join(x for x in (found.get("body"), f"{word} {found.get('date', '')}".strip()) if x)
        subject = _subject(text) if found["type"] == "tjänsteskrivelse" else None
        if subject:  # an officer's report is known by its matter: `Ekonomisk uppföljning efter tertial 1 2026`
            found["title"] = f"{subject} ({found['title']})"
    return found


FORM_LABEL = re.compile(r"^(?:datum|diarienummer|dnr|handläggare|till|från|organ|plats|tid|tidpunkt|beteckning|"
                        r"ärendenummer|sida|förslag till beslut|sammanfattning)\b", re.I)


def _subject(text: str) -> str | None:
    """The first title-like line standing alone after the opening form (`Datum …`, `Handläggare …`)."""
    lines = text.splitlines()[:40]
    for i in range(1, len(lines) - 1):
        s = lines[i].strip()
        if (s and not lines[i - 1].strip() and not lines[i + 1].strip() and not FORM_LABEL.match(s)
                and 8 <= len(s) <= 120 and s[0].isupper() and not s.endswith((".", ":"))):
            return s
    return None


def _page_title(title: str | None) -> str | None:
    """An HTML page's <title> without the site's name after its last separator (`Möte 2026-03-18 - Servicenämnden
    - Region Örebro län`)."""
    if not title:
        return None
    parts = [p.strip() for p in re.split(r"\s+[-–|]\s+", title) if p.strip()]
    if len(parts) >= 3:
        parts = parts[:-1]
    return ", ".join(reversed(parts)) if parts else None


def _first_title(text: str) -> str | None:
    from .layout import PAGE_NUMBER

    for line in text.splitlines()[:30]:
        s = re.sub(r"[#*]", "", line).strip()
        if 4 <= len(s) <= 100 and any(ch.isalpha() for ch in s) and not PAGE_NUMBER.match(s):
            return s
    return None
