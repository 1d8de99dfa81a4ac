"""Swedish word forms from the hunspell-sv dictionary, for OCR repair, query normalisation and compound splitting.

hunspell stores stems with affix flags; checking thousands of OCR candidates through a hunspell reader costs
1–14 ms each, so we expand stems × affixes once (spylls parses the files) into a set of ~950k forms and cache it
as a pickle in the data dir. Compounds are not expanded by hunspell; `split_compound` covers them.
"""
from __future__ import annotations

import hashlib
import pickle
import sys
import threading
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "á": "a", "à": "a"})
LEXICON_VERSION = 5
MIN_PART = 4  # shorter parts (den, tre, igt) make nonsense words look like compounds
# A compound never ends in a present participle's ending (`rull|ande`, `före|gående`: verb forms, not `ande`,
# spirit), and no Swedish word starts with `ng` or `nl` (hunspell-sv lists a few such letter runs, `ngen`, `nlig`,
# which made `utgången` into `utgå` + `ngen`). Nor in the noun-forming `-ning` (hunspell-sv lists `ning`):
# `försörjning`, `omsättning` and `ersättning` are derived words, not `försörj` + `ning`.
NOT_A_LAST_PART = frozenset({"ande", "ende", "andes", "endes", "ning"})
NO_ONSET = ("ng", "nl")
# the endings of a Swedish verb's present, past, supine, infinitive and passive, longest first
VERB_ENDINGS = ("ades", "ats", "ade", "ar", "at", "as", "er", "es", "de", "te", "a", "s", "t")


def fold(word: str) -> str:
    """Lower-case and strip Swedish diacritics: the form a question typed without å/ä/ö has."""
    return word.lower().translate(FOLD)


def default_hunspell_dir() -> Path:
    for base in (Path(sys.prefix), Path(sys.base_prefix), Path("/usr")):
        candidate = base / "share" / "hunspell"
        if (candidate / "sv_SE.dic").exists():
            return candidate
    raise FileNotFoundError("sv_SE.dic not found: install the hunspell-sv package or set ASSISTANT_HUNSPELL_DIR")


class Lexicon:
    def __init__(self, words: set[str], compound_parts: set[str], variants: dict[str, tuple[str, ...]] | None = None,
                 names: set[str] | frozenset[str] = frozenset()):
        self.words = words  # lower-cased standalone forms
        self.compound_parts = compound_parts  # forms allowed only inside compounds
        self.variants = variants if variants is not None else _variants(words)
        # forms only a proper name has (`erna`, `else`, `ella`): never the last part of a compound, or every
        # `åtgärderna` would be `åtgärd` + `Erna`
        self.names = names

    # --- lookups -------------------------------------------------------------------------------------------
    def is_word(self, word: str) -> bool:
        return word.lower() in self.words

    def is_common(self, word: str) -> bool:
        """A word of the language rather than a proper name: `Eriksson` and `Angelica` are words to hunspell,
        but only as names."""
        lw = word.lower()
        return lw in self.words and lw not in self.names

    def forms_for_fold(self, folded: str) -> tuple[str, ...]:
        """Every real form whose folded spelling is `folded` (the plain one included if it is a word)."""
        out = self.variants.get(folded, ())
        if folded in self.words:
            out = (folded, *out)
        return out

    @lru_cache(maxsize=50_000)  # asked for each question word by every figure match of a question
    def nominalisations(self, word: str) -> tuple[str, ...]:
        """The nouns a verb forms with `-ning`/`-ing` that the dictionary holds: `ökar` → `ökning`, `minskade` →
        `minskning`, `förändras` → `förändring`. A question asks `hur mycket ökar …` where a table's row says
        `…ökning`; the dictionary, not the ending alone, decides that the noun exists."""
        lw = word.lower()
        out: list[str] = []
        for ending in VERB_ENDINGS:
            if lw.endswith(ending) and len(lw) - len(ending) >= 2:
                root = lw[: len(lw) - len(ending)]
                for noun in (root + "ning", root + "ing"):
                    if noun in self.words and noun not in self.names and noun not in out and noun != lw:
                        out.append(noun)
        return tuple(out)

    def is_known(self, word: str) -> bool:
        """A word, or a compound of words."""
        lw = word.lower()
        return lw in self.words or self.split_compound(lw) is not None

    @lru_cache(maxsize=200_000)
    def split_compound(self, word: str, min_tail: int = MIN_PART) -> tuple[str, ...] | None:
        """Split a compound into dictionary parts (linking -s- allowed): fewest parts first, and among as many
        parts the reading whose parts are the commonest Swedish words.

        `korttidssjukfrånvaron` → (`korttid`, `sjukfrånvaron`); the last part is a full inflected form.
        hunspell-sv holds rare forms that make a second reading of many compounds (`framt` + `iden` beside
        `fram` + `tiden`, `anställnings` + `topp` beside `anställning` + `stopp`); the first reading found, the
        one with the shortest last part, was wrong about as often as not. The word frequencies of `wordfreq` (a
        Swedish corpus count shipped in the package) choose: the sum of the parts' Zipf frequencies, as
        frequency-based splitters do (Koehn and Knight 2003).
        `min_tail=3` also takes a three-letter last part (`sjukfrånvaro|mål`, `budget|år`): right for a question a
        person typed, too loose for OCR text, where broken words would pass as compounds.
        """
        word = word.lower()
        if len(word) < MIN_PART + min_tail or not word.isalpha():
            return None
        found: list[tuple[str, ...]] = []
        for i in range(len(word) - min_tail, MIN_PART - 1, -1):
            head, tail = word[:i], word[i:]
            if tail not in self.words or tail in self.names or tail in NOT_A_LAST_PART or tail.startswith(NO_ONSET):
                continue
            found += [(*first, tail) for first in self._first_parts(head)]
        # max keeps the first of equals: the shortest last part
        return max(found, key=self.plausibility) if found else None

    def frequency(self, word: str, as_spelled: bool = False) -> float:
        """How common a word is in Swedish (wordfreq's Zipf scale, 0 for unknown): the best of its spellings with
        å/ä/ö, since OCR text and typed questions often lack them; `as_spelled`, of this spelling alone (`varde` is
        rare where `värde` is common, which is what tells a damaged spelling from the one a text meant)."""
        forms = (word,) if as_spelled else (word, *self.variants.get(word.translate(FOLD), ()))
        return max(zipf_frequency(form, "sv") for form in forms)

    def plausibility(self, parts: tuple[str, ...], as_spelled: bool = False) -> tuple[int, float]:
        """How plausible a reading of a compound is: fewer parts first, then how common its parts are, on average
        (a sum would favour more parts); `as_spelled` weighs the spelling too, for OCR repair."""
        return -len(parts), sum(self.frequency(p, as_spelled) for p in parts) / len(parts)

    def _first_parts(self, head: str, depth: int = 0) -> list[tuple[str, ...]]:
        """Ways to read `head` as one or more non-final compound parts."""
        results: list[tuple[str, ...]] = []
        for stem in (head, head[:-1] if head.endswith("s") else None):
            if stem and len(stem) >= MIN_PART and (stem in self.words or stem in self.compound_parts
                                                   or stem + "a" in self.words):  # verb stem: ladd(a)+punkt
                results.append((stem,))
        if not results and depth < 2:
            for i in range(len(head) - MIN_PART, MIN_PART - 1, -1):
                a, b = head[:i], head[i:]
                if a in self.words or a in self.compound_parts:
                    for rest in self._first_parts(b, depth + 1):
                        results.append((a, *rest))
                        break
                if results:
                    break
        return results


