"""English question words → Swedish terms, from a real bilingual dictionary (FreeDict English–Swedish and
Swedish–English, as Debian ships them for dictd) and the domain words in `data/vocabulary.toml`.

The embedder already brings an English question near Swedish passages; lexical search and the reader's word
coverage need Swedish words. A general dictionary is noisy (`property` → `gård`, `egenskap`, `egendom` …), so
only translations the corpus itself uses are kept, at most two per word.
"""
from __future__ import annotations

import gzip
import re
import sys
import threading
from pathlib import Path

HEADWORD = re.compile(r"^(.+?) /[^/]*/\s*$")
FILES = ("freedict-eng-swe.dict.dz", "freedict-swe-eng.dict.dz")


def default_dirs() -> list[Path]:
    return [Path(sys.prefix) / "share" / "dictd", Path(sys.base_prefix) / "share" / "dictd", Path("/usr/share/dictd")]


def _entries(path: Path) -> dict[str, list[str]]:
    """headword → translations, from a dictd database (dictzip is gzip-compatible; the index is not needed
    because the whole file is read once)."""
    out: dict[str, list[str]] = {}
    head = None
    for line in gzip.open(path).read().decode("utf-8").split("\n"):
        m = HEADWORD.match(line)
        if m:
            head = m.group(1).strip().lower()
            out.setdefault(head, [])
        elif head and line.strip() and not line.startswith(("00-", " ")):
            line = re.sub(r"^\d+\.\s*", "", line.strip())
            out[head] += [t.strip().lower() for t in line.split(",") if t.strip()]
    return out


class Bilingual:
    """English word → Swedish candidates (both FreeDict directions, the Swedish–English one reversed)."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self._table: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def find(cls, directory: Path | None = None) -> "Bilingual":
        for d in ([directory] if directory else default_dirs()):
            if d is not None and (d / FILES[0]).exists():
                return cls(d)
        return cls(None)

    @property
    def available(self) -> bool:
        return self.directory is not None

    def _load(self) -> dict[str, list[str]]:
        with self._lock:
            if self._table is None:
                table: dict[str, list[str]] = {}
                if self.directory is not None:
                    for word, swedish in _entries(self.directory / FILES[0]).items():
                        table.setdefault(word, []).extend(swedish)
                    if (self.directory / FILES[1]).exists():
                        for swedish, english in _entries(self.directory / FILES[1]).items():
                            for e in english:
                                e = re.sub(r"^(to|a|an|the)\s+", "", e)
                                table.setdefault(e, []).append(swedish)
                self._table = {k: list(dict.fromkeys(v)) for k, v in table.items()}
            return self._table

    def translate(self, word: str) -> list[str]:
        """Swedish words for an English one, its plain form tried when the inflected one is missing."""
        table = self._load()
        word = word.lower()
        for form in (word, *english_bases(word)):
            if form in table:
                return [t for t in table[form] if " " not in t]
        return []


def english_bases(word: str) -> list[str]:
    """`costs` → `cost`, `decided` → `decide`/`decid`, `savings` → `saving`: enough for a dictionary lookup."""
    out = []
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return out
