"""The words questions and passages are read by, loaded once from `data/vocabulary.toml` into typed fields.

Vocabulary is data: adding a cue for a new kind of question or document is an edit to the TOML file, and the
code that reads questions matches phrases, it does not spell them.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from ingest.lexicon import fold

# a year after a one-word period phrase makes it a deadline (`innan 2026`, `före 2025`), not the period before;
# `året innan 2025` is the year before 2025
DEADLINE = re.compile(r"\s+(?:ar\s+)?(?:19|20)\d\d\b")
AnswerType = Literal["who", "when", "why", "count", "amount", "place", "list", "yesno", "summary", "fact"]
DATA = Path(__file__).parent / "data"


class Periods(BaseModel):
    """`[periods]`: the phrases that ask for the period before, what a passage says when it reports one, and the
    words that compare with it (data/vocabulary.toml says which is which)."""
    previous: list[str] = []
    last_year: list[str] = []
    marks: list[str] = []
    comparatives: frozenset[str] = frozenset()
    changes: frozenset[str] = frozenset()


class Extremes(BaseModel):
    """`[extremes]`: the superlatives that ask which row, area or period has the most (`most`) or the least
    (`least`), the words of loss that turn them (`störst underskott` is the lowest value) and of gain that do not,
    the question words a ranking is asked with, the nouns that rank periods and the words that say how many are
    asked for (all folded)."""
    most: frozenset[str] = frozenset()
    least: frozenset[str] = frozenset()
    loss: frozenset[str] = frozenset()
    gain: frozenset[str] = frozenset()
    judged: frozenset[str] = frozenset()
    which: frozenset[str] = frozenset()
    periods: frozenset[str] = frozenset()
    counts: dict[str, int] = {}

    def count(self, word: str) -> int | None:
        """`tre` → 3, `5` → 5: how many a ranking names; None for any other word."""
        if word.isdigit() and 2 <= int(word) <= 20:
            return int(word)
        return self.counts.get(word)

    @property
    def signs(self) -> frozenset[str]:
        """Words that say which sign a ranking means: a gain or a loss, the best or the worst."""
        return self.loss | self.gain | self.judged

    @property
    def words(self) -> frozenset[str]:
        """Words that say how to rank, not what: no passage or figure label must hold them."""
        return self.most | self.least | self.loss | self.gain


class Cues(BaseModel):
    cause: list[str]
    time: list[str]
    time_prepositions: list[str]
    actor_endings: list[str]
    number_words: list[str]
    money_units: list[str]
    parties: list[str]
    roles: list[str] = []
    role_modifiers: dict[str, str] = {}
    meetings: list[str] = []
    chair_verbs: list[str] = []
    chair_post: str = ""
    place: list[str] = []
    bodies: list[str] = []
    polite: list[str] = []


class Vocabulary(BaseModel):
    frame: frozenset[str]
    focus_skip: frozenset[str]
    spelled_content: frozenset[str] = frozenset()
    copulas: frozenset[str] = frozenset()
    auxiliaries: frozenset[str] = frozenset()
    pronouns: frozenset[str] = frozenset()
    verb_openings: frozenset[str] = frozenset()
    conjunctions: frozenset[str] = frozenset()
    meaning_verbs: frozenset[str] = frozenset()  # naming verbs among them
    naming_verbs: frozenset[str] = frozenset()
    prepositions: list[str]
    money_words: frozenset[str]
    percent_words: frozenset[str]
    date_words: frozenset[str]
    clock_words: frozenset[str] = frozenset()
    clock_openings: frozenset[str] = frozenset()
    finite_endings: tuple[str, ...] = ()
    phone_phrases: list[str] = []
    email_phrases: list[str] = []
    identifier_phrases: list[str] = []
    answer_types: dict[str, list[str]]
    measures: frozenset[str]
    doc_types: dict[str, str]
    cues: Cues
    english: dict[str, str]
    english_phrases: dict[str, str]
    abbreviations: dict[str, str] = {}
    units: dict[str, str] = {}
    generic_nouns: frozenset[str] = frozenset()
    reporting_verbs: frozenset[str] = frozenset()
    periods: Periods = Periods()
    extremes: Extremes = Extremes()
    # (what a list question asks to list, the pattern over the folded question that says so), first match wins
    list_targets: list[tuple[str, str]] = []
    list_verb_targets: list[tuple[str, str]] = []

    def frames(self, word: str) -> bool:
        """Whether a question's word only frames it. Frame words are listed folded, so that `nar` typed
        without å/ä/ö is `när`; a word typed with them is what it says (`stöd` is no `stod`)."""
        return fold(word).lower() in self.frame and word.lower() not in self.spelled_content

    def skips_in_focus(self, word: str) -> bool:
        """Whether a word is passed over when finding what a question asks about: a frame word, or a copula,
        pronoun or size word (`focus_skip`), with the same care for words typed with å/ä/ö."""
        lower = word.lower()
        return self.frames(word) or lower in self.focus_skip \
            or (fold(lower) in self.focus_skip and lower not in self.spelled_content)

    def extreme_asked(self, folded_words: list[str], wants: str,
                      typed: list[str] | None = None) -> tuple[str | None, str | None, int]:
        """(`most` or `least`, the noun the question ranks: `omrade` in `Vilket område sparar mest?`, how many it
        asks for: 3 in `Vilka tre områden …`), when a superlative goes with a question word that asks which
        (`vilken`, `vad`; `var` and `where` only first, where they ask where and not what was), or opens the
        question (`största IT-investeringen 2024?`, `tre områden som sparar mest`). `när` ranks periods; who,
        why and yes/no questions ask for something else. `typed` is the words as written (lower case), when the
        question was typed with å/ä/ö: then `är` is no `år`."""
        ex = self.extremes
        said = [w for w in folded_words if w in ex.most or w in ex.least]
        if not said or wants in ("why", "yesno", "summary") or not folded_words:
            return None, None, 1
        first = folded_words[0]
        asks = [i for i, w in enumerate(folded_words) if w in ex.which and (i == 0 or w not in ("var", "where"))]
        leading = [w for w in folded_words[:3] if w in ("den", "det", "de", "the") or ex.count(w)]
        opens = folded_words[len(leading)] if len(leading) < len(folded_words) else ""
        if first in ("vem", "vems", "who", "whom") or not (asks or opens in said or wants == "when"
                                                          or (leading and ex.count(leading[0]))):
            return None, None, 1
        most = said[0] in ex.most
        if any(w in ex.loss for w in folded_words):
            most = not most  # `störst underskott`, `den största negativa avvikelsen`: the lowest value
        start = asks[0] + 1 if asks else 0
        top = next((n for w in folded_words[:start + 4] if (n := ex.count(w))), 1)
        # the noun after the question word, past a count and the words that frame it (`vilka är de tre områden`);
        # a period noun first, though `år` folds to the frame word `ar` (`är`): `vilket ar sparar` is a year,
        # `vilket ar det` a copula
        at = [i for i in range(start, min(start + 6, len(folded_words)))
              if not ex.count(folded_words[i]) and folded_words[i] not in ("de", "the")]
        after = [folded_words[i] for i in at]
        copula = after[:1] == ["ar"] and (typed[at[0]] == "är" if typed is not None else (
            len(after) < 2 or after[1] in ("den", "det", "de", "dessa", "detta")))
        if after and after[0] in ex.periods and not copula:
            noun: str | None = after[0]
        else:
            rest = [w for w in after if w not in self.focus_skip and w not in self.frame]
            noun = rest[0] if rest and (asks or ex.count(first)) else None
        return ("most" if most else "least"), noun, top

    def periods_asked(self, folded_question: str) -> tuple[str | None, list[tuple[int, int]]]:
        """Whether the question asks for the period before: `last_year` (`förra året`, `i fjol`: a calendar year),
        `previous` (`föregående år`, `året innan`, `fg år`: the period before the one reported), or None; and
        where the phrases stand, so that their words are not read as what the question is about."""
        spans: list[tuple[int, int]] = []
        kind = None
        text = folded_question.lower()
        for name, phrases in (("last_year", self.periods.last_year), ("previous", self.periods.previous)):
            if not phrases:
                continue
            found = [m.span() for m in _compiled(tuple(phrases)).finditer(text)
                     if not DEADLINE.match(text, m.end()) or " " in m.group(0)]
            found = [s for s in found if not any(a <= s[0] < z for a, z in spans)]
            if found and kind is None:
                kind = name
            spans += found
        return kind, sorted(spans)

    def particulars_asked(self, folded_question: str) -> set[str]:
        """`phone`, `email` and `identifier`, for a question that asks for a phone number, an e-mail address or
        a case's registry number: only a unit that prints one can answer it."""
        text = folded_question.lower()
        return {kind for kind, phrases in (("phone", self.phone_phrases), ("email", self.email_phrases),
                                           ("identifier", self.identifier_phrases))
                if phrases and _compiled(tuple(phrases)).search(text)}

    def opening(self, folded_question: str, spelled: str | None = None) -> tuple[AnswerType, str]:
        """(what the question asks for, the phrase that says so) from its first words; a preposition may come
        first (`Från vilket datum …`, `Med hur mycket …`). `spelled` is the question in lower case as typed, when
        it was typed with å/ä/ö: then a phrase the vocabulary spells with them (`vilka år`) must be typed so, and
        `vilka är` is no `vilka år`."""
        text = folded_question.strip()
        # a follow-up's conjunction (`och vad …`, `så hur …`) is passed over, as it is from the typed question:
        # folding keeps a question's length, so the same number of letters goes from both
        first = text.split(maxsplit=1)
        skip = len(text) - len(first[1]) if len(first) == 2 and first[0] in self.conjunctions else 0
        text = text[skip:]
        typed = spelled.strip()[skip:] if spelled is not None else None
        if typed is not None and len(typed) != len(text):
            typed = None  # not the same question: read it folded

        def longest(start: int = 0) -> tuple[str, str]:
            return self._longest(text[start:], typed[start:] if typed is not None else None)

        best = longest()
        # `Kan du ge en sammanfattning …`, `Could you write …`: a request behind a polite question is still a
        # request to write, not a yes/no question
        polite = _compiled_prefix(tuple(self.cues.polite)).match(text) if self.cues.polite else None
        if polite and (request := longest(polite.end()))[0] == "summary":
            best = (request[0], polite.group(0) + request[1])
        first = text.split()[0] if text.split() else ""
        if best[0] == "fact" and len(first) > 4 and first.endswith(self.finite_endings) and not first.endswith("nas"):
            best = ("yesno", first)
        prepositions = "|".join(map(re.escape, self.prepositions))
        if best[0] == "fact":
            m = re.match(r"(?:" + prepositions + r")\s+", text)
            if m and (after := longest(m.end()))[0] != "fact":
                best = (after[0], m.group(0) + after[1])
        # a preposition left at the end belongs to a question word that stands alone (`Vem skickas beslutet
        # till?` asks `till vem`, a recipient; `vilka ska det expedieras till`), not to one before a noun
        # (`Vilka perspektiv består planen av?` asks for perspectives); the opening stays the words it starts with
        stranded = re.search(r"\s(" + prepositions + r")\W*$", text)
        after = text[len(best[1]):].split()[:1]
        alone = best[1] in ("vem", "vems") or bool(after and after[0] in self.focus_skip)
        if stranded and best[1] and alone and not re.match(r"(?:" + prepositions + r")\s", text):
            moved = self._longest(f"{stranded.group(1)} {text}")
            if moved[0] != best[0] and moved[1].startswith(stranded.group(1) + " "):
                best = (moved[0], best[1])
        return best  # type: ignore[return-value]

    def _longest(self, text: str, typed: str | None = None) -> tuple[str, str]:
        """The longest phrase `text` (folded) opens with. A phrase spelled with å/ä/ö is matched against `typed`,
        the same text as typed, where there is one: folding keeps every letter's place."""
        best: tuple[str, str] = ("fact", "")
        for kind, phrases in self.answer_types.items():
            for phrase in phrases:
                folded = _folded(phrase)
                against, wanted = (typed, phrase) if typed is not None and folded != phrase else (text, folded)
                if len(folded) > len(best[1]) and re.match(re.escape(wanted) + r"(?![\w-])", against):
                    best = (kind, folded)
        return best


