"""A question read once: its terms (diacritics restored, typos mended, English mapped to Swedish), what it asks
for (a person, a time, a reason, an amount, a count, a list, a yes or no, a fact), the word it asks about, the
years and documents it names. Every answerer reads this; none re-reads the raw text for routing.

Nothing here excludes: a document type or body named in the question makes its passages rank higher
(`hints`); only filters the user sets (`filters`) leave anything out.
"""
from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from index.analyzer import STOPWORDS, WORD, SwedishAnalyzer
from index.search import Filters
from ingest.lexicon import fold
from ingest.ocr_repair import Repairer, is_stripped

from .bilingual import Bilingual, english_bases
from .roles import Post, Posts
from .vocabulary import AnswerType, load_vocabulary

# The longest words in the documents run to about 30 letters; 60 characters without a space is no word anyone
# asks about (a pasted hash, a keyboard held down). Such runs are left out before the question is read: each
# costs the spelling repair, the compound splitter, the fuzzy typo match and the embedder (whose windows grow
# with the text) time by its length, and a one-word question of 2 000 letters must answer as fast as any other.
LONGEST_WORD = 60
ABSURD_WORD = re.compile(r"\S{%d,}" % (LONGEST_WORD + 1))
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
# a motion's or a case's number: `31-2025`, `SN 45-2026`, `RS 2026/77`; its year is no year the question asks about
IDENTIFIER = re.compile(r"(?<![\d-])\b\d{1,3}[-/](?:19|20)\d\d\b|\b(?:19|20)\d\d/\d{1,5}\b")


def years_of(text: str) -> list[int]:
    inside = [m.span() for m in IDENTIFIER.finditer(text)]
    return [int(m.group(1)) for m in YEAR.finditer(text) if not any(a <= m.start() < z for a, z in inside)]
PARAGRAPH = re.compile(r"§\s*(\d+)|\bparagraf(?:en)?\s+(\d+)|\bparagraph\s+(\d+)", re.I)
FRAME_WORDS = load_vocabulary().frame  # folded
AREA_WORDS = ("omrade", "omradet", "area")
ENGLISH_HINTS = frozenset("""what which who whom whose how when where why much many does did do is are was were the
for of in on decided has have will would could should there their this that with by from and or be been an a
at to s large big high low end during get got bring brought give gave amount size
must shall may might can cannot now also still just
""".split())  # modal verbs too: `must` is no `böra`/`må` a passage has to hold


# A question about what was decided or proposed (folded): answered by a decision's own words.
DECISION_WORDS = {"foreslas", "foreslar", "foreslog", "foreslogs", "beslutade", "beslutat", "beslutades", "beslot",
                  "beslutar", "besluta", "beslut", "beslutet", "forslaget", "forslag", "decided", "decision",
                  "proposed", "proposal"}


# Words that name a matter rather than what it is about: `om motionen om …`.
MATTER_WORDS = {"motion", "motionen", "arende", "arendet", "fragan", "forslaget", "medborgarforslaget",
                "medborgarforslag", "interpellationen", "skrivelsen", "motion", "proposal", "matter"}


@dataclass
class Question:
    text: str
    normalized: str  # diacritics restored, typos mended, English words in Swedish
    terms: list[str]  # analyzer terms of `normalized`: what BM25 searches
    content_terms: list[str]  # stems that name the subject (frame words removed)
    years: list[int]
    english: bool
    content_groups: list[tuple[str, ...]] = field(default_factory=list)  # per content word: stem, then its parts
    wants: AnswerType = "fact"
    measure: bool = False  # names a measure (budget, prognos, kostnad …): may ask for a figure
    measures: list[str] = field(default_factory=list)  # the measure words named (a compound's head: `kostnader`
    # of `personalkostnader`): what kind of figure, not which row
    focus: list[str] = field(default_factory=list)  # stems of the word asked about (`hur många patienter`)
    hints: Filters = field(default_factory=Filters)  # named document types: ranked higher, never excluded
    filters: Filters = field(default_factory=Filters)  # set by the user: only these documents
    unknown: list[str] = field(default_factory=list)  # content words the corpus never uses
    unknown_bodies: list[str] = field(default_factory=list)  # bodies named (`tandvårdsnämnden`) no document names
    # verbs no document writes (`indelat` where the plan says `organiserade`): how the question puts it, not what
    # it is about, so they are not content words a passage must hold; they still count as unknown
    unknown_verbs: list[str] = field(default_factory=list)
    paragraph: str | None = None  # `§ 58`
    topic: list[str] = field(default_factory=list)  # a decision question's subject: the thing after `om`
    identifiers: list[str] = field(default_factory=list)  # `31-2025`, `2026/77`: a motion's or a case's number
    asks: set[str] = field(default_factory=set)  # finer than `wants`: money, percent (a share), date (a day)
    units: set[str] = field(default_factory=set)  # what the units it names measure (`öre`, `procent`, `kronor`)
    names: list[tuple[str, ...]] = field(default_factory=list)  # stems of what the question names: `Cosmic`,
    # `HME`, `Lindesbergs lasarett`, the area after `Område`; an answer about something else does not answer
    post: Post | None = None  # `Vem är ordförande i servicenämnden?`: the post whose holder is asked for
    # `previous` (`föregående år`, `året innan`, `fg år`): the period before the one a document reports on;
    # `last_year` (`förra året`, `i fjol`): the calendar year before the newest document's, `period_year`
    period: str | None = None
    period_year: int | None = None
    period_words: frozenset[str] = frozenset()  # folded words of those phrases: they name no subject
    # `most` or `least`: asks which row, area or year has the greatest or smallest value (`Vilket område sparar
    # mest?`); `ranked_by` is the noun after the question word (`omrade`, `ar`), folded
    extreme: str | None = None
    ranked_by: str | None = None
    top: int = 1  # how many the ranking asks for: `Vilka tre områden sparar mest?`

    @property
    def search_text(self) -> str:
        """What the vector search embeds: the question as asked, and its mended form when that differs."""
        if self.english or self.normalized == self.text.lower():
            return self.text
        return f"{self.text}\n{self.normalized}"

    @property
    def quantity(self) -> bool:
        """Asks for an amount or a count, or names a measure."""
        return self.wants in ("amount", "count") or self.measure


