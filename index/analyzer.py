"""Swedish terms for BM25: Snowball stems, diacritics folded, compounds split into their parts.

`forsorjning` must find `försörjning` and `sjukfrånvaro` must find `korttidssjukfrånvaron`; English stopword
lists (which drop the query "IT") have no place here.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

import Stemmer

from ingest.lexicon import VERB_ENDINGS, Lexicon, fold

# 3: surface vocabulary saved; 4: verb-stem compounds; 5: strong verbs' forms read as their infinitive
ANALYZER_ID = {"name": "sv-snowball-fold-compounds", "version": 5}
WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü0-9]+")
SURFACE_WORD = re.compile(r"[A-Za-zÅÄÖåäö]{3,}")


def surface_vocabulary(texts) -> dict[str, int]:
    """Folded words of the corpus with their counts: what a misspelt question word is mended against."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(fold(w) for w in SURFACE_WORD.findall(text))
    return dict(counts)
# Swedish function words only. "it" (IT) and "mål" are content words here.
STOPWORDS = frozenset("""
och att det i som en på för av med har till den inte om ett de var så men från vi kan ska också när även efter
där då vara mot än sina sin sitt sig hur vad vilka vilken vilket eller samt under vid genom utan inom mellan
är blir blev bli hade ha har han hon dem deras denna detta dessa man mer mest nu här ju redan kommer skulle
varit finns fanns vid hos åt ut upp in ned ner alla allt andra annan annat något någon några nåt nån nåra nånting
sånt sån såna the of and what
is was are
""".split())


ISO_DATE = re.compile(r"\b(?:19|20)\d\d-(0[1-9]|1[0-2])-[0-3]\d\b")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
VERB_PREFIXES = ("tillbaka", "samman", "igenom", "fram", "före", "efter", "under", "över", "åter", "till", "upp",
                 "fast", "ned", "ner", "med", "mot", "ut", "an", "av", "bi", "in", "om", "be")


def _strong_verbs() -> dict[str, str]:
    """form → infinitive, from index/data/sv_strong_verbs.txt."""
    out: dict[str, str] = {}
    path = Path(__file__).with_name("data") / "sv_strong_verbs.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            infinitive, forms = line.split(":", 1)
            for form in forms.split():
                out.setdefault(form, infinitive.strip())
    return out


STRONG_VERBS = _strong_verbs()


def infinitive(word: str) -> str:
    """`utsågs` → `utse`, `biföll` → `bifalla`, `föreslogs` → `föreslå`; any other word as it is. After a prefix
    only forms of three letters or more count (`om` + `sa` is no verb)."""
    if word in STRONG_VERBS:
        return STRONG_VERBS[word]
    for prefix in VERB_PREFIXES:
        if word.startswith(prefix):
            rest = word[len(prefix):]
            if len(rest) >= 3 and rest in STRONG_VERBS:
                return prefix + STRONG_VERBS[rest]
    return word


def _verb_of_noun(stem: str) -> str | None:
    """The verb an action noun is made from, as the stemmer writes the verb: `investering` → `invester`
    (investerade), `redovisning` → `redovis` (redovisar), `utveckling` → `utveckl`. Swedish makes these nouns
    of nearly every verb, and a question asks with the verb what a report says with the noun."""
    for ending, cut in (("ering", 3), ("ning", 4), ("ling", 3)):
        if stem.endswith(ending) and len(stem) - cut >= 4:
            return stem[:-cut]
    return None


class SwedishAnalyzer:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        # PyStemmer: "the algorithm has internal state, so must not be called concurrently"; the chat reads
        # questions side by side, so each thread has a stemmer of its own
        self._stemmers = threading.local()
        self._terms = lru_cache(maxsize=300_000)(self._token_terms)
        self._heads = lru_cache(maxsize=300_000)(self._token_heads)

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        for token in WORD.findall(text.lower()):
            out.extend(self._terms(token))
        # `2025-11-12` is also `november`: a question says `den 12 november 2025` of a protocol dated in ISO form
        for month in ISO_DATE.findall(text):
            out.extend(self._terms(MONTHS[int(month) - 1]))
        return out

    def is_verb_form(self, word: str) -> bool:
        """A dictionary word that is a form of a verb the dictionary holds: `indelat`, `säljs`, `fattas` and
        `behandlade` (their infinitive is stem + a), `utsågs` (a strong verb). Not by `-a` or `-t` alone, which end
        nouns (`kvinna`) and adjectives (`klart`) as often as verbs. A plural noun with a verb of the same letters
        (`lagar`, `laga`) passes too: the caller must not depend on the difference."""
        lw = word.lower()
        if not self.lexicon.is_common(lw):
            return False
        if infinitive(lw) != lw:
            return True
        return any(lw.endswith(e) and len(lw) - len(e) >= 3 and self.lexicon.is_word(lw[:len(lw) - len(e)] + "a")
                   for e in VERB_ENDINGS if e not in ("a", "t"))

    def restore(self, token: str) -> str:
        """A word typed without å/ä/ö, back to its dictionary spelling when exactly that is known."""
        lower = token.lower()
        if self.lexicon.is_word(lower) or not lower.isalpha():
            return lower
        forms = self.lexicon.forms_for_fold(fold(lower))
        return forms[0] if len(forms) == 1 else lower

    def _stem(self, word: str) -> str:
        stemmer = getattr(self._stemmers, "stemmer", None)
        if stemmer is None:
            stemmer = self._stemmers.stemmer = Stemmer.Stemmer("swedish")
        return fold(stemmer.stemWord(word))

    def heads(self, text: str) -> list[str]:
        """Each word's stem and, for a compound, its head's: a compound is a kind of its last part
        (`lönekostnadsökningstakt` is a rate, not a salary), though `terms` gives every part for matching."""
        out: list[str] = []
        for token in WORD.findall(text.lower()):
            out.extend(self._heads(token))
        return out

    def _token_heads(self, token: str) -> tuple[str, ...]:
        terms = self._terms(token)
        if not terms:
            return ()
        tails: list[str] = []
        word = infinitive(self.restore(token))
        for _ in range(3):  # every tail is a head: `personalkostnaderna` is `kostnaderna` whichever way it splits
            split = self.lexicon.split_compound(word) if len(word) >= 8 else None
            if not split:
                break
            word = "".join(split[1:])
            tails += [self._stem(word), self._stem(split[-1])]
        return tuple(dict.fromkeys([terms[0], *(stem for stem in tails if len(stem) >= 3)]))

    def _token_terms(self, token: str) -> tuple[str, ...]:
        if token in STOPWORDS:
            return ()
        if token.isdigit():
            return (token,)
        word = infinitive(self.restore(token))
        terms = [self._stem(word)]
        verb = _verb_of_noun(terms[0])
        if verb:
            terms.append(verb)
        for part in self._parts(word):
            stem = self._stem(part)
            if stem not in terms and len(stem) >= 3:
                terms.append(stem)
        return tuple(terms)

    def _parts(self, word: str, depth: int = 0) -> list[str]:
        split = self.lexicon.split_compound(word) if len(word) >= 8 and depth < 3 else None
        if not split:
            return []
        parts: list[str] = []
        for i, part in enumerate(split):
            base = part[:-1] if i < len(split) - 1 and part.endswith("s") and not self.lexicon.is_word(part) else part
            parts.append(base)
            parts.extend(self._parts(base, depth + 1))
        # the compound minus its first part: korttidssjukfrånvaron → sjukfrånvaron
        if len(split) >= 2:
            parts.append("".join(split[1:]))
        return parts