@lru_cache(maxsize=None)
def _folded(phrase: str) -> str:
    """A vocabulary phrase folded once, not at every question read (the phrases are few and never change)."""
    return fold(phrase)


@lru_cache(maxsize=None)
def _compiled_prefix(phrases: tuple[str, ...]) -> re.Pattern:
    """Any of these phrases at the start, followed by a space (longest first)."""
    return re.compile("(?:" + "|".join(sorted((re.escape(fold(p)) for p in phrases), key=len, reverse=True)) + r")\s+")


@lru_cache(maxsize=None)
def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted((re.escape(fold(p)) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = DATA / "vocabulary.toml") -> Vocabulary:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(frame=frozenset(data["frame"].split()), focus_skip=frozenset(data["focus_skip"].split()),
                      spelled_content=frozenset(data.get("spelled_content", "").split()),
                      copulas=frozenset(data.get("copulas", "").split()),
                      auxiliaries=frozenset(data.get("auxiliaries", "").split()),
                      verb_openings=frozenset(data.get("verb_openings", "").split()),
                      conjunctions=frozenset(data.get("conjunctions", "").split()),
                      pronouns=frozenset(data.get("pronouns", "").split()),
                      naming_verbs=frozenset(naming := data.get("naming_verbs", "").split()),
                      meaning_verbs=frozenset(data.get("meaning_verbs", "").split() + naming),
                      prepositions=data["prepositions"].split(), money_words=frozenset(data["money_words"].split()),
                      percent_words=frozenset(data["percent_words"].split()),
                      date_words=frozenset(data["date_words"].split()),
                      clock_words=frozenset(data.get("clock_words", "").split()),
                      clock_openings=frozenset(data.get("clock_openings", [])), answer_types=data["answer_types"],
                      phone_phrases=data.get("phone_phrases", []), email_phrases=data.get("email_phrases", []),
                      identifier_phrases=data.get("identifier_phrases", []),
                      finite_endings=tuple(data.get("finite_endings", [])),
                      measures=frozenset(data["measures"].split()), doc_types=data["doc_types"],
                      cues=Cues(**data["cues"]), english=data["english"],
                      english_phrases=data.get("english_phrases", {}),
                      abbreviations=data.get("abbreviations", {}), units=data.get("units", {}),
                      generic_nouns=frozenset(data.get("generic_nouns", "").split()),
                      reporting_verbs=frozenset(data.get("reporting_verbs", "").split()),
                      periods=Periods(**data.get("periods", {})),
                      extremes=Extremes(**data.get("extremes", {})),
                      list_targets=_targets(data.get("list_targets", [])),
                      list_verb_targets=_targets(data.get("list_verb_targets", [])))


def _targets(tables: list[dict]) -> list[tuple[str, str]]:
    """(target, pattern) of each `[[list_targets]]` table; a pattern given as a list of parts is their join."""
    return [(t["target"], "".join(t["pattern"]) if isinstance(t["pattern"], list) else t["pattern"])
            for t in tables]


def phrase_pattern(phrases) -> re.Pattern:
    """One compiled alternation of folded phrases, at word boundaries."""
    return _compiled(tuple(phrases))
