"""Structure and decision questions answered from their records, complete: every item listed, counted, cited.

"Vilka uppdrag har Område IT?", "Vilka indikatorer följer målet om sjukfrånvaro?", "Vad beslutade
arbetsutskottet i § 58?", "Vad har beslutats för Område fastigheter?". A question names what to list (the
target level or kind), may name an area, a year, a paragraph or fulfilment, and its other words either point to
an anchor (the goal whose indicators are asked for) or filter the items themselves. Without a year, the answer
is for the latest year the records hold, and says which other years exist.
"""
from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
from dataclasses import dataclass, field

from core.models import Answer, Citation, Decision, GoalNode
from core.numbers import in_words
from index.analyzer import STOPWORDS, WORD, SwedishAnalyzer
from index.bm25 import BM25Index
from ingest.areas import Areas
from ingest.lexicon import fold

from .reader import covered as _covered
from .question import FRAME_WORDS, Question
from .vocabulary import load_vocabulary
from .select import Candidate

log = logging.getLogger(__name__)

# What the question asks to list, and (when no noun says it) the verb that does: `[[list_targets]]` and
# `[[list_verb_targets]]` in data/vocabulary.toml, patterns over the folded question, first match wins.
TARGETS = [(re.compile(pattern), target) for target, pattern in load_vocabulary().list_targets]
VERB_TARGETS = [(re.compile(pattern), target) for target, pattern in load_vocabulary().list_verb_targets]
GOAL_LEVELS = {"indikator", "uppdrag", "effektmål", "fokusområde", "perspektiv", "strategi", "vision", "värdegrund",
               "fullmäktiges mål", "nämndens mål"}
LIST_CUE = re.compile(r"^(vilka|vilken|vilket|vad|lista|ange|namn\w*|vem|vart|hur manga|which|what|who|list)\b")
FULFILLED = re.compile(r"\buppfyll(d|des|da|t|ts)\b|\bmaluppfyllelse\b|\bnadde?s?\b|\bfulfilled\b|\bmet\b")
NEGATED = re.compile(r"\b(inte|ej|icke|not)\b")
PARAGRAPH = re.compile(r"§\s*(\d+)|\bparagraf(?:en)?\s+(\d+)|\bparagraph\s+(\d+)")
# `effektmål 9`, `uppdrag 7`, `mål 3`: a numbered node (the number, and the level its word names)
NUMBER = re.compile(r"\b(effektmal|uppdrag|mal)(?:et)?\s+(?:nr\.?\s*|nummer\s+)?(\d{1,3})(?![\d.,])")
NUMBERED_LEVELS = {"effektmal": {"effektmål"}, "uppdrag": {"uppdrag"}, "mal": {"nämndens mål", "fullmäktiges mål"}}
LIST_FRAME = {fold(w) for w in """
vilka vilken vilket vad lista ange finns fanns har hade gäller följer följs följa mäts mäta under inom för om
till av med som är var blev ska skulle kommer nämnden nämndens regionen region beslutade beslutat beslutats
beslutades fattade fattats arbetsutskottet utskottet styrelsen gjordes gjorde föreslogs föreslås tagits fram
hör hörde kopplade kopplat kopplad koppling målet målen mål indikatorer indikatorerna indikator mått måtten
uppdrag uppdragen
strategier strategierna strategi perspektiv perspektiven fokusområde fokusområden fokusområdet effektmål
effektmålet vision visionen värdegrund värdegrunden åtgärder åtgärderna åtgärd besparingsåtgärder yrkanden
yrkande yrkade reserverade reserverat reservation reservationer reserverar sig mot expedieras expedierades beslut beslutet beslutspunkter förslag förslagen paragraf paragrafen
skickas skickades skickats sänds sändes sänts underlag underlaget underlagen beslutsunderlag beslutsunderlagen
uppfylldes uppfyllda uppfyllt uppfylld måluppfyllelse inte ej område området områden verksamhetsplan
verksamhetsplanen verksamhetsplanens handlingsplan handlingsplanen handlingsplanens protokoll protokollet
dialogunderlag dialogunderlaget perspektivet strategiområde strategiområden föreslagna gjordes fanns
fullmäktiges fullmäktige regionfullmäktiges nämndens
""".split()} | {"which", "what", "who", "were", "was", "the", "for", "of", "in", "made", "decided", "does", "have",
                "has", "are", "is", "area", "goals", "goal", "indicators", "assignments", "measures", "decisions",
                "paragraph", "motions", "motion"}
