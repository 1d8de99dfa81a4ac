"""Figure questions answered from the figure store, to the digit.

A figure question names a measure (budget, prognos, besparing, sjukfrånvaro …), usually a row or area, and
often a period. Figures are matched on what their labels say (row, column, table, area), with the question's
year, basis and area as hard constraints. One value is stated with its table and status; several values that
fit are listed, each with what it is; a comparison gives both values and the difference. A follow-up in a chat
(`och prognosen 2023?`, `för IT då?`) keeps what the previous question fixed and changes what it names.
"""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property, lru_cache

from core.models import Answer, Citation, Figure
from core.numbers import format_number, in_words
from index.analyzer import STOPWORDS, WORD, SwedishAnalyzer
from index.bm25 import BM25Index
from index.records import area_key, figure_context, figure_label, record_terms
from ingest.areas import compound_pattern
from ingest.figures import MONEY_UNITS, SHARE_UNITS
from ingest.lexicon import fold
from ingest.tables import TOTAL

from . import extremes
from .extremes import subcolumn as _subcolumn
from .reader import covered as _covered
from .question import ENGLISH_HINTS, FRAME_WORDS, Question
from .select import Candidate
from .vocabulary import load_vocabulary

MIN_SCORE = 0.5  # below this no figure is proposed; above it, the selection weighs the match (f_score)
MAX_LISTED = 8
BASIS = {"budget": "budget", "budgeten": "budget", "budgeterat": "budget", "budgeterad": "budget",
         "budgeterade": "budget", "prognos": "prognos", "prognosen": "prognos", "prognoser": "prognos",
         "forecast": "prognos", "utfall": "utfall", "utfallet": "utfall", "outcome": "utfall"}
BASIS_HEADS = [("budget", "budget"), ("prognos", "prognos"), ("utfall", "utfall")]  # a compound's last part
BASIS_HEAD_ENDINGS = {"", "en", "et", "ar", "arna", "er", "erna"}
COMPARE = re.compile(r"\bjamfort med\b|\bjamfort\b|\butvecklats?\b|\bforandr\w*|\bskillnad\w*|\bskil[jd]\w*|"
                     r"\b(okat|minskat)\b|\bcompared?\b|\bchanged?\b|\bdevelop\w*|\btrend\b|\bover (the )?years\b")
# verbs and fillers of figure questions: they ask for a number, they do not say which
FIGURE_FRAME = set("""omrade omradet omraden for och da kostar kosta kostade kostat uppgar uppgick uppgatt berors
beror berorda blev blir var ar varit hade har totala totalt sammanlagt sammanlagda gar gick lag ligger ligga legat
landar landade landa hamnar hamnade hamna handlar rora ror rorde varde vardet vardena niva nivan belopp beloppet
siffra siffran siffror tal talet""".split()) | load_vocabulary().reporting_verbs
KIND_PREFIXES = [("investering", "investering"), ("investera", "investering"), ("besparing", "besparing"),
                 ("spara", "besparing"), ("arsarbetar", "årsarbetare")]  # `sparas`, `sparade`: inflections of a kind
COMPARE_WORDS = ["utvecklats", "utvecklat", "utveckling", "utvecklingen", "förändrats", "förändring", "förändringen",
                 "skillnad", "skillnaden", "skiljer", "skilja", "skilde", "skiljde", "jämfört", "jämförelse",
                 "ökat", "minskat", "ökning", "minskning"]
FOLLOW_UP = re.compile(r"^(och|men|samt|an|for|hur var det|hur blir det|samma|vad galler|and|what about)\b|\bda\s*\??$")
# `Vad blev/landade resultatet 2024?` asks what came out, with no basis named: a plan's budget for that year
# answers what was planned, not what it became (`Hur mycket högre än budgeterat blev …` asks for a deviation)
REALISED = re.compile(r"\b(blev|landade|hamnade|slutade|became|ended up|turned out)\b")
PLANNED_BASES = ("budget", "prognos", "plan")
PRICE = re.compile(r"\b(kostar|kostade|kostat|kosta|pris|priset|cost|costs|price)\b")
TOTAL_WORDS = re.compile(r"\b(totalt?|totala|sammanlagt|sammanlagda|sammantaget|in total|altogether)\b")
STATUS_TEXT = {"verified": "stämmer mot tabellens summor", "repaired": "rättat med hjälp av tabellens summor",
               "unverified": "kunde inte kontrolleras mot någon summa"}
# A question about a deviation (`avvikelsen mot budget`, `underskott mot budget`, `bättre än budgeterat`) asks
# for the deviation figures (`Avvikelse 2025`, `en negativ avvikelse med 175 miljoner kronor`).
DEVIATION = re.compile(r"\bavvik\w*|\bavvek\w*|"
                       r"\b(?:battre|samre|bast|samst|hogre|lagre) (?:an|mot) (?:den |det )?(?:budget\w*|prognos\w*)|"
                       r"\b(?:under|over)skott\w* (?:mot|jamfort med|i forhallande till) (?:den |det )?budget\w*")
SURPLUS = re.compile(r"\b(?:over|under)skott\w*|\b(?:surplus|deficit)\w*")
COMPARED_BASIS = re.compile(r"\b(?:mot|an|jamfort med|i forhallande till|fran)\s+(?:den |det |sin |sitt |sina )?"
                            r"(?:budget\w*|prognos\w*)")
KIND_WORDS = {"investering": "investering", "investeringar": "investering", "investeras": "investering",
              "besparing": "besparing", "besparingen": "besparing", "besparingar": "besparing",
              "besparingarna": "besparing", "spara": "besparing", "sparar": "besparing", "savings": "besparing",
              "arsarbetare": "årsarbetare", "fte": "årsarbetare"}