def _variants(words: set[str]) -> dict[str, tuple[str, ...]]:
    """folded spelling → the forms with diacritics that fold to it."""
    out: dict[str, list[str]] = {}
    for w in words:
        f = w.translate(FOLD)
        if f != w:
            out.setdefault(f, []).append(w)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _expand(hunspell_dir: Path) -> tuple[set[str], set[str], set[str]]:
    """Every form the dictionary's stems and affixes make: standalone words, forms allowed only inside compounds,
    and the forms only proper names have (a capitalised stem whose forms no common word shares)."""
    from spylls.hunspell import Dictionary

    d = Dictionary.from_files(str(hunspell_dir / "sv_SE"))
    aff = d.aff

    def apply_suffix(stem: str, sfx) -> str | None:
        if not sfx.cond_regexp.search(stem):
            return None
        return (stem[: len(stem) - len(sfx.strip)] if sfx.strip else stem) + sfx.add

    def apply_prefix(stem: str, pfx) -> str | None:
        if not pfx.cond_regexp.search(stem):
            return None
        return pfx.add + (stem[len(pfx.strip):] if pfx.strip else stem)

    words: set[str] = set()
    parts: set[str] = set()
    named: set[str] = set()
    common: set[str] = set()
    for entry in d.dic.words:
        flags = entry.flags
        if aff.FORBIDDENWORD in flags:
            continue
        forms: set[str] = set()
        if aff.NEEDAFFIX not in flags:
            forms.add(entry.stem)
        for flag in flags:
            for sfx in aff.SFX.get(flag, ()):
                form = apply_suffix(entry.stem, sfx)
                if form is None:
                    continue
                forms.add(form)
                for flag2 in sfx.flags:  # twofold suffixes
                    for sfx2 in aff.SFX.get(flag2, ()):
                        form2 = apply_suffix(form, sfx2)
                        if form2:
                            forms.add(form2)
            for pfx in aff.PFX.get(flag, ()):
                form = apply_prefix(entry.stem, pfx)
                if form:
                    forms.add(form)
        target = parts if aff.ONLYINCOMPOUND in flags else words
        lowered = {f.lower() for f in forms if f and " " not in f}
        target.update(lowered)
        (named if entry.stem[:1].isupper() else common).update(lowered)
    return words, parts, named - common


_LOCK = threading.Lock()
_CACHE: dict[str, Lexicon] = {}


def load_lexicon(cache_dir: Path | None = None, hunspell_dir: Path | None = None) -> Lexicon:
    """The process-wide lexicon; expanded once per dictionary version and cached on disk."""
    hunspell_dir = hunspell_dir or default_hunspell_dir()
    dic, aff = hunspell_dir / "sv_SE.dic", hunspell_dir / "sv_SE.aff"
    key = hashlib.sha256(
        f"{LEXICON_VERSION}:{dic.stat().st_size}:{dic.stat().st_mtime_ns}:{aff.stat().st_size}".encode()
    ).hexdigest()[:16]
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        path = cache_dir / f"sv_SE-{key}.pickle" if cache_dir else None
        data = None
        if path and path.exists():
            try:
                with path.open("rb") as fh:
                    data = pickle.load(fh)
            except Exception:
                data = None  # a damaged cache is rebuilt, never trusted
        if data is None:
            words, parts, names = _expand(hunspell_dir)
            data = (words, parts, _variants(words), names)
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
                with tmp.open("wb") as fh:
                    pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
        lexicon = Lexicon(*data)
        _CACHE[key] = lexicon
        return lexicon