MAX_ITEMS = 40


@dataclass
class ListQuery:
    target: str
    years: list[int]
    areas: list[str]
    paragraph: str | None
    number: str | None
    fulfilled: bool | None
    terms: list[str]
    text: str
    cue: bool = False  # opens like a list question (`vilka`, `lista`, `vad beslutade … §`)
    anchored: bool = False  # set while answering: the items hang under goals the question's words name
    dropped: int = 0  # set while answering: words of the question no record holds
    topic: list[str] = field(default_factory=list)  # stems of what a decision question is about (`om budgeten`)
    identifiers: list[str] = field(default_factory=list)  # `31-2025`: the motion or case the question names


class ListAnswerer:
    HAVE_CACHE = 400_000  # records' word sets kept (a goal's or a decision's words, by record and reading)

    def __init__(self, load_goals, load_decisions, areas: Areas, analyzer: SwedishAnalyzer,
                 goal_index: BM25Index | None = None):
        """Goals and decisions are loaded on the first list question, not at start-up."""
        self._load_goals, self._load_decisions = load_goals, load_decisions
        self.goal_index = goal_index
        self.areas = areas
        self.analyzer = analyzer
        self._have_cache: dict[str, tuple[set[str], set[str]]] = {}
        self._forms: dict[str, tuple[str, ...]] = {}
        self._loaded = False
        self._load_lock = threading.Lock()

    def warm(self) -> None:
        """Load the records in a background thread, so the first list question does not wait for them."""
        threading.Thread(target=self._warm, name="list-records", daemon=True).start()

    def _warm(self) -> None:
        try:
            self._load()
        except sqlite3.ProgrammingError:
            # the index generation this answerer read was closed meanwhile (ingest published the next one, or
            # the assistant shut down): its records are no longer wanted, and a question loads the new ones
            log.debug("list records not warmed: their index was closed")

    def _load(self) -> None:
        with self._load_lock:
            self._load_unlocked()

    def _load_unlocked(self) -> None:
        if self._loaded:
            return
        self.goals: list[GoalNode] = self._load_goals()
        self.decisions: list[Decision] = self._load_decisions()
        self.by_id = {g.id: g for g in self.goals}
        self.by_level: dict[str, list[GoalNode]] = {}  # a question asks for one level: no scan of every goal
        for g in self.goals:
            self.by_level.setdefault(g.level, []).append(g)
        self._lineages: dict[str, frozenset[str]] = {}
        texts = [g.text for g in self.goals] + [f"{d.text} {d.by or ''} {d.body or ''} {d.section}"
                                                 for d in self.decisions]
        words = {fold(w).lower() for t in texts for w in WORD.findall(t)}
        self._vocabulary = words | {t for w in words for t in self.analyzer.terms(w)[:1]}
        self._loaded = True

    # --- reading -----------------------------------------------------------------------------------------
    def read(self, q: Question) -> ListQuery | None:
        folded = fold(q.normalized).lower()
        original = fold(q.text).lower()
        matched = [t for pattern, t in TARGETS if pattern.search(folded) or pattern.search(original)] \
            or [t for pattern, t in VERB_TARGETS if pattern.search(folded) or pattern.search(original)]
        levels = [t for t in matched if t in GOAL_LEVELS]
        if "fullmäktiges mål" in levels or "effektmål" in levels:
            levels = [t for t in levels if t != "nämndens mål"]  # the word `mål` was part of the other name
        # "Vilka mål finns under fokusområdet …": the most specific level named is what to list
        target = max(levels, key=_rank) if levels else (matched[0] if matched else None)
        target = target or self._compound_target(folded)
        if target is None:
            return None
        para = PARAGRAPH.search(q.text) or PARAGRAPH.search(folded)
        paragraph = f"§ {next(g for g in para.groups() if g)}" if para else None
        number = NUMBER.search(folded)
        fulfilled = None
        if FULFILLED.search(folded):
            fulfilled = not NEGATED.search(folded)
        areas = self.areas.mentioned(q.text) or self.areas.mentioned(q.normalized)
        area_words = {fold(w).lower() for a in areas for w in WORD.findall(a)} | {
            fold(w).lower() for a in self.areas.areas if a.name in areas for alias in a.aliases for w in WORD.findall(alias)}
        terms = []
        frame_stems = self._frame_stems()
        for word in WORD.findall(q.normalized):
            w = fold(word).lower()
            if w.isdigit() or w in LIST_FRAME or w in STOPWORDS or w in FRAME_WORDS or w in area_words or len(w) < 3 \
                    or set(self.areas.mentioned(word)) & set(areas):  # an area's name inflected (`måltidsservicen`)
                continue
            stems = self.analyzer.terms(word)
            if not stems or stems[0] in frame_stems:
                continue  # an inflection of a frame word (`fokusområdena`, `nämnd`)
            split = self._split(word.lower())
            head = self.analyzer.terms(split[-1])[:1] if split else []
            if head and any(head[0].startswith(t) and len(head[0]) - len(t) <= 3 for t in self._target_stems()):
                # `sjukfrånvaromålet`: the goal about sjukfrånvaro; its head says what to list, not which
                terms += [fold(p) for p in split[:-1] if len(p) >= 3 and fold(p) not in LIST_FRAME]
                continue
            terms.append(w)
        if number and number.group(1) != "effektmal" and target not in NUMBERED_LEVELS[number.group(1)]:
            number = None  # `mål 2026` is a year; `uppdrag 3` asked about indicators names no indicator's number
        return ListQuery(target, q.years, areas, paragraph, number.group(2) if number else None, fulfilled,
                         list(dict.fromkeys(terms)), q.text,
                         cue=bool(LIST_CUE.search(original) or LIST_CUE.search(folded) or "§" in q.text),
                         topic=list(q.topic), identifiers=list(q.identifiers))

    def names_missing_number(self, q: Question) -> bool:
        """`uppdrag 12` when the plans number their assignments and none is 12: like a year no document
        mentions, nothing can answer it (a neighbouring assignment only looks like an answer)."""
        number = NUMBER.search(fold(q.text).lower())
        if number is None:
            return False
        self._load()
        levels = NUMBERED_LEVELS[number.group(1)]
        numbered = [g for level in levels for g in self.by_level.get(level, []) if g.number]
        return bool(numbered) and not any(g.number == number.group(2) for g in numbered)

    # --- answering ----------------------------------------------------------------------------------------
    def candidate(self, q: Question) -> Candidate | None:
        """The complete list the records give for this question, with the features it is judged by; None
        when the question names nothing to list or nothing fits."""
        lq = self.read(q)
        if lq is None:
            return None
        answer = self.answer(lq)
        if answer is None or answer.abstained:
            return None
        items = sum(1 for line in answer.answer.splitlines() if line.startswith("- "))
        features = {
            "l_items": math.log1p(items), "l_cue": float(lq.cue), "l_goal": float(lq.target in GOAL_LEVELS),
            "l_scoped": float(bool(lq.areas or lq.paragraph or lq.number or lq.years or lq.fulfilled is not None)),
            "l_terms": math.log1p(len(lq.terms)), "l_anchored": float(lq.anchored), "l_dropped": math.log1p(lq.dropped),
            "wants_list": float(q.wants == "list"), "wants_count": float(q.wants == "count"),
            "wants_other": float(q.wants in ("who", "when", "why", "amount", "place", "yesno")),
            "measure": float(q.measure), "english": float(q.english),
        }
        return Candidate(route="list", answer=answer, features=features)

    def answer(self, lq: ListQuery) -> Answer | None:
        self._load()
        # a word no goal or decision holds (`fått` in `Vad har Område IT fått för uppdrag?`) cannot narrow the
        # list: it is left out, and the selection weighs how much was
        if lq.topic and lq.topic[0] not in self._vocabulary:
            return None  # `Vad beslutade regionstyrelsen om budgeten …`: no decision is about that
        known = [t for t in lq.terms if self._known(t)]
        lq.dropped = len(lq.terms) - len(known)
        lq.terms = known
        answer = self._find(lq)
        if answer is None and lq.terms:
            # words that narrow to nothing (`satt` in `Vilka mål har nämnden satt upp för 2026?`) are left out
            # too, and counted: the selection weighs a list that ignored part of the question
            lq.dropped += len(lq.terms)
            lq.terms = []
            answer = self._find(lq)
        return answer

    def _find(self, lq: ListQuery) -> Answer | None:
        if lq.target not in GOAL_LEVELS:
            return self._decisions(lq)
        answer = self._goals(lq)
        if answer is None and lq.target == "nämndens mål":
            # `mål` in a plan decided by fullmäktige (a regionplan) are fullmäktige's own
            lq.target = "fullmäktiges mål"
            answer = self._goals(lq)
            if answer is None:
                lq.target = "nämndens mål"
        return answer

    def _compound_target(self, folded: str) -> str | None:
        """`nämndmålen`, `klimatmålet`, `hållbarhetsstrategierna`: a compound whose last part names a level of
        the goal structure asks for that level's list, as the noun alone does (`TARGETS` reads whole words)."""
        self._load()
        for word in WORD.findall(folded):
            split = self._split(word)
            target = next((t for pattern, t in TARGETS if pattern.search(split[-1])), None) if split else None
            if target in GOAL_LEVELS:  # not `dialogunderlaget`: a document, not a decision's underlag
                return target
        return None

    def _split(self, word: str) -> tuple[str, ...] | None:
        """A question word's compound parts: the dictionary's split, or one at a list noun (`_split_at_target`)."""
        return (self.analyzer.lexicon.split_compound(word) if len(word) >= 8 else None) or self._split_at_target(word)

    def _split_at_target(self, word: str) -> tuple[str, str] | None:
        """`sjukfrånvaromål`, `matsvinnsmålen`: a compound whose last part names what to list. The dictionary's
        splitter leaves parts shorter than four letters (`mål`) alone, and its first part may be a word only the
        documents write (hunspell-sv has no `matsvinn`), so here the head is a list noun and the first part (a
        linking -s- allowed) a word of the dictionary or of the records."""
        if len(word) < 7 or not word.isalpha():
            return None
        for i in range(4, len(word) - 2):
            stems = self.analyzer.terms(word[i:])
            if not stems or stems[0] not in self._target_stems():
                continue
            for first in (word[:i], word[:i - 1] if word[i - 1] == "s" else None):
                if first and len(first) >= 4 and (self.analyzer.lexicon.is_common(first) or self._known(fold(first))):
                    return first, word[i:]
        return None

    def _target_stems(self) -> set[str]:
        """Stems of the nouns that name what to list (mål, indikator, uppdrag …)."""
        if not hasattr(self, "_target_stem_set"):
            self._target_stem_set = {t for one, many in NOUNS.values() for w in (one, many)
                                     for t in self.analyzer.terms(w.split()[-1])[:1]}
        return self._target_stem_set

    def _frame_stems(self) -> set[str]:
        if not hasattr(self, "_frame_stem_set"):
            self._frame_stem_set = {t for w in LIST_FRAME for t in self.analyzer.terms(w)[:1]}
        return self._frame_stem_set

    def _known(self, word: str) -> bool:
        stems = self.analyzer.terms(word)
        return word in self._vocabulary or (bool(stems) and stems[0] in self._vocabulary)

    def _covers(self, terms: list[str], text: str, share: float, key: str | None = None) -> bool:
        if not terms:
            return True
        # every record is read against the same few question words: their stems once, not once per record
        if len(self._forms) > 20_000:
            self._forms.clear()
        forms = [self._forms.get(t) or self._forms.setdefault(t, tuple({t, *self.analyzer.terms(t)[:1]}))
                 for t in terms]
        cached = self._have_cache.get(key) if key else None
        if cached is None:
            # whole words and their stems: `sjukfrånvaro` must not match `sjukvård` through the part `sjuk`
            have = {fold(w).lower() for w in WORD.findall(text)}
            have |= {stems[0] for w in WORD.findall(text) if (stems := self.analyzer.terms(w))}
            cached = (have, {w[:5] for w in have if len(w) >= 5})
            if key:
                if len(self._have_cache) >= self.HAVE_CACHE:  # bounded: a corpus's records, not its history
                    self._have_cache.clear()
                self._have_cache[key] = cached
        have, prefixes = cached
        hit = 0
        for t_forms in forms:
            for form in t_forms:
                # `_covered` scans the set for spelling variants; only worth it when one shares the first letters
                if form in have or (len(form) >= 5 and form[:5] in prefixes and _covered(form, have)):
                    hit += 1
                    break
        return hit / len(terms) >= share

    def _goals(self, lq: ListQuery) -> Answer | None:
        level = lq.target
        candidates = [g for g in self.goals if g.level == level or g.level == "strategiområde"] \
            if level == "strategi" and not lq.terms else list(self.by_level.get(level, []))
        if lq.areas:
            wanted_areas = set(lq.areas)
            candidates = [g for g in candidates if set(g.areas) & wanted_areas or self._lineage_areas(g) & wanted_areas]
        if lq.fulfilled is not None:
            candidates = [g for g in candidates if g.fulfilled is lq.fulfilled]
        if lq.number:
            own = [g for g in candidates if g.number == lq.number]  # `uppdrag 7` is the assignment numbered 7
            anchor_ids = {g.id for g in self.goals if g.number == lq.number}
            candidates = own or [g for g in candidates if self._lineage(g) & anchor_ids]
        anchors_note = ""
        anchors: list[GoalNode] = []
        # the organisation's own: "Region Örebro läns vision" names no subset of it
        terms = [] if level in ("vision", "värdegrund", "perspektiv") else lq.terms
        if level == "uppdrag" and terms:
            # `Vilka uppdrag har regionstyrelsen fått?`: the assignments given to it, not every one that names it
            # read per assignee, not per assignment: a few hundred bodies are given tens of thousands of them
            naming = {a for a in {g.assignee for g in candidates if g.assignee}
                      if any(self._covers([t], a, 1.0, f"assignee:{a}") for t in terms)}
            given = [g for g in candidates if g.assignee in naming]
            if given:
                terms = [t for t in terms if not any(self._covers([t], a, 1.0, f"assignee:{a}") for a in naming)]
                candidates = given
        if terms and not lq.number:
            anchors = [g for g in self._sharing_terms(terms) if g.level != level and _rank(g.level) < _rank(level)
                       and self._covers(terms, g.text, 0.6, g.id)]
            anchor_ids = {a.id for a in anchors}
            under = [g for g in candidates if self._lineage(g) & anchor_ids]
            if under:
                candidates = under
                lq.anchored = True
                years = sorted({a.year for a in anchors if a.year})
                if len(years) > 1:
                    anchors_note = f" Det som frågan avser finns i dokumenten för {_years(years)}."
            else:
                sharing = {g.id for g in self._sharing_terms(terms)}
                candidates = [g for g in candidates if g.id in sharing and self._covers(terms, g.text, 0.5, g.id)]
        if not candidates:
            return None
        everything = candidates
        candidates, year_note = self._one_year(candidates, lq.years)
        if candidates is None:
            return None
        shown_years = {c.year for c in candidates}
        other_years = list({g.year: g for g in everything if g.year not in shown_years}.values())
        if anchors_note:
            other_years += list({a.year: a for a in anchors if a.year not in shown_years}.values())
        return self._list(lq, candidates, year_note or anchors_note, other_years)

    def _decisions(self, lq: ListQuery) -> Answer | None:
        kinds = {"beslut": {"beslutspunkt"}, "åtgärd": {"åtgärd"}}.get(lq.target, {lq.target})
        if lq.target == "beslut" and lq.areas and not lq.paragraph:
            # "Vad har beslutats för Område X?": decided measures, assignments and decision points naming X
            items = [d for d in self.decisions if d.kind in ("åtgärd", "beslutspunkt") and set(d.areas) & set(lq.areas)]
            assignments = [g for g in self.by_level.get("uppdrag", []) if set(g.areas) & set(lq.areas)]
            items = [d for d in items if self._covers(lq.terms, d.text, 0.5, f"text:{d.id}")]
            assignments = [g for g in assignments if self._covers(lq.terms, g.text, 0.5, g.id)]
            if not items and not assignments:
                return None
            return self._list(lq, _dedupe(items) + assignments, "")
        items = [d for d in self.decisions if d.kind in kinds]
        if lq.topic:  # about what the question names, in its own words or its item's title
            items = [d for d in items if self._covers(lq.topic[:1], f"{d.text} {d.section}", 1.0, f"titled:{d.id}")]
        for identifier in lq.identifiers:  # `motion nr 31-2025`: that motion, wherever its number stands
            items = [d for d in items if identifier in f"{d.text} {d.section} {d.dnr or ''}"]
        if lq.paragraph:
            items = [d for d in items if d.paragraph == lq.paragraph]
        if lq.areas:
            items = [d for d in items if set(d.areas) & set(lq.areas)]
        if lq.years:  # the meeting's year, or the year its matter is about (`budget 2026` decided in 2025)
            items = [d for d in items if d.year in lq.years or any(str(y) in f"{d.text} {d.section}" for y in lq.years)]
        # a decision is about its paragraph's or agenda item's matter as well as its own words
        items = [d for d in items if self._covers(lq.terms, f"{d.text} {d.by or ''} {d.body or ''} {d.section}", 0.5,
                                                  f"whole:{d.id}")] \
            if lq.terms and not lq.paragraph else items
        if not items:
            return None
        return self._list(lq, _dedupe(items), "")

    def _sharing_terms(self, terms: list[str]) -> list[GoalNode]:
        """Goal nodes that share a term with these words (all of them when there is no index)."""
        if self.goal_index is None:
            return self.goals
        query = [t for w in terms for t in {w, *self.analyzer.terms(w)[:1]}]
        return [self.by_id[gid] for gid, _ in self.goal_index.search(query, 2000) if gid in self.by_id]

    def _lineage(self, g: GoalNode) -> frozenset[str]:
        """The ids of a node's ancestors, memoized: at 100k chunks a list question walks tens of thousands."""
        known = self._lineages.get(g.id)
        if known is None:
            parent = self.by_id.get(g.parent_id) if g.parent_id else None
            known = (self._lineage(parent) | {parent.id}) if parent is not None else frozenset()
            self._lineages[g.id] = known
        return known

    def _lineage_areas(self, g: GoalNode) -> set[str]:
        return {a for pid in self._lineage(g) for a in self.by_id[pid].areas}

    @staticmethod
    def _one_year(items: list, years: list[int]):
        """Items of the year asked for; without a year, the latest year, saying which other years exist."""
        held = sorted({i.year for i in items if i.year})
        if years:
            chosen = [i for i in items if i.year in years]
            return (chosen, "") if chosen else (None, "")
        if len(held) <= 1:
            return items, ""
        latest = held[-1]
        others = [y for y in held if y != latest]
        return [i for i in items if i.year == latest], (
            f" Dokumenten har detta för {_years(held)}; svaret gäller {latest}, det senaste. "
            f"Fråga med årtal för {_years(others)}.")

    def _list(self, lq: ListQuery, items: list, note: str, other_years: list | None = None) -> Answer:
        items = items[:MAX_ITEMS]
        cites: list[Citation] = []
        lines: list[str] = []
        for item in items:
            c = self._cite(cites, item)
            lines.append(f"- {_describe(item)} [{c.n}]")
        for item in other_years or [] if note else []:  # the note names other years: cite where they stand
            c = self._cite(cites, item)
            note += f" [{c.n}]"
        noun = _noun(lq.target, len(items))
        if lq.target == "beslut" and any(getattr(i, "kind", None) == "åtgärd" or isinstance(i, GoalNode) for i in items):
            noun = "beslutade åtgärder och uppdrag"  # what was decided for an area: measures and assignments
        head = f"{_count(len(items), lq.target).capitalize()} {noun}{_scope(lq, items)}:"
        text = head + "\n" + "\n".join(lines)
        if note:
            text += "\n\n" + note.strip()
        return Answer(question=lq.text, answer=text, abstained=False, citations=cites)

    def _cite(self, cites: list[Citation], item) -> Citation:
        quote = item.quote or item.text
        for c in cites:
            if c.source == item.source and c.quote == quote:
                return c
        lines = f"{item.line_start}" if item.line_start == item.line_end else f"{item.line_start}–{item.line_end}"
        c = Citation(n=len(cites) + 1, source=item.source, title=item.title, section=item.section,
                     page=item.page_start, lines=lines, quote=quote)
        cites.append(c)
        return c


