"""The prose reader: which sentence, list item, lead-in with its list, or table row of the top passages answers
the question, and how likely it is to.

Every unit of the top passages is described by the same features: how much of the question's subject its
words cover (weighted by rarity, compounds against their parts), how close it is in meaning (e5 cosine between
the question and the unit, the unit embedded at ingest), the rank of its passage, whether it offers what the
question asks for (a person for `vem`, a time for `när`, a reason for `varför`, an amount for `hur mycket`),
whether it says something beyond the question's own words, and what kind of unit it is. A conditional logit
fitted on the dev split (`assistant fit`, see docs/reader.md) turns them into the probability that the unit
answers. Meaning is one feature among several, not the reader by itself.
"""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from core.models import Chunk, Unit
from index.analyzer import STOPWORDS, WORD, SwedishAnalyzer
from index.search import Hit
from ingest.lexicon import fold
from ingest.units import embedding_text, units_of

from .question import IndexTerms, Question
from .roles import Posts

# A decision's or a proposal's own words (folded): `beslutar att`, `föreslås besluta`, `Motionen bifalls`,
# `att avslå motion nr 27-2025`.
DECISION = re.compile(r"\b(?:beslutar|beslutade|beslot|faststaller|godkanner|antar|anser)\b|\bforeslas\s+besluta\b"
                      r"|\bforeslar\s+(?:\w+\s+){1,4}?besluta\b|\b(?:bifalls|avslas|besvarad|besvarat|noteras|"
                      r"laggs till handlingarna)\b|^att\s")
from .synonyms import Synonyms
from .vocabulary import load_vocabulary, phrase_pattern

# What orders the units of one question (the ranker); question-level features (what it asks for, unknown
# words, English) cannot order units and go to the calibration of the prose candidate instead (compose.py).
UNIT_FEATURES = ["cov", "cov_text", "cov_ctx", "cov_next", "cov_syn", "cov_gap", "density", "focus", "focus_near",
                 "names", "asks_met", "sim_gap", "sim_top", "hit_rank",
                 "bm25_hit", "vector_hit", "type_match", "adds", "words", "is_row", "is_item", "is_lead", "hint",
                 "year_miss"]
# What something is for, in any form of the noun and as a compound's head (`syftena`, `tre huvudsyften`): a reason
PURPOSE = re.compile(r"\b\w*syfte(?:t|n|na)?\b", re.I)
SPECIFIC = {"who", "when", "why", "amount", "count", "place"}
EMBED_BUDGET = 24  # units embedded while the user waits, when ingest did not (an older index)

NUMBER = re.compile(r"(?<![\w,.])[-−–+]?\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?(?![\w,])|(?<![\w,.])[-−–+]?\d+,\d+(?![\w,])"
                    r"|(?<![\w,.])[-−–+]?\d+(?![\w,.-])")