BODY_ENDINGS = frozenset(["", "s", "en", "ens", "n", "ns", "et", "ets", "er", "erna", "ernas"])

# Endings that inflect a measure word or make a verb of it (`budget` → `budgeteras`, `prognos` → `prognostiseras`);
# anything else after it makes a compound with another head.
MEASURE_ENDINGS = frozenset("""n t en et er erna ar arna or orna na s es ens ets ns ts e a r rna ade ades at ats as ad
ande eras erar erade erat erats erades ering eringen eringar tisera tiseras tiserar tiserade tiserat tiserades
ticeras""".split()) | {""}


# English loanwords as Swedish spells them (`QuestionReader._cognate`). Hand-written: FreeDict, the one
# English–Swedish resource the package registries offer, lacks most of them (`telephony`, `vacant`, `endoscopy`).
COGNATE_PREFIX = 6  # a shorter shared beginning (`serve`, `proposal`) says nothing of meaning
_SWEDISH_LETTERS = [(re.compile(r"ph"), "f"), (re.compile(r"th"), "t"), (re.compile(r"qu"), "kv"),
                    (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"c"), "k"), (re.compile(r"y"), "i"),
                    (re.compile(r"w"), "v")]


def swedish_spelling(word: str) -> str:
    """An English word as Swedish would spell its loanword (`inspection` → `inspektion`, `telephony` →
    `telefoni`): a few regular letter correspondences, not a translation."""
    out = word.lower()
    for pattern, letters in _SWEDISH_LETTERS:
        out = pattern.sub(letters, out)
    return out


# Verb particles that Swedish also writes joined to the verb (`skriva av` / `avskriva`, `lägga ner` /
# `nerlägga`). Not `på`, `till`, `om`, `över`: mostly prepositions, and `ligger på` is not `påligger`.
PARTICLES = frozenset({"av", "upp", "ut", "in", "ner", "ned", "bort", "fram", "ihop", "tillbaka", "undan"})


def name_run_words(tokens: list[str]) -> set[str]:
    """The words (lower case) of two or more capitalised words in a row after the first: a name in an English
    question (`Shared Service Center`, `Region Örebro County`), to be searched as written, not translated word by
    word (`shared` is not `delad`)."""
    out: set[str] = set()
    run: list[str] = []
    for tok in [*tokens[1:], ""]:
        if tok[:1].isupper() and tok.isalpha():
            run.append(tok)
            continue
        if len(run) >= 2:
            out |= {w.lower() for w in run}
        run = []
    return out


class IndexTerms:
    """The index's terms, looked up as the reader's `covered` judges a unit to hold a word: Snowball leaves some
    endings (`utfallet` against the index's `utfall`), and a word the reader finds covered must not at the same
    time count as one no document uses (unknown, and weighed as the rarest)."""

    def __init__(self, doc_freq: dict[str, int]):
        self.doc_freq = doc_freq
        self._sorted: list[str] | None = None  # sorted when a word first needs its longer forms

    def find(self, term: str) -> str | None:
        """This word's term in the index, or None when the corpus never uses it."""
        if term in self.doc_freq:
            return term
        if len(term) < 5 or term.isdigit():
            return None
        for k in range(len(term) - 1, max(5, len(term) - 3) - 1, -1):
            if term[:k] in self.doc_freq:
                return term[:k]
        if self._sorted is None:
            self._sorted = sorted(self.doc_freq)
        at = bisect.bisect_right(self._sorted, term)
        for other in self._sorted[at: at + 200]:  # the terms that extend it sort right after it
            if not other.startswith(term):
                return None
            if len(other) <= len(term) + 3:
                return other
        return None


# How much less close to an English word than its nearest Swedish sense another sense may be and still be kept
# (word cosines of the embedder lie between 0.8 and 1.0; `report`: `rapport` 0.97, `rapportera` 0.91, `förslag` 0.88).
SENSE_MARGIN = 0.03
RARE_SENSE = 10  # a kept sense is used at least a tenth as often as the commonest sense kept beside it