LEVEL_ORDER = ["vision", "värdegrund", "perspektiv", "fokusområde", "strategiområde", "fullmäktiges mål",
               "effektmål", "nämndens mål", "strategi", "indikator", "uppdrag"]


def _rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def _dedupe(items: list[Decision]) -> list[Decision]:
    """A proposal printed in the protocol and again in the decision proposal is one proposal."""
    seen: set[tuple] = set()
    out = []
    for d in items:
        key = (d.kind, d.paragraph, d.number, fold(d.text).lower())
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _describe(item) -> str:
    if isinstance(item, GoalNode):
        text = item.text
        if item.level == "uppdrag":
            text = f"Uppdrag: {text}"
        if item.level == "effektmål" and item.number:
            text = f"Effektmål {item.number}. {text}"
        elif item.level == "uppdrag" and item.number:
            text = f"Uppdrag {item.number}. {text}"
        if item.fulfilled is True:
            text += " (✓ uppfyllt)"
        elif item.fulfilled is False:
            text += " (ej markerat som uppfyllt)"
        return text
    text = item.text
    if item.kind == "yrkande" and item.by:
        text = f"{item.by} yrkar: {text}"
    if item.kind == "åtgärd":
        area = f"{item.areas[0]}: " if item.areas else ""
        effects = "; ".join(f"{v}{' från ' + k if k else ''}" for k, v in item.effects.items())
        text = f"{area}{text}" + (f" (effekt {effects})" if effects else "")
        if item.consequence:
            text += f" – konsekvens {item.consequence.split(':', 1)[0]}"
    if item.kind == "propositionsordning" and item.outcome:
        text += f" → {item.outcome}"
    return text