@dataclass
class FigureQuery:
    terms: list[str]  # the question's subject words (lower case, as written), years and frame words removed
    years: list[int] = field(default_factory=list)
    basis: str | None = None
    kind: str | None = None
    areas: list[str] = field(default_factory=list)  # normalized area names the question names
    compare: bool = False
    text: str = ""
    unknown_area: str | None = None  # `Område kommunikation` when no such area has figures
    maybe_areas: list[str] = field(default_factory=list)
    lenient: bool = False  # words no figure label holds are left out (`låg`, `landar`) instead of counted against
    total: bool = False  # asks for the whole (`totalt`, `sammanlagt`): a table's sum row answers for the table
    realised: bool = False  # asks what a period came to (`Vad blev resultatet`): its budget or forecast is no answer
    price: bool = False  # asks what something costs (`Vad kostar …`): what is saved on it is no answer
    paragraph: str | None = None  # `§ 58`: a figure answers from that paragraph, or a document titled by it
    period: str | None = None  # asks for the period before: `previous` or `last_year` (see Question.period)
    period_year: int | None = None  # the calendar year `förra året` is
    extreme: str | None = None  # `most` or `least`: which row or area has the greatest or smallest value
    # what a ranking compares: a table's `row`s, the `area`s (`Vilket område …`), or one row's `period`s
    # (`Vilket år …`, `När … som högst?`)
    compares: extremes.Mode = "row"
    top: int = 1  # how many the ranking names
    signed: bool = False  # says which sign it means (`överskott`, `negativ`, `bäst`): a ranking by value, not size


@dataclass
class FigureMatch:
    figure: Figure
    score: float


def unit_text(f: Figure) -> str:
    return f" {f.shown_unit}" if f.shown_unit else ""


def say(value: Decimal, f: Figure) -> str:
    return f"{format_number(value)}{unit_text(f)}"


