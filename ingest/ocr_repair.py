"""Restore Swedish letters that OCR lost (`Orebro` → `Örebro`, `N&mnden` → `Nämnden`, `6kad` → `ökad`).

Every repair substitutes characters one for one, so an offset or line number in the repaired text is the same
offset in the source: quotes come from the repaired text and still point at the original.

A token is repaired when it is not a Swedish word (or compound) as printed, and exactly the OCR confusions
below turn it into one. In a document that has lost its diacritics altogether, a token that *is* a word but is
usually written with å/ä/ö (`for` → `för`, `pa` → `på`) is also changed, by the frequency prior in
`data/sv_common.txt`. Repairs depend on the file alone, so re-ingesting it reproduces the same chunks.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .lexicon import FOLD, Lexicon, fold

# What each printed character may stand for (lower case). Letters keep themselves as an option.
ALLOWED: dict[str, frozenset[str]] = {
    "a": frozenset("aåä"), "o": frozenset("oö"), "&": frozenset("äå"), "é": frozenset("éäöå"), "è": frozenset("äè"),
    "6": frozenset("ö"), "0": frozenset("ö"), "4": frozenset("ä"), "1": frozenset("li"),
    "d": frozenset("döä"), "i": frozenset("iäl"), "e": frozenset("eé"), "u": frozenset("uü"),
}
# The same, as folded letters to try when building the skeleton that the lexicon's fold index is keyed by.
SKELETON: dict[str, tuple[str, ...]] = {
    "&": ("a",), "é": ("e", "a", "o"), "è": ("a",), "6": ("o",), "0": ("o",), "4": ("a",), "1": ("l", "i"),
    "d": ("d", "o", "a"), "i": ("i", "a", "l"),
}
TOKEN = re.compile(r"[A-Za-zÅÄÖåäöÉéÈèÜü&0-9]+")
LETTER = re.compile(r"[A-Za-zÅÄÖåäöÉéÈèÜü]")
DIACRITICS = set("åäöÅÄÖ")
SUSPECT = re.compile(r"[ÉéÈèÜü0146&]")  # what OCR puts where Swedish letters were (bédtre, f0r)
DOUBLE_DIACRITIC = re.compile(r"[åäö]{2}")  # never in Swedish; a sign the candidate was assembled from noise
MAX_SKELETONS = 256


@dataclass(frozen=True)
class Repair:
    line: int  # 1-based
    column: int  # 0-based
    original: str
    repaired: str


@lru_cache(maxsize=1)
def common_rank() -> dict[str, int]:
    text = resources.files("ingest").joinpath("data/sv_common.txt").read_text(encoding="utf-8")
    words = [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]
    rank: dict[str, int] = {}
    for i, w in enumerate(words):
        rank.setdefault(w, i)
    return rank


def diacritic_rate(text: str) -> float:
    letters = sum(1 for ch in text if ch.isalpha())
    return sum(1 for ch in text if ch in DIACRITICS) / letters if letters else 0.0


MIN_LETTERS = 200  # fewer letters say too little: 20 words of clean Swedish may hold no å/ä/ö at all


def is_stripped(text: str, min_letters: int = MIN_LETTERS) -> bool:
    """Swedish prose has 3–5 % å/ä/ö among its letters; below 1 % they were lost. A short document is judged
    clean: `§ 3 Val av justerare` has none and needs none, and a wrong repair (`Väl`) is worse than a missed one.
    A question is another matter (`min_letters=0`): typed without å/ä/ö is a habit, not damage to guess at."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters >= min_letters and diacritic_rate(text) < 0.01


# A page is judged on its own only when it says so clearly: in a damaged document a page is clean at 2 % å/ä/ö
# or more, in a clean one a page is damaged below 0.5 % (Swedish prose has 3–5 %). A page with too few letters
# to tell takes the document's judgement.
CLEAN_PAGE_RATE = 0.02
DAMAGED_PAGE_RATE = 0.005
WINDOW_LINES = 60  # a text without page breaks is judged in windows of this many lines