YEARLIKE = re.compile(r"^(19|20)\d\d$")
# a value printed with the period before's in brackets: `76 (74)`, `6,94 % (7,53 %)`, `867,5 mnkr (fg år 833,9)`
BRACKETED_PREVIOUS = re.compile(r"\d\s*(?:%|[a-zåäö]{1,8})?\s*\(\s*(?:fg\.? år\s*|föregående år\s*)?[-−–+]?\d", re.I)
YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")
PERIOD_TERM = "<period>"  # the group a question about the period before adds: held by a unit that reports one
ISO_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")
# A Swedish phone number as printed: an area code with its 0 and a dash (`019-602 10 00`), or +46 (`+46 19 602 10 00`)
PHONE = re.compile(r"(?<![\w,.+-])0\d{1,3}\s?[-–]\s?\d{2,3}(?:[\s-]?\d{2,3}){1,3}(?!\d)"
                   r"|\+46[\s-]?(?:\(0\))?\d{1,3}(?:[\s-]?\d{2,3}){2,4}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A registry number as printed: a series and a year with a running number (`SN 2025/288`, `RS 2026/77`), the number
# before the year as a meeting portal prints it (`RS 912-2025`), or run together (`26RS1187`, `RS251695`,
# `DNRGS 260310`). A standard's designation looks like a series and a number
# (`ISO 14001`, `SS-EN 50110`) but names no case: the standards bodies' letters are no series.
STANDARDS = r"(?!(?:ISO|IEC|EN|SS|SIS)\b)"
REGISTRY_NUMBER = re.compile(r"\b[A-ZÅÄÖ]{2,6} ?(?:19|20)\d\d/\d{1,6}\b|\b\d{2}[A-ZÅÄÖ]{2,6}\d{3,7}\b"
                             r"|\b" + STANDARDS + r"[A-ZÅÄÖ]{2,6} ?\d{1,6}-(?:19|20)\d\d(?!\d)"
                             r"|\b" + STANDARDS + r"[A-ZÅÄÖ]{2,6} ?\d{5,8}\b")
# A time of day as meeting pages and agendas print it (`08.30–16.00`, `Tid 09:00`, `klockan 9.30`): two-digit hours,
# or any hour after `kl`/`klockan`; not a decimal amount (`16.00 mnkr`), which a unit word follows.
CLOCK = re.compile(r"(?<![\d,.])(?:[01]\d|2[0-3]|(?:(?<=kl\. )|(?<=kl )|(?<=klockan ))\d)[.:][0-5]\d(?![\d,])"
                   r"(?!\s*(?:%|procent|mkr|mnkr|tkr|kr|kronor|miljon|miljard))")
DAY = re.compile(r"\b(?:den\s+)?\d{1,2}(?:e|:e)?\s+(?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|"
                 r"november|december)\b")
NAME = re.compile(r"\b([A-ZÅÄÖ][a-zåäöéü]{2,}) ([A-ZÅÄÖ][a-zåäöéü]{2,}(?:-[A-ZÅÄÖ][a-zåäöéü]+)?)\b")


def registry_heading(section_path: list[str]) -> str | None:
    """The heading over a passage that carries its case's registry number (an agenda item's `(RS 2025/1402)`),
    below the document's own title."""
    return next((h for h in reversed(section_path[1:]) if REGISTRY_NUMBER.search(h)), None)


@dataclass
class Reading:
    """One unit of one passage, read against one question."""
    unit: Unit
    chunk: Chunk
    rank: int  # the passage's place in retrieval, 1 = best
    features: dict[str, float] = field(default_factory=dict)
    p: float = 0.0


def covered(term: str, terms: set[str]) -> bool:
    """Snowball leaves some Swedish endings (sjukfrånvaron/sjukfrånvaro, finansnettot/finansnetto): a shared
    stem of five letters or more, differing by a short ending, counts as the same word."""
    if term in terms:
        return True
    if len(term) < 5 or term.isdigit():
        return False
    for other in terms:
        if abs(len(other) - len(term)) <= 3 and min(len(other), len(term)) >= 5:
            short, long_ = sorted((term, other), key=len)
            if long_.startswith(short):
                return True
    return False


def _held_share(groups: list[tuple[str, ...]], weights: list[float], index_terms: IndexTerms) -> float:
    """The share of the groups' weight whose words the index holds (1 for a question without content words)."""
    if not groups:
        return 1.0
    held = sum(w for g, w in zip(groups, weights) if any(index_terms.find(t) for t in g))
    return held / (sum(weights) or 1.0)


def known_features(share: float) -> dict[str, float]:
    """What every candidate of a question is told of `Reader.known_share`: the share, and whether it is low."""
    return {"known": share, "known_low": float(share < 0.5)}


class Reader:
    UNIT_CACHE = 5000  # chunks whose units are kept split

    def __init__(self, analyzer: SwedishAnalyzer, doc_freq: dict[str, int], n_chunks: int, searcher=None):
        """`searcher` gives unit vectors (stored at ingest) and embeds the few it lacks; without it, units are
        read by their words alone (sim features 0)."""
        self.analyzer = analyzer
        self.doc_freq = doc_freq
        self.index_terms = IndexTerms(doc_freq)
        self.n = max(1, n_chunks)
        self.searcher = searcher
        self.words = load_vocabulary()
        self.synonyms = Synonyms.find(analyzer)
        self._units: OrderedDict[str, list[Unit]] = OrderedDict()
        self._units_lock = threading.Lock()  # questions are read side by side in the chat
        self._head_cache: dict[str, frozenset[str]] = {}
        self._cause = phrase_pattern(self.words.cues.cause)
        # a venue word, or a word ending in one (`Eklundavägen 2`, `Regionhuset`)
        self._place = re.compile(r"\w*(?:" + "|".join(map(re.escape, self.words.cues.place)) + r")\b") \
            if self.words.cues.place else None
        self._time = phrase_pattern(self.words.cues.time)
        self._dated_year = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, self.words.cues.time_prepositions))
                                      + r")\s+(?:19|20)\d\d\b")
        self._actor = re.compile(r"\w*(?:" + "|".join(map(re.escape, self.words.cues.actor_endings)) + r")\b")
        self._money = phrase_pattern(self.words.cues.money_units)
        self._currency = phrase_pattern([w for w, unit in self.words.units.items() if unit == "kronor"])
        self._number_words = phrase_pattern(self.words.cues.number_words)
        self._period_marks = phrase_pattern(self.words.periods.marks) if self.words.periods.marks else None
        extremes = self.words.extremes
        self._superlatives = phrase_pattern(extremes.most | extremes.least) if extremes.most else None
        # what follows a number that measures money or a share rather than counting things
        measured = sorted({w for w, unit in self.words.units.items() if unit in ("kronor", "procent", "öre")}
                          | {"miljoner kronor", "miljarder kronor", "miljard", "miljarder"}, key=len, reverse=True)
        self._measured = re.compile(r"\s*(?:" + "|".join(re.escape(fold(w)) for w in measured) + r")(?![\w])")
        self.posts = Posts(self.words)
        self._identifier_terms = {t for phrase in self.words.identifier_phrases for t in analyzer.terms(phrase)}
        self._party = re.compile(r"\((?:" + "|".join(map(re.escape, self.words.cues.parties)) + r")\)")

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.doc_freq.get(term, 0)))

    def units(self, chunk: Chunk) -> list[Unit]:
        with self._units_lock:
            units = self._units.get(chunk.id)
        if units is None or (units and units[0].line_start < chunk.line_start):
            units = units_of(chunk)  # split outside the lock; two questions may split one chunk, both alike
            with self._units_lock:
                self._units[chunk.id] = units
                while len(self._units) > self.UNIT_CACHE:
                    self._units.popitem(last=False)
        return units

    # --- features ----------------------------------------------------------------------------------------
    def read(self, q: Question, hits: list[Hit], qvec: np.ndarray | None = None) -> list[Reading]:
        """Every unit of these passages with its features (probabilities are the model's: see `score`)."""
        readings: list[Reading] = []
        seen: set[str] = set()
        for rank, hit in enumerate(hits, start=1):
            for u in self.units(hit.chunk):
                if u.quote in seen or (u.kind == "paragraph" and q.wants != "list"):
                    continue  # a paragraph answers a list spread over its sentences; else one sentence is the answer
                seen.add(u.quote)
                readings.append(Reading(u, hit.chunk, rank))
        if not readings:
            return []
        groups = q.content_groups or [(t,) for t in q.content_terms]
        unknown = len(q.unknown) / max(1, len(groups) + len(q.unknown_verbs))
        weights = [self._weight(g) for g in groups]
        known = _held_share(groups, weights, self.index_terms)
        terms = [(self._terms(r.unit.text), self._terms(r.unit.quote)) for r in readings]
        if q.period:
            # `året innan`, `fg år` name no subject, but the answer must report a period before: the group is held
            # by a unit that does, weighed as an ordinary word of the question
            groups = [*groups, (PERIOD_TERM,)]
            weights = [*weights, sum(weights) / len(weights) if weights else 1.0]
            terms = [(own | {PERIOD_TERM}, quote | {PERIOD_TERM}) if self._reports_period(r, q) else (own, quote)
                     for r, (own, quote) in zip(readings, terms)]
        total = sum(weights) or 1.0
        q_terms = {t for g in groups for t in g}
        synonyms = [self.synonyms.of(g[0]) for g in groups]
        sims = self._similarities(readings, qvec)
        specific = q.wants in SPECIFIC
        hit_of = {h.chunk.id: h for h in hits}
        # `förra året` names a year as `2025` does: a unit that reports neither it nor a period before misses it
        last_year = q.period == "last_year" and bool(q.period_year) and not q.years
        heads = [self._heads(r.unit.key, r.unit.quote) for r in readings]
        around_heads = {r.chunk.id: self._heads(r.chunk.id, " ".join(r.chunk.section_path)) for r in readings}
        around: dict[str, tuple[set[str], set[str]]] = {}  # per passage: its section's terms, and its title's
        for i, (r, sim) in enumerate(zip(readings, sims)):
            hit = hit_of[r.chunk.id]
            own_terms, quote_terms = terms[i]
            if r.chunk.id not in around:
                around[r.chunk.id] = (self._terms(" ".join(r.chunk.section_path)), self._terms(r.chunk.title))
            section_terms, title_terms = around[r.chunk.id]
            # the units before and after in the same passage: a name under its title, an answer after the
            # sentence that restates the question
            before = terms[i - 1][0] if i and readings[i - 1].chunk.id == r.chunk.id else set()
            after = terms[i + 1][0] if i + 1 < len(readings) and readings[i + 1].chunk.id == r.chunk.id else set()
            placed = quote_terms | section_terms
            placed_heads = heads[i] | around_heads[r.chunk.id]
            heads_before = heads[i - 1] if before else frozenset()
            heads_after = heads[i + 1] if after else frozenset()
            cov_text = self._coverage(groups, weights, total, own_terms)
            cov = self._coverage(groups, weights, total, placed)
            cov_ctx = self._coverage(groups, weights, total, placed | before)
            cov_next = self._coverage(groups, weights, total, placed | after)
            cov_syn = self._synonym_coverage(groups, weights, total, synonyms, placed)
            own = {t for t in self.analyzer.terms(r.unit.text) if not YEARLIKE.match(t)}
            new = {t for t in own if not any(covered(t, {g}) for g in q_terms)}
            offers = self.offers(r.unit)
            if "identifier" in q.asks and registry_heading(r.chunk.section_path):
                offers.add("identifier")  # `5. Ändrad taxa för sjukresor (RS 2025/1402)`: the answer names it
            r.features = {
                "cov": cov, "cov_text": cov_text, "cov_ctx": cov_ctx, "cov_next": cov_next, "cov_syn": cov_syn,
                "focus": self._focus(q, placed, placed_heads),
                "focus_near": self._focus(q, placed | before | after, placed_heads | heads_before | heads_after),
                "asks_met": float(q.asks <= offers),
                "says_asked": float(self._says_asked(q.asks - {"decision"}, offers)
                                    and (q.post is None or self._names_holder(q, r, placed))
                                    and ("identifier" not in q.asks
                                         or self._of_subject(groups, weights, placed | title_terms))),
                "names": self._names(q, placed | title_terms),
                "sim": sim, "hit_rank": 1.0 / r.rank,
                "bm25_hit": 1.0 / hit.bm25_rank if hit.bm25_rank else 0.0,
                "vector_hit": 1.0 / hit.vector_rank if hit.vector_rank else 0.0,
                "wants_specific": float(specific), "measure": float(q.measure),
                "wants_amount": float(q.wants in ("amount", "count")), "wants_list": float(q.wants == "list"),
                # `hur stora konsekvenser` is answered by `inga konsekvenser`; `hur många lokaler` not by `15,2 mkr`,
                # but `hur många procent` is, as any count of a unit the question names
                "type_match": float(specific and (q.wants in offers or (q.wants == "amount" and "count" in offers)
                                                  or (q.wants == "count" and bool(q.units) and "amount" in offers))),
                "offers_number": float("amount" in offers or "count" in offers), "adds": math.log1p(len(new)),
                "density": (len(own) - len(new)) / max(1, len(own)),
                "words": math.log1p(len(r.unit.text.split())),
                "is_row": float(r.unit.kind == "row"), "is_item": float(r.unit.kind == "item"),
                "is_lead": float(r.unit.kind == "lead"), "hint": float(bool(q.hints) and q.hints.accepts(r.chunk)),
                "year_miss": float(bool(q.years) and not self._has_year(q.years, r)
                                   or (last_year and PERIOD_TERM not in own_terms)), "unknown": unknown,
                **known_features(known), "english": float(q.english),
            }
        best_cov = max(r.features["cov"] for r in readings)
        best_sim = max(r.features["sim"] for r in readings)
        for r in readings:
            r.features["cov_gap"] = r.features["cov"] - best_cov
            r.features["sim_gap"] = r.features["sim"] - best_sim
            r.features["sim_top"] = float(r.features["sim"] >= best_sim)
        return readings

    def _reports_period(self, r: Reading, q: Question) -> bool:
        """Whether a unit reports a period before: it says so (`föregående år`, `jämfört med`), prints a value
        with the previous one in brackets, or names a year: for `förra året`, that year."""
        text = r.unit.quote
        if (self._period_marks and self._period_marks.search(fold(text))) or BRACKETED_PREVIOUS.search(text):
            return True
        if q.period == "last_year" and q.period_year:  # `förra året` is one year: a unit about another does not say it
            return str(q.period_year) in text
        return bool(YEAR_IN_TEXT.search(text))

    def _heads(self, key: str, text: str) -> frozenset[str]:
        """A unit's (or a section path's) compound heads, kept by key: the same passages come back question after
        question, and splitting their compounds again cost a tenth of the answer time."""
        found = self._head_cache.get(key)
        if found is None:
            if len(self._head_cache) > 20 * self.UNIT_CACHE:
                self._head_cache.clear()
            found = self._head_cache[key] = frozenset(self.analyzer.heads(text))
        return found

    def known_share(self, q: Question) -> float:
        """How much of what the question asks about the corpus holds at all: its content words weighed by rarity,
        an unknown word as the rarest (`Hur blir vädret i Örebro imorgon?` keeps only `Örebro`, which nearly every
        document names: 0.14). Every candidate of the question gets the same value and the selector's fit decides
        what it means: a low share is as often a reworded answerable question (an English word, a verb no
        document uses) that the prose reader answers by meaning, and the fitted prose weight is negative."""
        groups = q.content_groups or [(t,) for t in q.content_terms]
        return _held_share(groups, [self._weight(g) for g in groups], self.index_terms)

    def _weight(self, group: tuple[str, ...]) -> float:
        """A word's rarity; a word the corpus never uses counts as much as the rarest (it must be covered)."""
        known = [self.doc_freq[i] for t in group if (i := self.index_terms.find(t))]
        return math.log(1 + self.n / (1 + min(known))) if known else math.log(1 + self.n)

    @staticmethod
    def _coverage(groups: list[tuple[str, ...]], weights: list[float], total: float, have: set[str]) -> float:
        """Share of the question's words (by rarity) that these terms hold; a compound the unit splits
        (`IT-investeringarna` against `investeringar i IT`) counts by the share of its parts present."""
        got = 0.0
        for group, w in zip(groups, weights):
            if covered(group[0], have):
                got += w
            elif len(group) > 1:
                got += w * sum(covered(p, have) for p in group[1:]) / (len(group) - 1)
        return got / total

    def _synonym_coverage(self, groups, weights, total, synonyms, have: set[str]) -> float:
        """Coverage where a word the unit says otherwise (`minska` for `sänka`, `personal` for `anställda`)
        counts too, a little less than the word itself."""
        got = 0.0
        for group, w, syns in zip(groups, weights, synonyms):
            if covered(group[0], have):
                got += w
            elif any(s in have for s in syns):
                got += 0.7 * w
            elif len(group) > 1:
                got += w * sum(covered(p, have) for p in group[1:]) / (len(group) - 1)
        return got / total

    def _terms(self, text: str) -> set[str]:
        return set(self.analyzer.terms(text)) | {fold(w) for w in WORD.findall(text) if len(w) > 2}

    def _focus(self, q: Question, have: set[str], heads: set[str]) -> float:
        """1 when the unit names what the question asks about, as a word or a compound's head (`lönen`,
        `månadslön`); half when only as a compound's first part (`lönekostnaderna` are costs, not a salary)."""
        if not q.focus:
            return 0.5
        if covered(q.focus[0], heads):
            return 1.0
        if covered(q.focus[0], have):
            return 0.5
        parts = q.focus[1:]
        return 0.5 * sum(covered(p, have) for p in parts) / len(parts) if parts else 0.0

    @staticmethod
    def _names(q: Question, have: set[str]) -> float:
        """Share of the things the question names (`Cosmic`, `Område kommunikation`) that the unit names too."""
        if not q.names:
            return 1.0
        return sum(any(covered(t, have) for t in name) for name in q.names) / len(q.names)

    @staticmethod
    def _has_year(years: list[int], r: Reading) -> bool:
        where = f"{r.unit.quote} {' '.join(r.chunk.section_path)} {r.chunk.year or ''}"
        return any(str(y) in where for y in years)

    def _counts(self, text: str) -> bool:
        """Whether a number in the text counts things: a whole number, not a year, not printed as money or a
        share. `Hur många lokaler` is not answered by `(15,2 mkr)`."""
        for m in NUMBER.finditer(text):
            number = m.group(0)
            if "," in number or "." in number or YEARLIKE.match(number.strip("-−–+")):
                continue
            if not self._measured.match(fold(text[m.end(): m.end() + 24])):
                return True
        return False

    def offers(self, unit: Unit) -> set[str]:
        """What a unit can answer: a person, a time, a reason, an amount, a count, a list."""
        text = unit.quote
        folded = fold(text)
        out: set[str] = set()
        clock = bool(CLOCK.search(text))
        numbers = [n for n in NUMBER.findall(ISO_DATE.sub(" ", unit.text)) if not YEARLIKE.match(n.strip("-−–+"))]
        amounts = [n for n in numbers if "," in n or " " in n or "\u00a0" in n]
        if amounts or (numbers and (self._money.search(folded) or "%" in text)):
            out.add("amount")
        if self._counts(ISO_DATE.sub(" ", unit.text)) or self._number_words.search(folded):
            out.add("count")  # `30 årsarbetare`, `tre lokaler`; not `15,2 mkr` nor `6,1 procent`
        if ISO_DATE.search(text) or clock or self._time.search(folded) or self._dated_year.search(folded):
            out.add("when")
        if self._cause.search(folded) or PURPOSE.search(folded):
            out.add("why")
        if self._place is not None and self._place.search(folded):
            out.add("place")
        if DECISION.search(folded):
            out.add("decision")
        if self._superlatives is not None and self._superlatives.search(folded.lower()):
            out.add("ranking")  # `störst`, `flest`: says which has the most; a figure alone does not
        person = bool(self._party.search(text)) or any(self._person(first, last) for first, last in NAME.findall(text)) \
            or bool(self.posts.holders(text))  # `Elin Strand, förvaltningschef`: the post says it is a name
        if person:
            out.add("person")  # a name, not only a role: who holds the role `Vem är förvaltningschef` asks about
        if person or self._actor.search(folded):
            out.add("who")
        if unit.kind in ("lead", "item", "paragraph") or text.count(";") >= 2 or text.count("•") >= 2:
            out.add("list")
        # money: a number beside a money word, unless the unit says its numbers are shares (`3,0 %`, a key ratio
        # under `Procent Budget 2024`) and no currency is written beside them
        share = "%" in text or "procent" in folded
        if numbers and self._money.search(folded) and not (share and not self._currency.search(folded)):
            out.add("money")
        if share:
            out.add("percent")
        if ISO_DATE.search(text) or DAY.search(folded):
            out.add("date")
        if clock:
            out.add("clock")
        if PHONE.search(text):
            out.add("phone")
        if EMAIL.search(text):
            out.add("email")
        if REGISTRY_NUMBER.search(text):
            out.add("identifier")
        if numbers:  # what its numbers are in: the units a question may ask for (`hur många öre`)
            units = self.words.units
            out |= {f"in {units[w]}" for w in WORD.findall(folded.lower()) if w in units}
            if "%" in text:
                out.add(f"in {units.get('%', 'procent')}")
        return out

    def _of_subject(self, groups: list[tuple[str, ...]], weights: list[float], have: set[str]) -> bool:
        """Whether a unit is about what the question asks the number of: a registry number belongs to one case
        or document (`Diarienummer: 26RS1187` is the annual report's), so most of the question's other words
        (by rarity) stand in the unit, its section or its document's title."""
        subject = [(g, w) for g, w in zip(groups, weights) if g[0] not in self._identifier_terms]
        if not subject:
            return True
        return self._coverage([g for g, _ in subject], [w for _, w in subject], sum(w for _, w in subject),
                              have) >= 0.5

    def _names_holder(self, q: Question, r: Reading, placed: set[str]) -> bool:
        """Whether the unit names who holds the post asked about, of the body asked about: the body in the unit,
        its section, or as the last word of the document's body (`Regionstyrelsens arbetsutskott` is an
        utskott, not the styrelse)."""
        if not self.posts.names_holder(q.post, r.unit.quote):
            return False
        where = placed | self._terms(" ".join((r.chunk.body or "").split()[-1:]))
        return all(covered(b, where) for b in q.post.bodies)

    @staticmethod
    def _says_asked(asked: set[str], offers: set[str]) -> bool:
        """Whether a unit can say the money, share, unit or day a question asks for. A number printed without
        its unit (`kostnadsram uppgår till 1 642`, the `mnkr` lost at a PDF's line break) neither says nor
        contradicts money or a share; a day is never in a bare number."""
        if asked <= offers:
            return True
        bare = bool(offers & {"amount", "count"}) and not offers & {"money", "percent"} \
            and not any(o.startswith("in ") for o in offers)
        return bare and all(a in ("money", "percent") or a.startswith("in ") for a in asked)

    def _person(self, first: str, last: str) -> bool:
        """Two capitalised words naming a person (`Angelica Eriksson`), not a body or a place (`Region Örebro`):
        the surname is no common word, nor is the first name unless the surname is no word at all."""
        lexicon = self.analyzer.lexicon
        return not lexicon.is_common(last) and (not lexicon.is_word(last) or not lexicon.is_common(first))

    def _similarities(self, readings: list[Reading], qvec: np.ndarray | None) -> list[float]:
        """Cosine of question and unit (vectors are normalised); units without a stored vector are embedded
        now, up to a budget, and the rest take the median of the others."""
        if qvec is None or self.searcher is None:
            return [0.0] * len(readings)
        keys = [r.unit.key for r in readings]
        vectors = self.searcher.unit_vectors(list(dict.fromkeys(keys)))
        missing = {r.unit.key: embedding_text(r.chunk.section_path[-1] if r.chunk.section_path else "", r.unit.quote)
                   for r in readings if r.unit.key not in vectors}
        if missing:
            vectors.update(self.searcher.embed_units(dict(list(missing.items())[:EMBED_BUDGET])))
        sims = {k: float(np.dot(v, qvec)) for k, v in vectors.items()}
        fill = float(np.median(list(sims.values()))) if sims else 0.0
        return [sims.get(k, fill) for k in keys]