class FigureAnswerer:
    """Figure questions over the figure store. A term index hands over the few hundred figures whose labels
    share a term with the question; the matching below scores those alone, so a question costs the same at
    250 figures and at 250 000."""

    CANDIDATES = 400
    CACHE = 50_000

    def __init__(self, fetch, index: BM25Index | None, analyzer: SwedishAnalyzer, stats: dict | None,
                 catalog_areas=None):
        """`fetch(ids)` reads figures from the store; `index` finds their ids by term; `stats` is what ingest
        computed over all figures (areas, row words); `catalog_areas` (the catalog's `[[area]]` with aliases)
        resolves `SSC`, `medicinteknik`, `Måltidsservice` to the area figures are tagged with."""
        self.catalog_areas = catalog_areas
        self.fetch = fetch
        self.index = index
        self.analyzer = analyzer
        stats = stats or {}
        self._df = index.doc_freq() if index is not None else {}
        self._n = len(index.ids) if index is not None else 0
        self._by_prefix: dict[str, list[str]] = {}
        for term in self._df:
            if len(term) >= 5:
                self._by_prefix.setdefault(term[:5], []).append(term)
        self._cache: OrderedDict[str, tuple[Figure, set[str], set[str]]] = OrderedDict()
        self._cache_lock = threading.Lock()  # the chat answers questions side by side; an LRU reorders on read
        # the cells of one table column share their context text, and a label recurs across tables and years:
        # analysed once and shared (at 100k chunks this was a third of a slow question's time)
        self._terms = lru_cache(maxsize=self.CACHE)(self._analyse)
        self._row_words = set(stats.get("row_words", []))
        self._units_and_rows = set(stats.get("units_and_rows", []))
        # words that say how to compare, what kind of figure or that it was reported, never which row:
        # constraints, not terms
        self._frame_terms = set(analyzer.terms(" ".join(list(KIND_WORDS) + COMPARE_WORDS + list(BASIS))))
        # a verb's own stem only: its parts (`redovisa` → `redo`, `vis`) name things in other words
        self._frame_terms |= {t[0] for w in load_vocabulary().reporting_verbs if (t := analyzer.terms(w))}
        self.areas = list(stats.get("areas", []))
        self._area_keys = {a: self._area_key(a) for a in self.areas}
        self._ambiguous_area_keys = set(stats.get("ambiguous_area_keys", []))

    def _candidates(self, fq: FigureQuery, use_year: bool) -> list[tuple[Figure, set[str], set[str]]]:
        """Figures sharing a term with the question (its words and their spelling variants, its areas, kind,
        basis and, when the year must match, its years), with their label and context terms."""
        if self.index is None:
            return []
        query: list[str] = []
        for word in fq.terms:
            whole, parts = self._alternatives(word)
            for alt in whole | parts:
                query += self._expand(alt)
        for text in [*fq.areas, fq.kind or "", fq.basis or ""]:
            query += record_terms(self.analyzer, text)
        if use_year:
            query += [str(y) for y in fq.years]
        ids = [fid for fid, _ in self.index.search(list(dict.fromkeys(query)), self.CANDIDATES)]
        with self._cache_lock:
            missing = [fid for fid in ids if fid not in self._cache]
        # read and analysed outside the lock: another question's cached figures need not wait for this one's
        fresh = {f.id: (f, self._terms(figure_label(f)), self._terms(f"{figure_context(f)} {f.context or ''}"))
                 for f in (self.fetch(missing) if missing else [])}
        out = []
        with self._cache_lock:
            self._cache.update(fresh)
            for fid in ids:
                if fid in self._cache:
                    self._cache.move_to_end(fid)
                    out.append(self._cache[fid])
            while len(self._cache) > self.CACHE:
                self._cache.popitem(last=False)
        return out

    def _expand(self, term: str) -> list[str]:
        """The index's terms that count as this one (`resultatet` → `resultat`): same first five letters."""
        if len(term) < 5:
            return [term]
        return [term] + [t for t in self._by_prefix.get(term[:5], []) if t != term and _covered(term, {t})]

    def _analyse(self, text: str) -> "LabelTerms":
        """Each word's stem and the folded word itself (Snowball leaves `resultatet` unstemmed while `Resultat`
        becomes `result`; the surface words meet where the stems do not), each compound's head (its last part:
        `investering` in `Byggnadsinvesteringar`) and its other parts (`förvaltning` in `Förvaltningsgemensamt`,
        which is not the administration's own row)."""
        whole: set[str] = set()
        head: set[str] = set()
        other: set[str] = set()
        for word in WORD.findall(text):
            folded = fold(word).lower()
            stems = self.analyzer.terms(word)
            whole.add(folded)
            if not stems:
                continue
            whole.add(stems[0])
            split = self.analyzer.lexicon.split_compound(word.lower()) if len(word) >= 8 else None
            last = self.analyzer.terms(split[-1])[:1] if split else []
            head.update(last)
            other.update(t for t in stems[1:] if t not in last)
        return LabelTerms(frozenset(whole), frozenset(head), frozenset(other))

    # --- reading the question -------------------------------------------------------------------------------
    @staticmethod
    def _area_key(area: str) -> str:
        return area_key(area)

    def read(self, q: Question) -> FigureQuery:
        folded = fold(q.normalized).lower()  # typos mended, diacritics restored, English mapped
        deviation = DEVIATION.search(folded)
        # `avvikelsen mot budget`, `bättre än budget`: the budget is what is compared with, not the figure's basis
        words = re.findall(r"[\wåäö-]+", COMPARED_BASIS.sub(" ", folded) if deviation else folded)
        compounds = [_compound_basis(w) for w in words]  # (kind, basis) of `investeringsbudgeten`
        basis = next((_basis(w) for w in words if _basis(w)), None) or next((b for _, b in compounds if b), None)
        if q.english and not deviation:  # `surplus against budget`: the budget is compared with, as above
            basis = basis or next((BASIS[w] for w in q.normalized.split() if w in BASIS), None)
        kind = next((KIND_WORDS[w] for w in words if w in KIND_WORDS), None) or next(
            (k for w in words for prefix, k in KIND_PREFIXES  # inflections, not compounds (`besparingskrav`)
             if w.startswith(prefix) and len(w) - len(prefix) <= 4), None) or next((k for k, _ in compounds if k), None)
        if kind is None and (deviation or (q.extreme and SURPLUS.search(folded))):
            # `Vilken nämnd hade störst överskott?`: a committee's surplus or deficit is its deviation from budget
            kind = "avvikelse"
        areas: list[str] = []
        maybe: list[str] = []  # `fastigheter` alone: an area in a follow-up, a row word otherwise
        named = re.search(r"\bomr\w{0,3}de\s+([\wåäö][\wåäö ]{1,40}?)(?:\s+(?:19|20)\d\d|[?.,]|$)", folded)
        for area, key in self._area_keys.items():
            if key in self._ambiguous_area_keys and re.search(r"\b" + re.escape(key) + r"\b", folded):
                maybe.append(area)
            compound = re.search(compound_pattern(key), folded)
            if key in self._ambiguous_area_keys and not compound and not re.search(
                    r"\bomr\w{0,3}de(t)?\s+" + re.escape(key) + r"|\b" + re.escape(key) + r"\s+omr\w{0,3}de", folded):
                continue  # `fastigheter` is also a row word (`Avskrivningar, fastigheter`): only `Område fastigheter`
            # `IT`, `IT-området`, `fastigheters` name the area; `IT-investeringar` does not
            pattern = r"\b" + re.escape(key).replace(r"\ ", r"[\s-]+") + r"(?:s?-?omradets?|s)?(?![\w-])"
            if (compound or re.search(pattern, folded)) and not any(self._area_keys[a].find(key) >= 0 and a in areas for a in areas):
                areas.append(area)
        if self.catalog_areas is not None:  # aliases the figure labels do not spell out
            for name in self.catalog_areas.mentioned(q.text) + self.catalog_areas.mentioned(q.normalized):
                for area, key in self._area_keys.items():  # `Shared Service Center` is `Område Shared …`
                    # an area name that is also a row word (`fastigheter`) names the area only as above
                    if key == self._area_key(name) and area not in areas and key not in self._ambiguous_area_keys:
                        areas.append(area)
            named_keys = {self._area_key(a) for a in areas}
            alias_words = {fold(w).lower() for a in self.catalog_areas.areas if self._area_key(a.name) in named_keys
                           for alias in a.aliases for w in WORD.findall(alias)}
        else:
            alias_words = set()
        skip = set(BASIS) | {fold(w) for w in FRAME_WORDS} | FIGURE_FRAME | alias_words
        if q.extreme:  # `störst underskott`, `positiv avvikelse`: how to rank, not which row
            skip |= load_vocabulary().extremes.words
        area_terms = {t for a in areas for t in self.analyzer.terms(a)}
        area_words = {fold(w).lower() for a in areas for w in WORD.findall(a)}
        # `försörjningsområdet` names the area it was read as above, and nothing a label must hold
        area_compounds = [re.compile(compound_pattern(self._area_key(a))) for a in areas]
        skip_terms = self._frame_terms
        # `bättre än föregående år`, `ökade jämfört med året innan`: how the figure changed from the period before
        changing = {fold(w).lower() for w in _change_words(q)}
        compare = bool(COMPARE.search(folded) or (q.period and changing))
        terms = []
        for word in WORD.findall(q.normalized):
            w = fold(word).lower()
            if w.isdigit() or w in skip or w in STOPWORDS or len(w) < 2 or w.startswith("omrad") or _basis(w) \
                    or w in q.period_words or (compare and w in changing) \
                    or all(_compound_basis(w)) \
                    or (q.english and w in ENGLISH_HINTS):
                continue
            stems = self.analyzer.terms(word)
            if not stems or stems[0] in skip_terms or stems[0] in area_terms or w in area_words \
                    or any(p.fullmatch(w) for p in area_compounds):
                continue
            terms.append(word.lower())  # unfolded: the splitter knows `lönekostnaderna`, not `lonekostnaderna`
        # `Vilket område sparar mest?`, `Inom vilka områden …`: the area is asked for, not named
        asked_for = named and re.search(r"\b(vilket|vilka|vilken|which|what)\s+$", folded[:named.start()])
        unknown_area = named.group(1).strip() if named and not areas and not asked_for else None
        return FigureQuery(total=bool(TOTAL_WORDS.search(folded)), terms=terms, years=q.years, basis=basis, kind=kind, areas=areas,
                           compare=compare,
                           text=q.text, unknown_area=unknown_area, period=q.period, period_year=q.period_year,
                           maybe_areas=[a for a in maybe if a not in areas],
                           realised=basis is None and not deviation and bool(REALISED.search(folded)),
                           price=kind is None and bool(PRICE.search(folded)), paragraph=q.paragraph,
                           extreme=q.extreme, top=q.top, compares=extremes.compared(q.ranked_by, q.wants, folded),
                           signed=bool(set(folded.split()) & load_vocabulary().extremes.signs))

    def names_unknown(self, q: Question) -> bool:
        """A subject word the corpus never uses (`Skåne`, `bro`): no figure can be about it."""
        frame = self._frame_terms
        vocabulary = set(self._df)
        return any(not set(self.analyzer.terms(w)) & frame and not _covered(fold(w).lower(), vocabulary)
                   for w in q.unknown)  # `summan` is not unknown where a label says `Summa`

    def candidate(self, q: Question, previous: FigureQuery | None = None):
        """(a candidate answer from the store, a note to abstain with, the query it answered).

        Every question is tried: whether it asks for a figure is for the selection step to weigh, from these
        features, not for a word list to decide here."""
        fq = self.read(q)
        merged = self.follow_up(q, fq, previous)
        query = merged or fq
        answer, facts = self.answer_with_facts(query)
        if answer is None:
            return None, None, query
        if answer.abstained:
            return None, answer, query
        top: Figure = facts["figures"][0]
        measured = load_vocabulary().units.get(fold(top.unit or "").lower())
        if q.units and measured and measured not in q.units:
            return None, None, query  # `hur många öre` is not answered in mnkr
        label, context = self._terms(figure_label(top)), self._terms(f"{figure_context(top)} {top.context or ''}")
        groups = q.content_groups or [(t,) for t in q.content_terms]

        # the measure words the question names (a compound's head): what kind of figure, not which row
        free = self._frame_terms | {t for m in q.measures for t in self.analyzer.terms(m)}
        if query.compare:  # `ökade`, `bättre`: how the figure changed, which no label says
            free |= {t for w in _change_words(q) for t in self.analyzer.terms(w)}

        def share(have: set[str]) -> float:
            """Share of the question's subject words the label holds. A measure word says what kind of figure
            is asked for, not which row: `budget` alone is no subject, and `HME-värde` is covered by a label
            that says `HME` (the head of a compound measure, `-värde`, `-kostnader`, is free)."""
            got = n = 0.0
            for g in groups:
                if g[0] in free:
                    continue
                n += 1
                parts = [p for p in g[1:] if not _covered(p, free)]
                if _covered(g[0], have) or (parts and len(parts) < len(g) - 1
                                            and all(_covered(p, have) for p in parts)):
                    got += 1.0
                elif any(_covered(p, have) for p in g[1:]):
                    got += 0.5
            return got / n if n else 0.0

        label, context = label.all, context.all
        focus = 0.5 if not q.focus else float(_covered(q.focus[0], label | context))
        titled = label | context | self._terms(f"{top.title} {top.section}").all
        names = sum(any(_covered(t, titled) for t in name) for name in q.names) / len(q.names) if q.names else 1.0
        features = {
            "f_score": facts["score"], "f_values": math.log(max(1, facts["values"])),
            "f_series": float(facts["shape"] == "series"),
            # the period before, asked (`året innan`, `bättre än föregående år`) and printed beside the value
            # (`+6,0 mnkr (+9,1)`): the record says which of its two numbers is which, a quoted line does not
            "f_previous": float(facts["shape"] == "previous"), "f_label": share(label), "f_context": share(label | context),
            "f_focus": focus, "f_names": names, "f_running": float(not top.in_table), "f_unverified": float(top.status == "unverified"),
            "f_area": float(bool(query.areas)), "f_basis": float(bool(query.basis)), "f_kind": float(bool(query.kind)),
            "f_year": float(bool(query.years)), "f_follow_up": float(merged is not None),
            "f_unknown": float(self.names_unknown(q)), "f_dropped": facts.get("dropped", 0.0),
            # money asked, a share answered (or the other way round): `vad kostar lunchen` is not `10 %`; nor is a
            # share or a sum of money how many there are (`Hur många lunchgäster …`)
            "f_unit_clash": float(("money" in q.asks and top.unit in SHARE_UNITS)
                                  or ("percent" in q.asks and top.unit in MONEY_UNITS)
                                  or (q.wants == "count" and not {"money", "percent"} & q.asks
                                      and top.unit in SHARE_UNITS | MONEY_UNITS)),
            "measure": float(q.measure),
            # a ranking names which row or area has the most, with its amount: `Vilken nämnd …` asks for what it
            # gives, whatever the opening's kind
            "wants_amount": float(q.wants in ("amount", "count") or facts["shape"] == "ranking"),
            "wants_other": float(q.wants in ("who", "when", "why", "place", "yesno", "list")
                                 and facts["shape"] != "ranking"),
            "english": float(q.english),
        }
        return Candidate(route="figure", answer=answer, features=features), None, query

    def follow_up(self, q: Question, fq: FigureQuery, previous: FigureQuery | None) -> FigureQuery | None:
        """`och prognosen 2023?` after `Vad är budgeten för Område IT 2024?`: keep the subject, change the rest."""
        if previous is None:
            return None
        folded = fold(q.text).lower().strip()
        short = len(re.findall(r"\w+", folded)) <= 6
        asks_anew = re.match(r"^(vad|hur|vilk|nar|var|vem|what|how|which)\b", folded)
        if not short or not (FOLLOW_UP.search(folded) or (not asks_anew and len(folded.split()) <= 4)):
            return None
        merged = replace(previous, text=q.text)
        if fq.years:
            merged.years = fq.years
        if fq.basis:
            merged.basis = fq.basis
        if fq.kind:
            merged.kind = fq.kind
        terms = fq.terms
        if fq.areas:
            merged.areas = fq.areas
        elif fq.maybe_areas and previous.areas:  # `för fastigheter då?` after a question about an area
            merged.areas = fq.maybe_areas
            keys = {self._area_key(a) for a in fq.maybe_areas}
            terms = [t for t in terms if fold(t) not in keys]
        if terms:
            merged.terms = list(dict.fromkeys(previous.terms + terms))
        merged.compare = fq.compare
        return merged

    # --- matching -----------------------------------------------------------------------------------------
    def _alternatives(self, word: str) -> tuple[set[str], set[str]]:
        """(the word and its stem, its compound parts): `personalomsättningen` is personalomsättning first,
        and only then omsättning. A verb counts as the noun it forms (`ökar` is named by `Lönekostnadsökning`)."""
        terms = self.analyzer.terms(word)
        whole = {fold(word).lower(), *terms[:1]}
        for noun in self.analyzer.lexicon.nominalisations(word):
            whole |= {fold(noun), *self.analyzer.terms(noun)[:1]}
        return whole, set(terms[1:]) - whole

    def _in_labels(self, wanted: list) -> list:
        return [(w, alts) for w, alts in wanted if any(a in self._df for group in alts for a in group)]

    def dropped(self, fq: FigureQuery) -> float:
        """Share of the question's words that no figure label holds: what a lenient match leaves out."""
        if not fq.terms:
            return 0.0
        wanted = [(w, self._alternatives(w)) for w in fq.terms]
        return 1 - len(self._in_labels(wanted)) / len(wanted)

    def _weight(self, alternatives: tuple[set[str], set[str]]) -> float:
        """Rarity among figure labels; a word no label uses (`berörs`) says little about which figure."""
        known = [self._df[a] for group in alternatives for a in group if a in self._df]
        if not known:  # a subject word no figure mentions counts against every figure, as much as the rarest
            return math.log(1 + self._n)
        return math.log(1 + self._n / (1 + min(known)))

    def match(self, fq: FigureQuery, use_year: bool = True, require_label: bool = True,
              keep=None) -> list[FigureMatch]:
        """The figures that fit the question, best first; `keep(figure)` leaves out others before they are
        scored."""
        if not self._n:
            return []
        wanted = [(w, self._alternatives(w)) for w in fq.terms]
        constrained = bool(fq.kind)
        if constrained or fq.lenient:  # `berörs` in `Hur många årsarbetare berörs i Område X?` names no figure
            wanted = self._in_labels(wanted)
        weights = {w: self._weight(alts) for w, alts in wanted}
        total = sum(weights.values())
        out: list[FigureMatch] = []
        area_keys = [self._area_key(a) for a in fq.areas]
        asked = [a for _, alts in wanted for group in alts for a in group]
        asked_set = set(asked)

        # the labels of one table share most of their words, and its cells their context: each word and each
        # context is judged once per question (at 100k chunks, these checks were most of a slow question's time)
        @lru_cache(maxsize=None)
        def _asked(t: str) -> bool:
            return t in asked_set or any(_covered(a, (t,)) for a in asked)

        seen: dict = {}
        in_paragraph = _paragraph_pattern(fq.paragraph) if fq.paragraph else None
        for f, label, context in self._candidates(fq, use_year):
            if keep is not None and not keep(f):
                continue
            if area_keys and not (f.area and self._area_key(f.area) in area_keys):
                continue
            if use_year and fq.years and f.year not in fq.years:
                continue
            if fq.basis and f.basis != fq.basis and (use_year or f.basis not in ("budget", "prognos", "utfall")):
                continue  # over periods, a budget may be compared with last year's forecast or outcome
            if fq.realised and f.basis in PLANNED_BASES:
                continue
            if fq.price and f.kind == "besparing":
                continue
            if in_paragraph is not None and not in_paragraph.search(f"{f.section} {f.table} {f.title}"):
                continue
            if fq.kind and f.kind != fq.kind and not (fq.kind == "investering" and "invester" in f"{f.row} {f.table}".lower()):
                continue
            if total:
                coverage = [(w, alts, _coverage(alts, label, context, seen)) for w, alts in wanted]
                got = sum(weights[w] * c for w, _, c in coverage)
                in_label = sum(weights[w] for w, _, c in coverage if c in IN_LABEL)
                if require_label and in_label < total / 3 and not (constrained or fq.areas) \
                        and not (fq.total and TOTAL.search(f.row)):
                    continue  # the question's subject must be named by the row or column, not just the section
                score = got / total
            else:
                score = 1.0 if (fq.areas or fq.basis or fq.kind) else 0.0
            if score <= 0:
                continue
            # a label that says no more than the question asks for beats one that says more
            extra = [t for t in label.whole if not t.isdigit() and not _asked(t)]
            score -= 0.004 * min(len(extra), 5)
            if f.status == "unverified" and f.in_table:
                score -= 0.005
            out.append(FigureMatch(f, score))
        out.sort(key=lambda m: -m.score)
        return out

    # --- answering ----------------------------------------------------------------------------------------
    def answer(self, fq: FigureQuery) -> Answer | None:
        """An answer from the store, or None when no figure fits well enough (the prose path takes over)."""
        return self.answer_with_facts(fq)[0]

    def answer_with_facts(self, fq: FigureQuery) -> tuple[Answer | None, dict]:
        """The answer and what it rests on: the best match's score, the figures it states, the shape."""
        if fq.unknown_area:
            known = ", ".join(sorted({a for a in self.areas}, key=str.lower))
            return Answer(question=fq.text, abstained=True, answer=(
                f"Dokumenten i kunskapsbanken har inga tal för område {fq.unknown_area!r}. "
                f"Områden med tal: {known}.")), {"shape": "unknown_area"}
        if fq.extreme:
            return self._extreme(fq)
        matches = self.match(fq)
        if (not matches or matches[0].score < MIN_SCORE) and not fq.lenient and fq.terms \
                and self._in_labels([(w, self._alternatives(w)) for w in fq.terms]):
            # a word no label holds may be a verb of the question (`låg`, `landar`): try without such words, and
            # let the selection weigh how much was left out
            answer, facts = self.answer_with_facts(replace(fq, lenient=True))
            if answer is not None and not answer.abstained:
                return answer, {**facts, "dropped": self.dropped(fq)}
        if fq.period and not fq.compare:
            return self._before(fq)
        if fq.compare:
            series, shape = self._series(fq)
            if series:
                top = self.match(fq, use_year=False)
                # a value and the one printed beside it for the period before are one record, not a series of
                # a table's columns
                return series, {"shape": shape, "score": top[0].score if top else 0.0,
                                "figures": [top[0].figure] if top else [], "values": 1 if shape == "previous" else 2}
            if fq.period:
                return None, {}  # how it changed from the period before: one period's value does not say
        if (not matches or matches[0].score < MIN_SCORE) and fq.years:
            return self._not_for_year(fq), {"shape": "not_for_year"}
        if not matches or matches[0].score < MIN_SCORE:
            return None, {}
        best = matches[0].score
        tied = [m.figure for m in matches if m.score >= best - 0.025]
        if not fq.areas and any(f.area is None for f in tied):
            tied = [f for f in tied if f.area is None]  # no area named: the whole administration's figure
        tied = self._prefer_total(tied, fq)
        values = {(f.value, f.unit) for f in tied}
        facts = {"score": best, "figures": tied, "values": len(values)}
        if len(values) == 1:
            return self._single(fq, tied), {**facts, "shape": "single"}
        return self._several(fq, tied), {**facts, "shape": "several"}

    def _extreme(self, fq: FigureQuery) -> tuple[Answer | None, dict]:
        """Which row or area has the most or the least (assistant/extremes.py). A row need not name the question's
        words itself (`Regionstyrelsen` in the table `Regionbidrag per nämnd`); a word no label holds (`får`,
        `gick`) is left out as for any figure question. No comparable set: no figure is proposed, since the single
        best-fitting figure answers another question."""
        most = fq.extreme == "most"
        # the words of the question some figure label holds: the ranked table or row must name each of them
        known = [alts for w in fq.terms if (alts := self._alternatives(w)) and self._in_labels([(w, alts)])]

        def names_measure(f: Figure) -> bool:
            label, context = self._terms(figure_label(f)), self._terms(f"{figure_context(f)} {f.context or ''}")
            # the word itself or as a compound's head, in the label or its table: `sjuk` in `sjukvårdsnämnden`
            # does not name `sjukfrånvaro`
            return all(_coverage(alts, label, context) >= 0.75 for alts in known)

        mode = fq.compares
        for query in (fq, replace(fq, lenient=True)):
            matches = self.match(query, require_label=False)
            if mode == "period" and not fq.areas and any(m.figure.area is None for m in matches):
                # no area named: the whole administration's row, as for any figure question
                matches = [m for m in matches if m.figure.area is None]
            ranking = extremes.rank(matches, most, mode, MIN_SCORE, names_measure, signed=fq.signed)
            if ranking is not None:
                answer = extremes.compose(fq.text, ranking, most, self.citation, lambda f: say(f.value, f), fq.top)
                facts = {"score": ranking.score, "figures": ranking.figures, "values": 1, "shape": "ranking"}
                return answer, facts if query is fq else {**facts, "dropped": self.dropped(fq)}
            if fq.lenient or not fq.terms:
                break
        return None, {}

    def _before(self, fq: FigureQuery) -> tuple[Answer | None, dict]:
        """A question about the period before. `förra året` is a calendar year: the figures for it answer, if
        the documents hold any. Otherwise (and for `föregående år`, `året innan`, `fg år`) the period before the
        one the best-fitting figure reports: the value printed in brackets beside it (`HME = 76 (74)`), or its
        table's column for the year before (`Utfall 2024` beside `Utfall 2025`). When neither exists no figure is
        proposed: the value for the period reported is not the one asked for."""
        now = replace(fq, period=None, period_year=None)
        nothing: tuple[Answer | None, dict] = (None, {})
        if fq.period == "last_year" and fq.period_year and not fq.years:
            answer, facts = self.answer_with_facts(replace(now, years=[fq.period_year]))
            if answer is not None and not answer.abstained:
                return answer, facts
            if answer is not None:  # the row exists for other years: say which, if nothing else answers
                nothing = (answer, facts)
        matches = self.match(now)
        if not matches or matches[0].score < MIN_SCORE:
            return nothing
        best = matches[0].score
        tied = [m.figure for m in matches if m.score >= best - 0.025]
        if not fq.areas and any(f.area is None for f in tied):
            tied = [f for f in tied if f.area is None]
        printed = [f for f in tied if f.previous is not None]
        if fq.period == "last_year" and fq.period_year:
            # the bracket beside the next year's value is that calendar year's, or the last measurement's when the
            # value has no year; a neighbouring column is the year before the report's, not `förra året`
            printed = [f for f in printed if f.year is None or f.year == fq.period_year + 1]
            if not printed:
                return nothing
        if printed:
            facts = {"score": best, "figures": printed, "values": len({f.previous for f in printed}),
                     "shape": "previous"}
            return self._previous(fq, printed), facts
        top = tied[0]
        row = [m.figure for m in matches if (m.figure.doc_id, m.figure.table, m.figure.row)
               == (top.doc_id, top.table, top.row) and m.figure.year is not None]
        reported = max(fq.years) if fq.years else max((f.year for f in row), default=None)
        if reported is None or not any(f.year == reported - 1 for f in row):
            return None, {}
        return self.answer_with_facts(replace(now, years=[reported - 1]))

    def _previous(self, fq: FigureQuery, figures: list[Figure]) -> Answer:
        """The values printed in brackets as the period before, each with the value it was compared with."""
        cites: list[Citation] = []
        lines = []
        for f in _distinct_sources(figures)[:MAX_LISTED]:
            c = self._cite_once(cites, f)
            before = "föregående år" if f.when and re.search(r"\b(fg|föregående|foregaende)\b", f.when, re.I) \
                else "föregående period"
            lines.append(f"{_what(f)}, {before}: **{say(f.previous, f)}** [{c.n}]; därefter {say(f.value, f)}")
        if len(lines) == 1:
            text = lines[0] + "." + _status_sentence(figures[0])
        else:
            text = "\n".join(f"- {line}" for line in lines)
        return Answer(question=fq.text, answer=text, abstained=False, citations=cites)

    def _not_for_year(self, fq: FigureQuery) -> Answer | None:
        """The row exists, but not for the year asked: say which periods the documents do hold."""
        others = [m for m in self.match(replace(fq, years=[], basis=None),
                                        keep=lambda f: f.year is not None and f.in_table)
                  if m.score >= MIN_SCORE]
        if not others:
            return None
        top = others[0].figure
        periods = sorted({f.figure.period for f in others
                          if (f.figure.doc_id, f.figure.table, f.figure.row) == (top.doc_id, top.table, top.row)})
        asked = " ".join(filter(None, [fq.basis, ", ".join(str(y) for y in fq.years)]))
        text = (f"Dokumenten i kunskapsbanken har inget tal för {asked} som passar frågan. "
                f"Närmast finns {top.row} ({top.table}, {top.title}) för: {', '.join(p for p in periods if p)}.")
        return Answer(question=fq.text, answer=text, abstained=True, citations=[self.citation(1, top)])

    def _prefer_total(self, figures: list[Figure], fq: FigureQuery) -> list[Figure]:
        """Rows of one table column that tie: the question asks for the whole, so the total answers it."""
        tables = {(f.doc_id, f.table, f.column) for f in figures}
        if len(tables) == 1 and len(figures) > 1:
            totals = [f for f in figures if TOTAL.search(f.row)]
            if len(totals) == 1:
                return totals
        return figures

    def _single(self, fq: FigureQuery, figures: list[Figure]) -> Answer:
        f = figures[0]
        # the same value stated elsewhere and fitting the question too: cite it as well
        figures = figures + [m.figure for m in self.match(fq, require_label=False)
                             if m.score >= MIN_SCORE and (m.figure.value, m.figure.unit) == (f.value, f.unit)]
        cites = [self.citation(i + 1, g) for i, g in enumerate(_distinct_sources(figures)[:3])]
        refs = "".join(f"[{c.n}]" for c in cites)
        text = f"{_describe(f)}: **{say(f.value, f)}** {refs}."
        if f.previous is not None:
            text += f" Föregående period: {say(f.previous, f)}."
        text += _status_sentence(f)
        if len(cites) > 1:
            text += " Samma tal står i alla citerade källor."
        return Answer(question=fq.text, answer=text, abstained=False, citations=cites)

    def _several(self, fq: FigureQuery, figures: list[Figure]) -> Answer:
        shown = figures[:MAX_LISTED]
        cites: list[Citation] = []
        lines = [f"{in_words(len(figures)).capitalize()} tal i dokumenten passar frågan; de är olika saker:"]
        for f in shown:
            c = self._cite_once(cites, f)
            lines.append(f"- {_describe(f)}: **{say(f.value, f)}** [{c.n}]{_status_short(f)}")
        if len(figures) > len(shown):
            lines.append(f"(och {in_words(len(figures) - len(shown))} till; ange område, år eller rad för att avgränsa)")
        return Answer(question=fq.text, answer="\n".join(lines), abstained=False, citations=cites)

    def _series(self, fq: FigureQuery) -> tuple[Answer | None, str]:
        """The same row over the periods the corpus holds, with the change between the first and the last (shape
        `series`); or a value against the one printed beside it for the period before (`previous`)."""
        matches = self.match(fq, use_year=False)
        if not matches or matches[0].score < MIN_SCORE:
            return None, "series"
        tied = [m.figure for m in matches if m.score >= matches[0].score - 0.02]
        if not fq.areas and any(f.area is None for f in tied):
            tied = [f for f in tied if f.area is None]
        top = tied[0]
        if top.previous is not None and not fq.years:
            return self._change(fq, top, top.previous, top.value, "föregående period", "nu"), "previous"
        keys = list(dict.fromkeys((f.doc_id, f.table, f.row, _subcolumn(f)) for f in tied))
        totals = [k for k in keys if TOTAL.search(k[2])]
        if totals and len({k[2] for k in keys}) > 1:
            keys = totals  # several rows of a table: the question asks for the whole
        cites: list[Citation] = []
        lines: list[str] = []
        last_figure = top
        for key in keys[:4]:
            same = [m.figure for m in matches if (m.figure.doc_id, m.figure.table, m.figure.row, _subcolumn(m.figure)) == key
                    and m.figure.year is not None]
            by_year: dict[int, Figure] = {}
            for f in same:  # the basis asked for where a year has it, else what the year has (`Prognos 2023`)
                if f.year not in by_year or (fq.basis and f.basis == fq.basis and by_year[f.year].basis != fq.basis):
                    by_year[f.year] = f
            years = sorted(by_year)
            if len(years) < 2:
                continue
            asked = [y for y in fq.years if y in by_year]
            first = min(asked) if asked else years[0]
            last = max(asked) if len(asked) > 1 else years[-1] if years[-1] != first else years[0]
            if first == last:
                continue
            first, last = sorted((first, last))
            a, b = by_year[first], by_year[last]
            c = self._cite_once(cites, a)
            self._cite_once(cites, b)
            diff = b.value - a.value
            c.derived += [format_number(diff), _signed(diff)]
            what = f"{a.row}{' ' + _subcolumn(a) if _subcolumn(a) else ''} ({a.table}, {a.title})"
            lines.append(f"{what}: {a.period} **{say(a.value, a)}**, {b.period} **{say(b.value, b)}** [{c.n}]; "
                         f"skillnad {_signed(diff)}{unit_text(b)} (beräknad)")
            last_figure = b
        if not lines:
            return None, "series"
        if len(lines) == 1:
            text = lines[0] + "." + _status_sentence(last_figure)
        else:
            text = "\n".join(f"- {line}" for line in lines)
        return Answer(question=fq.text, answer=text, abstained=False, citations=cites), "series"

    def _change(self, fq: FigureQuery, f: Figure, before: Decimal, now: Decimal, before_label: str, now_label: str) -> Answer:
        cite = self.citation(1, f)
        diff = now - before
        unit = " procentenheter" if f.unit == "%" else unit_text(f)
        text = (f"{_what(f)}: **{say(now, f)}** ({now_label}) mot **{say(before, f)}** ({before_label}) [1]. "
                f"Förändring: {_signed(diff)}{unit} (beräknad).")
        cite.derived = [format_number(diff), _signed(diff)]
        return Answer(question=fq.text, answer=text, abstained=False, citations=[cite])

    def _cite_once(self, cites: list[Citation], f: Figure) -> Citation:
        for c in cites:
            if c.source == f.source and c.lines == _lines(f):
                return c
        c = self.citation(len(cites) + 1, f)
        cites.append(c)
        return c

    def citation(self, n: int, f: Figure) -> Citation:
        quote = f"{f.header}\n{f.line_text.strip()}" if f.header else f.line_text.strip()
        if f.year and str(f.year) not in quote and f.context and str(f.year) in f.context:
            # a running-text figure whose year stands in the line above it: quote that line too, so that every
            # figure the answer states (the year included) stands in the quote
            quote = f.context
        derived = []
        if f.status == "repaired" and f.printed not in (format_number(f.value),):
            derived.append(format_number(f.value))
        return Citation(n=n, source=f.source, title=f.title, section=f.section, page=f.page_start,
                        lines=_lines(f), quote=quote, derived=derived)


