"""The organisation's areas, from `[[area]]` in the catalog: which areas a text mentions, under one name each.

`Område försörjning`, `forsorjning` and `Måltidsservice` all resolve to Område försörjning. Short upper-case
aliases (`IT`, `SSC`) match only as written, so the English pronoun `it` is not an area.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .catalog import CatalogError, check_areas
from .lexicon import fold


def compound_pattern(name: str) -> str:
    """A regex for an area's name as the first part of a compound with `område` (folded text):
    `fastigheter` → `fastighetsområdet`, `försörjning` → `forsorjningsomradet`, `IT` → `it-omradet`."""
    key = re.escape(fold(name).lower()).replace(r"\ ", r"[\s-]+")
    forms = [key]
    for plural in ("er", "ar", "or"):
        if key.endswith(plural) and len(key) > 6:
            forms.append(key[: -len(plural)])
    return r"\b(?:" + "|".join(forms) + r")s?-?omrade(?:t|ts|n|na|nas)?\b"


@dataclass(frozen=True)
class Area:
    name: str
    aliases: tuple[str, ...]


class Areas:
    def __init__(self, areas: list[Area]):
        self.areas = areas
        self._patterns: list[tuple[re.Pattern, str]] = []
        for area in areas:
            names = {area.name, *area.aliases}
            bare = re.sub(r"^Område\s+", "", area.name)
            names.add(bare)
            for name in sorted(names, key=len, reverse=True):
                if len(name) <= 3 and name.isupper():
                    pattern = re.compile(r"(?<![\wÅÄÖåäö])" + re.escape(name) + r"(?![\wÅÄÖåäö]|-(?!området))")
                    self._patterns.append((pattern, area.name))
                else:
                    key = re.escape(fold(name).lower()).replace(r"\ ", r"[\s-]+")
                    # definite and genitive endings; a name ending in a vowel takes -n (`måltidsservicen`)
                    self._patterns.append((re.compile(r"\b" + key + r"(?:s|ets|en|ens|et|na|n|ns)?\b"), area.name))
                if not name.lower().startswith("område"):
                    self._patterns.append((re.compile(compound_pattern(name)), area.name))

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.areas]

    def mentioned(self, text: str) -> list[str]:
        """Every area the text names, in the catalog's order."""
        folded = fold(text).lower()
        found = set()
        for pattern, name in self._patterns:
            subject = text if pattern.pattern.startswith("(?<!") else folded
            if pattern.search(subject):
                found.add(name)
        return [a for a in self.names if a in found]

    def normalize(self, name: str) -> str | None:
        """`Område Fastigheter`, `fastigheter`, `IT-området` → the catalog's name; None if no area."""
        hits = self.mentioned(name)
        return hits[0] if len(hits) == 1 else (hits[0] if hits else None)


def load_areas(corpus_dir: Path) -> Areas:
    path = corpus_dir / "catalog.toml"
    if not path.exists():
        return Areas([])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not valid TOML ({exc})") from None
    return Areas([Area(a.name, tuple(a.aliases)) for a in check_areas(path, data.get("area", []))])
