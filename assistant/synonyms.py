"""Swedish synonyms from a real thesaurus (OpenOffice/LibreOffice's MyThes Swedish thesaurus, as Debian ships
it in `mythes-sv`), so that a question's words meet a passage that says the same with other words: `sänka`
and `minska` (both `reducera`), `anställda` and `personal`, `orsak` and `skäl`, `chef` and `ledare`.

Synonyms are looked up by stem (the analyzer's), so inflected question words find the thesaurus's base forms.
A thesaurus is broad (`mål` is also `rättegång`): the reader uses synonym coverage as a feature of its own,
weighed by the fit, never as a match of the word itself.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

FILE = "th_sv_SE_v2.dat"


def default_dirs() -> list[Path]:
    return [Path(sys.prefix) / "share" / "mythes", Path(sys.base_prefix) / "share" / "mythes",
            Path("/usr/share/mythes")]


def read_thesaurus(path: Path) -> dict[str, list[str]]:
    """headword → synonyms, from a MyThes data file: an encoding line, then `word|n` followed by n lines of
    `(pos)|syn|syn…`."""
    raw = path.read_bytes()
    first, _, body = raw.partition(b"\n")
    text = body.decode(first.decode("ascii", "replace").strip() or "utf-8", errors="replace")
    out: dict[str, list[str]] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        head, _, count = lines[i].partition("|")
        n = int(count) if count.strip().isdigit() else 0
        synonyms = []
        for line in lines[i + 1: i + 1 + n]:
            synonyms += [s.strip() for s in line.split("|")[1:] if s.strip() and " " not in s.strip()]
        if head.strip():
            out.setdefault(head.strip().lower(), []).extend(synonyms)
        i += 1 + n
    return out


class Synonyms:
    def __init__(self, path: Path | None, analyzer=None):
        self.path = path
        self.analyzer = analyzer
        self._by_stem: dict[str, frozenset[str]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def find(cls, analyzer, directory: Path | None = None) -> "Synonyms":
        for d in ([directory] if directory else default_dirs()):
            if d is not None and (d / FILE).exists():
                return cls(d / FILE, analyzer)
        return cls(None, analyzer)

    @property
    def available(self) -> bool:
        return self.path is not None

    def _table(self) -> dict[str, frozenset[str]]:
        with self._lock:
            if self._by_stem is None:
                table: dict[str, set[str]] = {}
                if self.path is not None:
                    for head, synonyms in read_thesaurus(self.path).items():
                        stems = self.analyzer.terms(head)[:1]
                        if not stems:
                            continue
                        found = {t for s in synonyms for t in self.analyzer.terms(s)[:1]} - set(stems)
                        table.setdefault(stems[0], set()).update(found)
                self._by_stem = {k: frozenset(v) for k, v in table.items()}
            return self._by_stem

    def of(self, stem: str) -> frozenset[str]:
        """The stems of a stem's synonyms (empty without a thesaurus)."""
        return self._table().get(stem, frozenset())