def _change_words(q: Question) -> list[str]:
    """The question's comparatives and words of change (`bättre`, `ökade`), as written: with a period before or a
    comparison named, they say how the figure changed, not which figure."""
    periods = load_vocabulary().periods
    return [w for w in WORD.findall(q.normalized) if fold(w).lower() in periods.comparatives | periods.changes]


def _paragraph_pattern(paragraph: str) -> re.Pattern:
    """The protocol paragraph a question names (`§ 58`), as a figure's section, table or document title prints
    it: a figure stands in that paragraph, or in a document that paragraph titles (an extract with its annex)."""
    return re.compile(re.escape(paragraph).replace(r"\ ", r"\s*") + r"(?!\d)")


def _compound_basis(word: str) -> tuple[str | None, str | None]:
    """`investeringsbudgeten`, `helårsprognosen`, `driftbudget`: a compound whose head names a basis names that
    basis, and its first part the kind when it is one (`investerings|budget`: investments, as budgeted). A first
    part that is no kind (`drift`) stays a word the figure's label must hold."""
    for head, basis in BASIS_HEADS:
        at = word.rfind(head)
        if at >= 3 and word[at + len(head):] in BASIS_HEAD_ENDINGS:
            first = word[:at]
            kind = next((k for prefix, k in KIND_PREFIXES if first in (prefix, prefix + "s")), None)
            return kind, basis
    return None, None