def damaged_lines(text: str, page_starts: list[int] | None = None) -> list[bool]:
    """Per line, whether it lies in damaged text: a PDF of typed pages with a scanned appendix, or a scanned plan
    with a clean page of text pasted in, is neither all damaged nor all clean. Judged per page where the file
    has pages, per window of lines where it has not, against the document as a whole."""
    lines = text.split("\n")
    whole = is_stripped(text)
    starts = sorted({0, *(page_starts or range(0, len(lines), WINDOW_LINES))})
    flags: list[bool] = []
    for a, z in zip(starts, [*starts[1:], len(lines)]):
        section = "\n".join(lines[a:z])
        if sum(ch.isalpha() for ch in section) < MIN_LETTERS * 1.5:
            judged = whole
        elif whole:
            judged = diacritic_rate(section) < CLEAN_PAGE_RATE
        else:
            judged = diacritic_rate(section) < DAMAGED_PAGE_RATE
        flags += [judged] * (z - a)
    return flags[:len(lines)]


class Repairer:
    CACHE_WORDS = 200_000  # words of a corpus and its questions; bounded, each entry is two short strings

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._cache: dict[tuple[str, bool], str] = {}

    # --- public ----------------------------------------------------------------------------------------------
    def repair_text(self, text: str, stripped: bool | list[bool] | None = None,
                    page_starts: list[int] | None = None) -> tuple[str, list[Repair]]:
        """`stripped`: the whole text's judgement, one per line, or None to judge it page by page."""
        lines = text.split("\n")
        if stripped is None:
            stripped = damaged_lines(text, page_starts)
        flags = stripped if isinstance(stripped, list) else [stripped] * len(lines)
        repairs: list[Repair] = []
        out_lines = []
        for lineno, line in enumerate(lines, start=1):
            new = self._repair_line(line, flags[lineno - 1])
            if new != line:
                for m in TOKEN.finditer(line):
                    a, b = m.span()
                    if new[a:b] != line[a:b]:
                        repairs.append(Repair(lineno, a, line[a:b], new[a:b]))
            out_lines.append(new)
        repaired = "\n".join(out_lines)
        assert len(repaired) == len(text), "repairs must keep offsets"
        return repaired, repairs

    def repair_word(self, token: str, stripped: bool = True) -> str:
        key = (token, stripped)
        word = self._cache.get(key)
        if word is None:
            word = self._cache[key] = self._repair_token(token, stripped)
            if len(self._cache) > self.CACHE_WORDS:  # a long-running server meets new words without end
                self._cache.pop(next(iter(self._cache)))  # the oldest: dicts keep insertion order
        return word

    # --- internals -------------------------------------------------------------------------------------------
    def _repair_line(self, line: str, stripped: bool) -> str:
        # OCR reads a sentence-initial "I" (in) as "|": "| verksamhetsplanen anges …".
        if stripped:
            line = re.sub(r"^(\s*)\|(?= [a-zåäö])", r"\1I", line)
        return TOKEN.sub(lambda m: self.repair_word(m.group(0), stripped), line)

    def _repair_token(self, token: str, stripped: bool) -> str:
        letters = LETTER.findall(token)
        if not letters or token.isdigit():
            return token
        if any(ch.isdigit() and ch not in "0146" for ch in token):
            return token  # R12, CO2e, 2024: codes and numbers, not damaged words
        if token.isalpha() and len(letters) < 2:
            return token
        lower = token.lower()
        if token.isalpha() and self.lexicon.is_word(lower):
            if not stripped or any(ch in DIACRITICS for ch in token):
                return token
            candidates = [c for c in self.lexicon.forms_for_fold(fold(lower)) if self._compatible(lower, c)]
            best = self._choose(candidates + [lower], prefer=lower)
            return _apply_case(token, best)
        if not stripped and (not SUSPECT.search(token) or any(ch in DIACRITICS for ch in token)):
            # clean text: a word the lexicon lacks (a name, a compound's first part `hälso-`) is left as printed;
            # only a token with a character Swedish words do not hold (`bédtre`, `et?`) was damaged
            return token
        printed_split = self.lexicon.split_compound(lower) if token.isalpha() else None
        if printed_split and not stripped:
            return token
        candidates = self._candidates(lower)
        if token.isalpha() and token.isupper():
            # an acronym (`ITIL`, `GDPR`) is printed in capitals, and OCR's look-alikes (`i` for `ä`) are not what
            # happened to it: only the diacritics a heading in capitals lost (`ATGARDER`) are given back
            candidates = [c for c in candidates if fold(c) == fold(lower)]
        if not candidates:
            return token
        best = self._choose(candidates, prefer=None)
        if printed_split:
            # Both the printed token and a repaired one read as compounds (the text lost its å/ä/ö): keep the
            # printed one only when it is the more plausible reading, in fewer parts or, in as many, of commoner
            # words as spelled (`varde|grund` is no word's reading where `värde|grund` is); a plain word wins
            # outright. (Comparing the shortest parts' lengths kept `hallbarhet`, `arbetssatt`, `underhall`.)
            best_split = self.lexicon.split_compound(best)
            if best_split is not None and self.lexicon.plausibility(printed_split, as_spelled=True) \
                    > self.lexicon.plausibility(best_split, as_spelled=True):
                return token
        return _apply_case(token, best)

    def _candidates(self, lower: str) -> list[str]:
        slots = [SKELETON.get(ch, (ch.translate(FOLD),)) for ch in lower]
        n = 1
        for s in slots:
            n *= len(s)
        if n > MAX_SKELETONS:  # too many look-alikes: only the unambiguous OCR symbols are tried
            slots = [s if lower[i] in "&64é0è1" else (lower[i].translate(FOLD),) for i, s in enumerate(slots)]
        found: set[str] = set()
        for skeleton in {"".join(p) for p in itertools.product(*slots)}:
            for form in self.lexicon.forms_for_fold(skeleton):
                if len(form) == len(lower) and self._compatible(lower, form):
                    found.add(form)
        if not found:
            for skeleton in {"".join(p) for p in itertools.product(*slots)}:
                for form in self._compound_forms(skeleton):
                    if self._compatible(lower, form):
                        found.add(form)
        found.discard(lower)
        return sorted(f for f in found if not DOUBLE_DIACRITIC.search(f))

    def _compound_forms(self, skeleton: str, depth: int = 0) -> list[str]:
        """Real spellings of a folded compound: `sakerhetsomradet` → `säkerhetsområdet`."""
        if len(skeleton) < 6 or depth > 2 or not skeleton.isalpha():
            return []
        out: list[str] = []
        for i in range(4, len(skeleton) - 3):  # longest tail first: fewest, most meaningful parts
            head, tail = skeleton[:i], skeleton[i:]
            tails = self.lexicon.forms_for_fold(tail)
            if not tails:
                continue
            heads = list(self.lexicon.forms_for_fold(head))
            if head.endswith("s") and len(head) > 4:
                heads += [h + "s" for h in self.lexicon.forms_for_fold(head[:-1])]
            if not heads:
                heads = self._compound_forms(head, depth + 1)
            if heads:
                tail_best = self._choose(list(tails), prefer=None)
                head_best = self._choose(heads, prefer=None)
                out.append(head_best + tail_best)
                break
        return out

    @staticmethod
    def _compatible(printed: str, form: str) -> bool:
        if len(printed) != len(form):
            return False
        last = len(printed) - 1
        for i, (p, f) in enumerate(zip(printed, form)):
            if p != f and f not in ALLOWED.get(p, ()):
                return False
            if p == "é" and f == "e" and i != last:
                return False
        return True

    def _choose(self, candidates: list[str], prefer: str | None) -> str:
        rank = common_rank()

        def score(form: str) -> tuple:
            r = rank.get(form, 10_000)
            return (r, form != prefer, sum(ch in DIACRITICS for ch in form), form)

        return min(dict.fromkeys(candidates), key=score)


def _apply_case(printed: str, form: str) -> str:
    letters = [ch for ch in printed if ch.isalpha()]
    all_caps = bool(letters) and all(ch.isupper() for ch in letters) and (len(letters) >= 2 or len(printed) <= 3)
    out = []
    for p, f in zip(printed, form):
        if all_caps:
            out.append(f.upper())
        elif p.isupper() and not (p == "I" and f == "l"):
            out.append(f.upper())
        else:
            out.append(f)
    return "".join(out)