class QuestionReader:
    def __init__(self, analyzer: SwedishAnalyzer, doc_freq: dict[str, int], surface_vocab: dict[str, int],
                 bilingual: Bilingual | None = None, newest_year: int | None = None,
                 embed: Callable[[list[str]], np.ndarray] | None = None):
        """`embed`: the index's embedder (its `passages`), which picks among a dictionary's senses of an English
        word the one nearest it in meaning."""
        self.analyzer = analyzer
        self._embed = embed
        self._word_vectors: dict[str, np.ndarray] = {}
        self._vector_lock = threading.Lock()
        # `förra året` is the year before the newest document's: the corpus is kept up to date, and the answer
        # must not change with the day it is asked (nor the evals with the day they run)
        self.newest_year = newest_year
        self.repairer = Repairer(analyzer.lexicon)
        self.doc_freq = doc_freq
        self.vocab = surface_vocab  # folded corpus word → count, for typo repair
        self._vocab_keys = [w for w in surface_vocab if len(w) >= 5]
        self._sorted_vocab: list[str] | None = None  # for compound heads, sorted when first asked
        self.index_terms = IndexTerms(doc_freq)
        self.words = load_vocabulary()
        self.bilingual = bilingual or Bilingual.find()
        self._measure_stems = sorted({m for m in self.words.measures if len(m) >= 5})
        self._body_heads = [fold(b).lower() for b in self.words.cues.bodies]
        self.posts = Posts(self.words)  # posts by how their titles end (`förvaltnings|chef`)

    def read(self, text: str, filters: Filters | None = None) -> Question:
        text = ABSURD_WORD.sub(" ", text).strip()
        tokens = WORD.findall(text)
        lowered = [t.lower() for t in tokens]
        english = self._english_question(lowered, text)
        stripped = is_stripped(text, min_letters=0)  # typed without å/ä/ö: read `ar`, `for`, `manga` as är, för, många
        words: list[str] = []
        if english:  # `net financial result` is one Swedish word before it is three English ones
            phrased = text.lower()
            for phrase, swedish in sorted(self.words.english_phrases.items(), key=lambda kv: -len(kv[0])):
                phrased = re.sub(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", f" {swedish} ", phrased)
            lowered = [t.lower() for t in WORD.findall(phrased)]
        named = name_run_words(tokens) if english else set()
        # `ITIL`, `SAM`: written in capitals, an acronym is read as written; mending it as a word typed without
        # å/ä/ö would make `ITIL` the non-word `ätil`
        acronyms = {t.lower() for t in tokens if len(t) >= 2 and t.isalpha() and t.isupper()}
        translated: list[list[str]] = []
        for tok in lowered:
            if english:
                translated.append(self._english(tok, tok in named))
                words += translated[-1]
            elif fold(tok) in self.words.abbreviations:
                words += self.words.abbreviations[fold(tok)].split()
            else:
                words.append(tok if tok in acronyms else self._mend(tok, stripped))
        if english:
            words += self._swedish_compounds(translated)
        else:
            words = self._join_particle_verbs(words)
        normalized = " ".join(words)
        folded_normalized = fold(normalized)
        period, spans = self.words.periods_asked(folded_normalized)
        period_words = frozenset(w for a, z in spans for w in folded_normalized[a:z].split())
        if period:  # `bättre eller sämre än föregående år`: how to compare, not what
            period_words |= {fold(w) for w in words} & self.words.periods.comparatives
        folded = fold(text)
        wants, opening = self.words.opening(folded, None if stripped else text.lower())
        extreme, ranked_by, top = self.words.extreme_asked([fold(t) for t in lowered], wants,
                                                           None if stripped or english else lowered)
        if extreme is None and english:
            extreme, ranked_by, top = self.words.extreme_asked([fold(t).lower() for t in tokens], wants)
        # `störst underskott`, `den största positiva avvikelsen`: with a superlative, how to rank, not what
        ranking_words = self.words.extremes.words if extreme else frozenset()
        content: list[str] = []
        groups: list[tuple[str, ...]] = []
        unknown: list[str] = []
        unknown_bodies: list[str] = []
        unknown_verbs: list[str] = []
        for word in words:
            if self.words.frames(word) or word in STOPWORDS or (english and word in ENGLISH_HINTS) \
                    or fold(word) in period_words or fold(word) in ranking_words \
                    or self._says_kind_asked(word, wants, opening):
                continue
            word_terms = self.analyzer.terms(word)
            if not word_terms:
                continue
            if not word.isdigit() and not any(self.index_terms.find(t) for t in word_terms):
                if parts := self._known_parts(word):
                    word_terms = [*word_terms, *parts]
                else:
                    unknown.append(word)
                    if self.analyzer.is_verb_form(word):
                        unknown_verbs.append(word)
                        continue
            content.append(word_terms[0])
            if word_terms[0] not in {g[0] for g in groups}:
                groups.append(tuple(word_terms))
            if self._body(word) and word_terms[0] not in self.doc_freq:
                unknown_bodies.append(word)
        names = self._names(text)
        heads = [h for w in [*lowered, *words] if (h := self._measure_spelled(w))]
        measure = bool(heads)
        folded_words = {fold(w) for w in [*lowered, *words]} | ({"%"} if "%" in text else set())
        decision = wants in ("fact", "list") and bool(folded_words & DECISION_WORDS)
        if wants == "fact" and measure and not decision and not self._asks_for_other(words):
            # `Vad är budgeten …`, `Vad blev utfallet …` ask for a figure; `Vad beslutade nämnden om budgeten`
            # asks for a decision, with or without a number in it
            wants = "amount"
        if wants == "fact" and self._asks_name_of_role(words):
            wants = "who"
        asks = set()
        if folded_words & self.words.percent_words:
            asks.add("percent")  # `hur många procent av kostnaderna`: a share of money, not money
        elif wants in ("amount", "count", "fact") and folded_words & self.words.money_words and not decision:
            asks.add("money")
        if wants == "when" and folded_words & self.words.date_words:
            asks.add("date")
        if wants == "when" and (folded_words & self.words.clock_words or opening in self.words.clock_openings):
            asks.add("clock")  # `Vilken tid börjar mötet?`: a time of day, not the day of the meeting
        if particulars := self.words.particulars_asked(folded):  # a phone number, an e-mail address, a case number
            asks = particulars  # `Vilket ärendenummer har ärendet om ändrad taxa`: the number, not the fee's money
        if decision:
            asks.add("decision")  # `Vad föreslås om motionen …`: a proposal or a decision, not its background
        if extreme and not (wants == "list" and folded.split()[:1] == ["vilka"]):
            # `Vilket område har högst sjukfrånvaro?`: the administration's figure is no answer; `Vilka är de största
            # utmaningarna?` asks for the main ones, which a passage lists without ranking them
            asks.add("ranking")
        units = {self.words.units[w] for w in folded_words if w in self.words.units}
        hints = Filters()
        for phrase, doc_type in self.words.doc_types.items():
            if re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", folded):
                hints.doc_types.add(doc_type)
        para = PARAGRAPH.search(text)
        topic = self._topic(words, names) if "decision" in asks else []
        focus = topic or self._kind_asked(words, names) or self._focus(words, opening, names,
                                                                       verb_next=wants in ("when", "why"))
        post = self._post_asked(words, focus) if wants == "who" else None
        if post is not None:
            asks.add("person")
        return Question(text=text, normalized=normalized, terms=self.analyzer.terms(normalized),
                        content_terms=list(dict.fromkeys(content)), content_groups=groups, years=years_of(text),
                        english=english, wants=wants, measure=measure, measures=list(dict.fromkeys(heads)), focus=focus,
                        hints=hints, filters=filters or Filters(), unknown=unknown, unknown_bodies=unknown_bodies,
                        unknown_verbs=unknown_verbs,
                        asks=asks | {f"in {u}" for u in units}, topic=topic, units=units, post=post,
                        period=period, period_words=period_words, extreme=extreme, ranked_by=ranked_by, top=top,
                        period_year=self.newest_year - 1 if period == "last_year" and self.newest_year else None,
                        identifiers=IDENTIFIER.findall(text),
                        paragraph=f"§ {next(g for g in para.groups() if g)}" if para else None,
                        names=names + ([(para_number,)] if (para_number := next((g for g in para.groups() if g), None)
                                                            if para else None) else []))

    def _asks_for_other(self, words: list[str]) -> bool:
        """`Vad bidrog till minskad sjukfrånvaro?`, `Vad exkluderas i utfallet?`, `Vilken konsekvens får
        avgiften?`: what `vad` or `vilken` asks about, the verb or noun right after it, is neither a copula nor a
        measure, so the measure word later in the question is what the answer is about, not what it gives.
        `Vad var budgeten`, `Vad landar kostnaderna på`, `Vilket HME-värde`, `Vilket resultat budgeteras`, `Vad
        har kostnaderna ökat med` still ask for a figure."""
        if len(words) < 2 or fold(words[0]).lower() not in ("vad", "vilken", "vilket"):
            return False
        after = words[1:3]
        if fold(after[0]).lower() in self.words.auxiliaries and len(after) > 1 \
                and fold(after[1]).lower().endswith(("t", "ts")) and not self._measure_spelled(after[1]):
            return True  # `Vad har bidragit …`, `Vad har påverkat …`: a participle (supine) is what is asked about
        if self.words.skips_in_focus(after[0]) or after[0].isdigit():
            return False
        return not any(self._measure_spelled(w) for w in after)

    def _post_asked(self, words: list[str], focus: list[str]) -> Post | None:
        """The post whose holder a `vem` question asks for, when the post is what it asks about and is a
        particular one: by its kind (`Vem är förvaltningschef?`) or by the body named with it (`Vem är ordförande
        i servicenämnden?`). A sentence naming the post does not say who holds it; `Vem är chef?` is answered by
        the post that is (`leds av en förvaltningschef`). A body named bare (`i fullmäktige`, `i nämnden`) is the
        one the holder's unit or document must name; a meeting makes the post particular as a body does, and
        leading a meeting or a body is chairing it (`Vem ledde mötet?`, `Vem leder regionstyrelsen?`)."""
        bodies = tuple(t for w in words if self._body(w, bare=True) for t in self.analyzer.terms(w)[:1])
        folded = [fold(w).lower() for w in words]
        meeting = any(w in self.words.cues.meetings for w in folded)
        if (bodies or meeting) and self.words.cues.chair_post and not any(self.posts.parts(w) for w in words) \
                and any(w in self.words.cues.chair_verbs for w in folded):
            return Post(self.words.cues.chair_post, "", bodies)  # `Vem ledde mötet?`: its chair
        for i, word in enumerate(words):
            modifier = self.posts.modifier(words[i - 1]) if i else ""
            asked = [word, words[i - 1]] if modifier else [word]  # `vice ordförande`: the focus may be `vice`
            if word in STOPWORDS or all(self.analyzer.terms(w)[:1] != focus[:1] for w in asked):
                continue
            parts = self.posts.parts(word)
            if parts is not None and (len(parts[0]) >= 3 or bodies or meeting):
                return Post("".join(parts), modifier, bodies)
        return None

    def _asks_name_of_role(self, words: list[str]) -> bool:
        """`Vad heter förvaltningschefen?` asks who holds the post, as `vem` does; `Vad heter strategin?` does
        not."""
        folded = [fold(w).lower() for w in words]
        if len(folded) < 3 or folded[0] != "vad" or folded[1] not in self.words.naming_verbs:
            return False
        subject = next((w for w in folded[2:] if w not in self.words.pronouns and w not in STOPWORDS), "")
        return self.posts.parts(subject) is not None

    def _kind_asked(self, words: list[str], names: list[tuple[str, ...]]) -> list[str]:
        """`Vad har Område IT fått för uppdrag?`, `Vad är det för besparingar?`: `vad … för` a noun closing the
        question asks for that noun. After a copula and a noun (`Vad är budgeten för personalkostnader`, `Vad blev
        utfallet för Regionservice`, `Vad innebär planen för IT`) `för` is the preposition, and the noun before it is
        what is asked about."""
        folded = [fold(w).lower() for w in words]
        while folded and folded[-1].isdigit():  # a closing year: `… för budget 2026?`
            folded = folded[:-1]
        if len(folded) < 4 or folded[0] != "vad" or "for" not in folded[2:-1]:
            return []
        at = len(folded) - 1 - folded[::-1].index("for")
        after = [i for i in range(at + 1, len(folded)) if folded[i] not in ("slags", "sorts", "sorters")]
        if len(after) != 1 or folded[after[0]] in STOPWORDS or self.words.frames(words[after[0]]):
            return []
        named = {n[0] for n in names}
        if folded[after[0]] in self.words.generic_nouns:
            # `Vad har OSA för värde?`, `… (OSA) för siffra?`: a noun that only says `a number` asks for the figure
            # of what the question names
            return list(names[-1]) if names else []
        plain_subject = all(w in self.words.pronouns or (self.analyzer.terms(w)[:1] or [""])[0] in named for w in folded[2:at])
        if (folded[1] in self.words.copulas or folded[1] in self.words.meaning_verbs) and not plain_subject:
            return []
        terms = self.analyzer.terms(words[after[0]])
        return terms if terms and terms[0] not in named else []

    def _names(self, text: str) -> list[tuple[str, ...]]:
        """Proper names and acronyms (capitalised, not opening the question), a particular body even in lower case
        (`servicenämnden`: an answer about another body's chair does not answer), and the word after `Område`."""
        out: list[tuple[str, ...]] = []
        tokens = WORD.findall(text)
        for i, tok in enumerate(tokens):
            if tok.isdigit() or len(tok) < 2 or self.words.frames(tok) or fold(tok) in AREA_WORDS:
                continue
            capital = tok[0].isupper() and i > 0 and not (tok.isupper() and len(tok) > 5)
            acronym = tok.isupper() and len(tok) >= 2
            after_area = i > 0 and fold(tokens[i - 1]) in AREA_WORDS
            if capital or acronym or after_area or self._body(tok):
                terms = tuple(self.analyzer.terms(tok))
                if terms and terms not in out:
                    out.append(terms)
        return out

    def _english_question(self, lowered: list[str], text: str) -> bool:
        """Two English function words, or mostly words English has and Swedish does not (`IT area forecast`).
        A question with å/ä/ö is English only by two function words Swedish does not have (`what`, `the`, not
        `for`, `is`): English questions name Swedish bodies and places (`Region Örebro County`, `Servicenämnden`)."""
        if any(ch in text for ch in "åäöÅÄÖ"):
            return sum(t in ENGLISH_HINTS and not self.analyzer.lexicon.is_word(t) and fold(t) not in self.vocab
                       for t in lowered) >= 2
        # typed without å/ä/ö, `for`, `an`, `at` are Swedish function words (`för`, `än`, `åt`): no sign of English
        if sum(t in ENGLISH_HINTS and not self._swedish_function_word(t) for t in lowered) >= 2:
            return True
        words = [t for t in lowered if t.isalpha() and len(t) > 2]
        english_only = [t for t in words if (t in self.words.english or self.bilingual.translate(t))
                        and not self.analyzer.lexicon.is_known(t) and fold(t) not in self.vocab]
        return bool(words) and len(english_only) >= max(1, 0.4 * len(words))

    def _swedish_function_word(self, word: str) -> bool:
        """`for`, `an`, `at`: a Swedish function word with its å/ä/ö typed away (`för`, `än`, `åt`)."""
        return any(form != word and form in STOPWORDS for form in self.analyzer.lexicon.forms_for_fold(word))

    def _says_kind_asked(self, word: str, wants: str, opening: str) -> bool:
        """A word that says what kind of answer is asked for (the unit's type judges that), not what it is
        about. The nouns of a who/when/amount/count opening (`vilket organ`, `vilken tid`, `hur länge`, `vilket
        belopp`): `Vilket organ är arbetsgivare?` is not about an `organ`. Not `vad är syftet` (a purpose is said
        in words the unit holds), nor a verb (`vad kostar`: without it, a unit about something else held all
        that was left of `Vad kostar en glass på månen?`). And in a question for an amount, what it is counted
        in (`hur mycket pengar`, `hur många procent`, `vilket värde`)."""
        if wants not in ("who", "when", "amount", "count"):
            return False
        folded = fold(word)
        if folded in opening.split() and not self.analyzer.is_verb_form(word):
            return True
        return wants in ("amount", "count") and (self.words.units.get(folded) in ("kronor", "procent")
                                                 or folded in self.words.generic_nouns)

    def _known_parts(self, word: str) -> list[str]:
        """A compound no document uses, read by its parts when the corpus uses every one of them:
        `regionfullmäktigemål` is `regionfullmäktige` + `mål`, `värdeord` `värde` + `ord`. A person joins words
        that a document keeps apart, and such a word is not one the corpus lacks. The analyzer splits only at a
        last part of four letters or more (right for OCR text, where broken words would pass); a question's
        compound may end in three (`mål`, `ord`, `år`)."""
        split = self.analyzer.lexicon.split_compound(self.analyzer.restore(word), min_tail=3)
        if not split:
            return []
        parts: list[str] = []
        for i, part in enumerate(split):
            if i < len(split) - 1 and part.endswith("s") and not self.analyzer.lexicon.is_word(part):
                part = part[:-1]  # the linking -s- of `besparings|mål`
            terms = self.analyzer.terms(part)
            if not terms or not self.index_terms.find(terms[0]):
                return []
            parts.append(terms[0])
        return parts

    def _body(self, word: str, bare: bool = False) -> bool:
        """A particular body's name: a compound ending in a body word, inflected or not (`tandvårdsnämndens`,
        `regionstyrelsen`); not the body word alone (`nämnden` is whichever the passage is about) unless
        `bare`."""
        folded = fold(word).lower()
        for head in self._body_heads:
            at = folded.rfind(head)
            if (at >= 3 or (bare and at == 0)) and folded[at + len(head):] in BODY_ENDINGS:
                return True
        return False

    def _measure(self, word: str) -> str | None:
        """A measure word, an inflection of one (`budgeteras`, `prognostiseras`, `kostnaderna`), or a compound
        whose last part is one (`personalkostnader`, `driftbudgeten`, `parkeringsavgiften`).

        A Swedish compound is a kind of its last part: `värdegrund` is a ground, not a value, and
        `besparingsförslag` a proposal, so a measure word at the start counts only with an inflectional ending
        after it. Gives the measure word (for a compound, its head), or None."""
        if word in self.words.measures:
            return word
        if any(word.startswith(m) and word[len(m):] in MEASURE_ENDINGS for m in self._measure_stems):
            return word
        return next((m for m in self._measure_stems if word.endswith(m) and len(word) - len(m) >= 3), None)

    def _measure_spelled(self, word: str) -> str | None:
        """`_measure` of a word as the user spelled it. Measures are matched folded, so that `vardet` typed
        without å/ä/ö is `värdet`; but a word typed with them is what it says: `vården` is care, not `värden`."""
        folded = fold(word).lower()
        head = self._measure(folded)
        lw = word.lower()
        if head is None or lw == folded:
            return head
        stems = [m for m in (folded, *self._measure_stems) if m in self.words.measures or m in self._measure_stems]
        for m in stems:
            at = folded.rfind(m) if folded.endswith(m) else folded.find(m) if folded.startswith(m) else -1
            if at >= 0:
                forms = self.analyzer.lexicon.forms_for_fold(m) or (m,)
                return head if lw[at: at + len(m)] in forms else None
        return head

    def _focus(self, words: list[str], opening: str, names: list[tuple[str, ...]],
               verb_next: bool = False) -> list[str]:
        """The stems of the first word after the opening phrase that names a thing: what `hur många …`,
        `vilket …`, `vem är …` asks about (`är`, `nya`, `mkt`, `innebär` are passed over, and proper names, which
        `names` holds: in `Angelica Erikssons telefonnummer` the focus is the number)."""
        named = {n[0] for n in names}
        skip = len(opening.split()) + (1 if words and fold(words[0]).lower() in self.words.conjunctions else 0)
        if not opening and skip < len(words) and fold(words[skip]).lower() in self.words.verb_openings:
            opening, verb_next, skip = fold(words[skip]).lower(), True, skip + 1  # the verb comes next
        if verb_next and opening and not opening.endswith(" att") and skip < len(words) \
                and not self.words.skips_in_focus(words[skip]):
            # a Swedish question puts its finite verb second: after a whole question phrase (`När`, `Varför`,
            # `Vilket datum`, a bare `Hur`) comes the verb, and what is asked about is its subject (`När hölls
            # omvärldsseminariet?`, `Varför minskade sjukfrånvaron?`); after `att` the clause puts its subject first
            # (`Hur kommer det sig att besparingarna ökar?`)
            skip += 1
        folded_words = [fold(w) for w in words]
        at = next((j for j in range(max(1, skip), min(skip + 3, len(words))) if folded_words[j] == "det"), None)
        if at is not None and at + 2 < len(words) and folded_words[at - 1] in self.words.copulas \
                and folded_words[at + 2] == "att":
            # `När är det tänkt att planen ska beslutas?`, `Varför är det viktigt att …`: `det` stands for the clause
            # after `att` (not in `Finns det pengar att spara`), and what is asked about is that clause's subject
            skip = at + 3
        name: list[str] = []  # the name just passed over
        for word, folded in zip(words[skip:], folded_words[skip:]):
            if name and folded in self.words.generic_nouns:
                return name  # `Vilket HME-värde …`: the value of HME
            name = []
            if self.words.skips_in_focus(word) or folded.lower() in self.words.meaning_verbs or word in STOPWORDS \
                    or word.isdigit() or word in ENGLISH_HINTS:
                continue
            terms = self.analyzer.terms(word)
            if terms and terms[0] not in named:
                return terms
            name = terms
        return []

    def _topic(self, words: list[str], names: list[tuple[str, ...]]) -> list[str]:
        """What a decision question is about: the word naming a thing after `om` (`Vad beslutade regionstyrelsen
        om budgeten …`, `Vad föreslås om motionen om parkering …`): a decision about something else does not
        answer it, however many of the other words it shares. A motion or matter named by its number (`om motion
        nr 31-2025`) has no such word."""
        folded = [fold(w) for w in words]
        for i, w in enumerate(folded):
            if w not in ("om", "about", "regarding", "angaende", "rorande"):
                continue
            rest = [j for j in range(i + 1, len(words)) if folded[j] not in ("den", "det", "de", "the", "a", "an")]
            if not rest:
                return []
            first = folded[rest[0]]
            if first in MATTER_WORDS:
                continue  # `om motionen om …`: what the motion is about follows
            if first in ("nr", "nummer", "number") or first[:1].isdigit() or words[rest[0]] in STOPWORDS:
                return []
            terms = self.analyzer.terms(words[rest[0]])
            return terms if terms and terms[0] not in {n[0] for n in names} else []
        return []

    def _english(self, token: str, in_name: bool = False) -> list[str]:
        """An English word as the Swedish words the corpus uses for it: the domain vocabulary first, then the
        bilingual dictionary (only translations the corpus holds), then a loanword the corpus spells nearly alike
        (`_cognate`), else the word itself (`IT`, `Cosmic`). A word of a name (`Shared` in `Shared Service
        Center`) is not looked up in the dictionary."""
        # `depreciations` is in the glossary as `depreciation`; a word of a name only as written (`Shared` in
        # `Shared Service Center` is not `share`)
        for form in (token, *([] if in_name else english_bases(token))):
            mapped = self.words.english.get(form)
            if mapped is not None:
                return [mapped] if mapped else []
        if in_name or token in ENGLISH_HINTS or token in STOPWORDS or token.isdigit():
            return [token]
        translations = self.bilingual.translate(token)
        known = self._senses(token, [w for w in translations
                                     if any(t in self.doc_freq for t in self.analyzer.terms(w)[:1])])
        # else a translation the corpus writes only as the head of compounds (`byggnad` in
        # `byggnadsinvesteringar`)
        return known[:2] or [w for w in translations if self._heads_compound(w)][:2] or self._cognate(token) or [token]

    def _senses(self, token: str, known: list[str]) -> list[str]:
        """A dictionary's Swedish words for an English one that the corpus uses, the nearest in meaning first (the
        embedder's cosine between the two words: `report` is `rapport`, not the commoner `förslag` that the
        Swedish–English half gives `report` for), the one the corpus uses most on a tie; by use alone without
        an embedder (administrative text says `verksamhet` more than `affär`)."""
        def used(w: str) -> int:
            return self.doc_freq[self.analyzer.terms(w)[0]]

        if self._embed is None or len(known) < 2:
            return sorted(known, key=lambda w: -used(w))
        vectors = self._vectors([token, *known])
        closeness = {w: round(float(vectors[w] @ vectors[token]), 2) for w in known}
        ranked = sorted(known, key=lambda w: (-closeness[w], -used(w)))
        # a sense clearly farther than the nearest is another word's (`förslag` beside `rapport`); one the corpus
        # uses a tenth as often as a sense as close is a rare word's (`timme` beside `tid` for `time`), and a rare
        # term weighs much in a search
        kept = [w for w in ranked if closeness[w] >= closeness[ranked[0]] - SENSE_MARGIN]
        common = max(used(w) for w in kept)
        return [w for w in kept if used(w) * RARE_SENSE >= common]

    def _vectors(self, words: list[str]) -> dict[str, np.ndarray]:
        """Word vectors, each embedded once per process (a question's English words recur across questions; the
        words are the dictionary's, so the cache is bounded by it)."""
        with self._vector_lock:
            missing = [w for w in dict.fromkeys(words) if w not in self._word_vectors]
            if missing:
                self._word_vectors.update(zip(missing, self._embed(missing)))  # type: ignore[misc]
            return {w: self._word_vectors[w] for w in words}

    def _cognate(self, token: str) -> list[str]:
        """A word the dictionary does not give that Swedish spells nearly alike (`vegetarian` → `vegetariska`,
        `inspections` → `inspektioner`, `telephony` → `telefoni`, `vacant` → `vakant`): its spelling moved to
        Swedish letters (c → k or s, ph → f, y → i) and matched against the corpus's words by a shared beginning
        of at least six letters that leaves at most two of the English word over; of the words so found, the
        shortest (the word before its compounds), then the most used."""
        if fold(token) in self.vocab:
            return []  # the corpus writes the word itself (`information`, `digital`)
        vocab = self._vocab_sorted()
        best: tuple[int, int, int, str] | None = None
        # a base the suffix rules cut short (`propos` of `proposed`) is no word to match on
        for form in (token, *(b for b in english_bases(token) if len(b) > COGNATE_PREFIX)):
            swedish = swedish_spelling(form)
            # the whole word, or all but one letter of seven, or all but two of eight: the shorter the match,
            # the more of it must be shared (`positi` is not `position`)
            for n in [n for n, over in ((len(swedish), 0), (len(swedish) - 1, 1), (len(swedish) - 2, 2))
                      if n >= COGNATE_PREFIX + over]:
                prefix = swedish[:n]
                at = bisect.bisect_left(vocab, prefix)
                while at < len(vocab) and vocab[at].startswith(prefix):
                    word = vocab[at]
                    key = (n, -len(word), self.vocab[word], word)  # the word itself before its compounds
                    if best is None or key > best:
                        best = key
                    at += 1
                if best is not None and best[0] == n:
                    break
        return self.analyzer.terms(best[3])[:1] if best else []

    def _swedish_compounds(self, translated: list[list[str]]) -> list[str]:
        """English writes apart what Swedish joins: `parking fee` is `parkeringsavgift`, `information security`
        `informationssäkerhet`. Two neighbouring translations joined (directly, with the linking `s`, or
        without a final vowel) are added when the corpus writes that compound."""
        out: list[str] = []
        for left, right in zip(translated, translated[1:]):
            for a in left:
                for b in right:
                    if not (a.isalpha() and b.isalpha()) or len(a) < 3 or len(b) < 3 or a in STOPWORDS or b in STOPWORDS:
                        continue
                    joins = [a + b, a + "s" + b] + ([a[:-1] + b] if a[-1] in "ae" else [])
                    found = next((j for j in joins if len(j) >= 8 and self._heads_compound(j)), None)
                    if found and found not in out:
                        out.append(found)
        return out

    def _heads_compound(self, word: str) -> bool:
        """Whether some corpus word starts with this one (a bisect in the sorted vocabulary, not a scan: a
        large corpus has hundreds of thousands of words)."""
        folded = fold(word).lower()
        if len(folded) < 5:
            return False
        vocab = self._vocab_sorted()
        at = bisect.bisect_left(vocab, folded)
        return at < len(vocab) and vocab[at].startswith(folded)

    def _vocab_sorted(self) -> list[str]:
        """The corpus's words in order, for prefix lookups by bisection; sorted when first asked."""
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self.vocab)
        return self._sorted_vocab

    def _join_particle_verbs(self, words: list[str]) -> list[str]:
        """`skrivs fastigheterna av` is `avskrivs fastigheterna`: a verb with its particle one or two words on is
        the verb a document writes as one word (and names with its noun: `avskrivning`), when the dictionary
        holds the joined form. The particle stays; it is a stopword."""
        out = list(words)
        lexicon = self.analyzer.lexicon
        for i, word in enumerate(words):
            if len(word) < 3 or not word.isalpha() or word in STOPWORDS or not lexicon.is_common(word):
                continue
            for j in range(i + 1, min(i + 3, len(words))):
                particle = words[j]
                if particle == "av" and j + 1 < len(words) and self._content_word(words[j + 1]):
                    break  # `registreras kontrollerna av brandskyddet`, `beslutas av nämnden`: a preposition
                joined = [p + word for p in (("ned", "ner") if particle == "ner" else (particle,))
                          if particle in PARTICLES and lexicon.is_common(p + word)]
                if joined:  # `läggs ner` is written `nedläggs` (or `nerläggs`)
                    out[i] = joined[0]
                    break
        return out

    def _content_word(self, word: str) -> bool:
        return word.isalpha() and word not in STOPWORDS and not self.words.frames(word) \
            and fold(word).lower() not in self.words.prepositions

    def _mend(self, token: str, stripped: bool) -> str:
        """Restore å/ä/ö, then mend a typo when the corpus has exactly one close word (`fastighter`)."""
        word = self.repairer.repair_word(token, stripped=stripped) if token.isalpha() else token
        word = self.analyzer.restore(word)
        if word.isdigit() or len(word) < 5 or fold(word) in self.vocab or self.analyzer.lexicon.is_known(word) \
                or self.analyzer.lexicon.split_compound(word.lower(), min_tail=3):
            return word  # a compound with a short head (`sjukfrånvaromål`) is no typo for a corpus word
        match = process.extractOne(fold(word), self._vocab_keys, scorer=fuzz.ratio, score_cutoff=86)
        return match[0] if match else word