def _basis(word: str) -> str | None:
    """`prognosen`, `prognostiserades`, `budgeterade`, `utfallet` → the basis they name."""
    if word in BASIS:
        return BASIS[word]
    for stem, basis in (("prognos", "prognos"), ("budgeter", "budget"), ("utfall", "utfall")):
        if word.startswith(stem) and len(word) - len(stem) <= 9:
            return basis
    return None


@dataclass(frozen=True)
class LabelTerms:
    whole: frozenset[str]  # each word's stem and folded form
    head: frozenset[str]  # each compound's last part
    other: frozenset[str]  # each compound's other parts
    all: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "all", self.whole | self.head | self.other)

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        """The first five letters of its words. `covered` accepts a spelling variant only when one word begins
        the other and both have five letters or more, so a word whose first five letters no label word shares
        matches none: at 200k figures, scanning every word of every label for every question word was most of
        a question's time. (A set of prefixes, not an index of words by prefix: 50k cached labels are kept.)"""
        return frozenset(t[:5] for t in self.all if len(t) >= 5)

    def names(self, term: str, part: str = "all") -> bool:
        """`covered(term, self.<part>)`, scanning only when a word could match."""
        terms = getattr(self, part)
        if term in terms:
            return True
        if len(term) < 5 or term.isdigit() or term[:5] not in self._prefixes:
            return False
        return _covered(term, terms)