def _scope(lq: ListQuery, items: list) -> str:
    parts = []
    if lq.paragraph:
        parts.append(f"i {lq.paragraph}")
    if lq.areas:
        parts.append("för " + " och ".join(lq.areas))
    years = sorted({i.year for i in items if getattr(i, "year", None)})
    if len(years) == 1 and isinstance(items[0], GoalNode):
        parts.append(f"för {years[0]}")
    return (" " + " ".join(parts)) if parts else ""


NOUNS = {
    "indikator": ("indikator", "indikatorer"), "uppdrag": ("uppdrag", "uppdrag"),
    "effektmål": ("effektmål", "effektmål"), "fokusområde": ("fokusområde", "fokusområden"),
    "perspektiv": ("perspektiv", "perspektiv"), "strategi": ("strategi", "strategier"),
    "vision": ("vision", "visioner"), "värdegrund": ("värdering i värdegrunden", "värderingar i värdegrunden"),
    "fullmäktiges mål": ("av fullmäktiges mål", "av fullmäktiges mål"),
    "nämndens mål": ("mål", "mål"), "yrkande": ("yrkande", "yrkanden"), "expediering": ("mottagare", "mottagare"),
    "förslag": ("förslag till beslut", "förslag till beslut"), "propositionsordning": ("propositionsordning",
                                                                                         "propositionsordningar"),
    "justering": ("justering", "justeringar"), "underlag": ("beslutsunderlag", "beslutsunderlag"),
    "åtgärd": ("åtgärd", "åtgärder"), "beslut": ("beslutspunkt", "beslutspunkter"),
    "reservation": ("reservation", "reservationer"),
}


def _noun(target: str, n: int) -> str:
    one, many = NOUNS.get(target, (target, target))
    return one if n == 1 else many


NEUTER = {"uppdrag", "effektmål", "fokusområde", "perspektiv", "nämndens mål", "yrkande", "förslag", "underlag"}


def _count(n: int, target: str = "") -> str:
    """`ett uppdrag`, `en indikator`, `sju mål`."""
    return in_words(n, "ett" if target in NEUTER else "en")


def _years(years: list[int]) -> str:
    ys = [str(y) for y in years]
    return ys[0] if len(ys) == 1 else ", ".join(ys[:-1]) + " och " + ys[-1]
