"""What a question asks for: its terms (diacritics restored, typos mended, English mapped to Swedish),
the years it names, and filters it implies."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from index.analyzer import STOPWORDS, WORD, SwedishAnalyzer
from index.search import Filters
from ingest.lexicon import fold
from ingest.ocr_repair import Repairer, is_stripped

# Words that frame a question but never name its subject.
FRAME_WORDS = frozenset("""
vad vilka vilken vilket vem vilkas när var varför hur mycket många stor stort stora står stod sägs säger nämns
finns fanns gäller innehåller handlar vart who when where why
beskriv beskrivs berätta ange anges enligt dokumentet dokumenten planen protokollet kommer ska skulle
what which who how much many does did do is are was were the a an for in of to on about say says said tell
me there their this that with by from and or be been has have had its it's according document plan
""".split())
# English → Swedish for the vocabulary of plans, budgets and protocols (BM25 needs Swedish terms).
GLOSSARY = {
    "budget": "budget", "budgets": "budget", "forecast": "prognos", "outcome": "utfall", "result": "resultat",
    "savings": "besparing", "saving": "besparing", "cut": "besparing", "cuts": "kostnadsreduceringar",
    "investment": "investering", "investments": "investeringar", "invested": "investeras", "property": "fastigheter",
    "properties": "fastigheter", "real": "", "estate": "fastigheter", "sick": "sjukfrånvaro", "leave": "",
    "absence": "sjukfrånvaro", "turnover": "omsättning", "staff": "personal", "personnel": "personal",
    "employees": "medarbetare", "goal": "mål", "goals": "mål", "target": "mål", "targets": "mål",
    "indicator": "indikator", "indicators": "indikatorer", "assignment": "uppdrag", "assignments": "uppdrag",
    "task": "uppdrag", "tasks": "uppdrag", "strategy": "strategi", "strategies": "strategier",
    "decision": "beslut", "decisions": "beslut", "decided": "beslutade", "committee": "arbetsutskott",
    "board": "nämnd", "vision": "vision", "values": "värdegrund", "action": "åtgärder", "measures": "åtgärder",
    "income": "intäkter", "revenue": "intäkter", "revenues": "intäkter", "costs": "kostnader", "cost": "kostnader",
    "procurement": "upphandling", "purchasing": "inköp", "supply": "försörjning", "medical": "medicinsk",
    "technology": "teknik", "meals": "måltider", "internal": "intern", "control": "kontroll",
    "depreciation": "avskrivningar", "wifi": "wifi", "network": "nät", "networks": "nät", "employer": "arbetsgivare",
    "proposal": "förslag", "motion": "yrkande", "motions": "yrkanden", "chair": "ordförande", "chairman": "ordförande",
    "sustainable": "hållbar", "sustainability": "hållbarhet", "digitalisation": "digitalisering",
    "digitalization": "digitalisering", "security": "säkerhet", "preparedness": "beredskap", "area": "område",
    "areas": "områden", "fte": "årsarbetare", "salary": "lönekostnad", "wage": "lönekostnad",
    "reduce": "minska", "reduction": "minska", "increase": "öka", "it": "it", "equipment": "utrustning",
    "total": "totalsumma", "planned": "", "spent": "", "invest": "investeras", "decide": "beslutade",
    "paragraph": "", "region": "region", "council": "regionfullmäktige", "service": "service",
}
DOC_TYPE_WORDS = {
    "handlingsplan": "handlingsplan", "handlingsplanen": "handlingsplan", "protokoll": "protokoll",
    "protokollet": "protokoll", "verksamhetsplan": "verksamhetsplan", "verksamhetsplanen": "verksamhetsplan",
}
QUANTITY = re.compile(r"\bhur (mycket|stor|stort|stora|manga|hog)\b|\b(belopp|budget\w*|procent|kostar|uppgar|"
                      r"vard\w*|summa\w*|totalsumma\w*|utfall\w*|prognos\w*|resultat\w*|how (much|many|high))\b")
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
ENGLISH_HINTS = frozenset("what which how much many does the is are was for of in decided".split())


@dataclass
class Question:
    text: str
    normalized: str
    terms: list[str]
    content_terms: list[str]  # stems that name the subject (frame words removed)
    years: list[int]
    english: bool
    filters: Filters = field(default_factory=Filters)
    unknown: list[str] = field(default_factory=list)  # content words the corpus never uses
    quantity: bool = False  # asks for an amount (hur mycket, hur stor, how much …)


class QuestionReader:
    def __init__(self, analyzer: SwedishAnalyzer, doc_freq: dict[str, int], surface_vocab: dict[str, int]):
        self.analyzer = analyzer
        self.repairer = Repairer(analyzer.lexicon)
        self.doc_freq = doc_freq
        self.vocab = surface_vocab  # folded corpus word → count, for typo repair
        self._vocab_keys = [w for w in surface_vocab if len(w) >= 5]

    def read(self, text: str) -> Question:
        tokens = WORD.findall(text)
        lowered = [t.lower() for t in tokens]
        english = sum(t in ENGLISH_HINTS for t in lowered) >= 2 and not any(ch in text for ch in "åäöÅÄÖ")
        stripped = is_stripped(text)  # typed without å/ä/ö: read `ar`, `for`, `manga` as är, för, många
        words: list[str] = []
        for tok in lowered:
            if english and tok in GLOSSARY:
                if GLOSSARY[tok]:
                    words.append(GLOSSARY[tok])
                continue
            words.append(self._mend(tok, stripped))
        normalized = " ".join(words)
        terms = self.analyzer.terms(normalized)
        content: list[str] = []
        unknown: list[str] = []
        for word in words:
            if word in FRAME_WORDS or word in STOPWORDS or (english and word in ENGLISH_HINTS):
                continue
            word_terms = self.analyzer.terms(word)
            if not word_terms:
                continue
            content.append(word_terms[0])
            if not word.isdigit() and not any(t in self.doc_freq for t in word_terms):
                unknown.append(word)
        filters = Filters()
        for tok in lowered:
            if tok in DOC_TYPE_WORDS:
                filters.doc_types.add(DOC_TYPE_WORDS[tok])
        quantity = bool(QUANTITY.search(fold(text)))
        return Question(text=text, normalized=normalized, quantity=quantity, terms=terms, content_terms=list(dict.fromkeys(content)),
                        years=[int(y) for y in YEAR.findall(text)], english=english, filters=filters,
                        unknown=unknown)

    def _mend(self, token: str, stripped: bool) -> str:
        """Restore å/ä/ö, then mend a typo when the corpus has exactly one close word (`fastighter`)."""
        word = self.repairer.repair_word(token, stripped=stripped) if token.isalpha() else token
        word = self.analyzer.restore(word)
        if word.isdigit() or len(word) < 5 or fold(word) in self.vocab or self.analyzer.lexicon.is_known(word):
            return word
        match = process.extractOne(fold(word), self._vocab_keys, scorer=fuzz.ratio, score_cutoff=86)
        return match[0] if match else word