IN_LABEL = (1.0, 0.95, 0.7, 0.55)  # the weights `_coverage` gives a word the row or column itself names


def _coverage(alts: tuple[set[str], set[str]], label: LabelTerms, context: LabelTerms,
              seen: dict | None = None) -> float:
    """How well a label names a question word: as a word of its own, as the head of a compound
    (`investeringar` in `Byggnadsinvesteringar`), or only as a compound's modifier (`förvaltningens` against
    `Förvaltningsgemensamt`), in the label or only in its table and section. `seen` keeps what a context (shared
    by the cells of a column) was found to name, for the question's other figures."""
    whole, parts = alts
    if any(label.names(a, "whole") for a in whole):
        return 1.0
    if any(label.names(a, "head") for a in whole):
        return 0.95
    in_context = _in_context(alts, context, seen)
    if in_context:
        return in_context
    if any(label.names(a, "all") for a in parts):
        return 0.7
    if any(label.names(a, "other") for a in whole):
        return 0.55
    if any(context.names(a, "all") for a in parts | whole):
        return 0.5
    return 0.0


def _in_context(alts: tuple[set[str], set[str]], context: LabelTerms, seen: dict | None) -> float:
    """0.8 when the context names the word itself, 0.75 as a compound's head. `seen` is one `match` call's memo,
    keyed by identity: the word alternatives and the candidates' contexts all live until that call returns, so an
    id is not reused meanwhile (hashing a context by value cost more than the check it saves)."""
    key = (id(alts), id(context))
    if seen is not None and key in seen:
        return seen[key]
    whole, _ = alts
    weight = 0.8 if any(context.names(a, "whole") for a in whole) else \
        0.75 if any(context.names(a, "head") for a in whole) else 0.0
    if seen is not None:
        seen[key] = weight
    return weight


