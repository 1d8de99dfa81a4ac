"""Swedish terms for BM25: Snowball stems, diacritics folded, compounds split into their parts.

`forsorjning` must find `försörjning` and `sjukfrånvaro` must find `korttidssjukfrånvaron`; English stopword
lists (which drop the query "IT") have no place here.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from ingest.lexicon import Lexicon, fold

ANALYZER_ID = {"name": "sv-snowball-fold-compounds", "version": 4}  # 3: surface vocabulary saved; 4: verb-stem compounds
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
varit finns fanns vid hos åt ut upp in ned ner alla allt andra annan annat något någon några the of and what
is was are
""".split())


class SwedishAnalyzer:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        # PyStemmer: "the algorithm has internal state, so must not be called concurrently"; the chat reads
        # questions side by side, so each thread has a stemmer of its own
        self._stemmers = threading.local()
        self._terms = lru_cache(maxsize=300_000)(self._token_terms)

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        for token in WORD.findall(text.lower()):
            out.extend(self._terms(token))
        return out

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

    def _token_terms(self, token: str) -> tuple[str, ...]:
        if token in STOPWORDS:
            return ()
        if token.isdigit():
            return (token,)
        word = self.restore(token)
        terms = [self._stem(word)]
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