def _lines(f: Figure) -> str:
    return f"{f.line_start}" if f.line_start == f.line_end else f"{f.line_start}–{f.line_end}"


def _what(f: Figure) -> str:
    where = f"{f.table}, {f.title}"
    return f"{f.row} ({where})"


def _describe(f: Figure) -> str:
    period = f.column or (str(f.year) if f.year else "")
    return f"{f.row}, {period} ({f.table}, {f.title})" if period else f"{f.row} ({f.table}, {f.title})"


def _status_sentence(f: Figure) -> str:
    if not f.in_table:
        return " Talet står i löptext och kontrolleras inte mot någon summa."
    if f.status == "repaired":
        return f" Dokumentet visar {f.printed!r}, som är OCR-skadat; {STATUS_TEXT['repaired']} ({f.note})."
    return f" Talet {STATUS_TEXT[f.status]}."


def _status_short(f: Figure) -> str:
    if not f.in_table:
        return " (löptext)"
    return {"verified": "", "repaired": f" (rättat från {f.printed!r})", "unverified": " (ej kontrollerat)"}[f.status]


def _signed(d: Decimal) -> str:
    return ("+" if d > 0 else "") + format_number(d)


def _distinct_sources(figures: list[Figure]) -> list[Figure]:
    seen: set[tuple[str, int]] = set()
    out = []
    for f in figures:
        key = (f.source, f.line_start)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
