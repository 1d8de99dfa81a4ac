"""The project's vocabulary, defined once: documents, chunks, citations and answers."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

DocType = str  # verksamhetsplan, handlingsplan, protokoll, bilaga, beslutsförslag, dokument, …


class DocumentMeta(BaseModel):
    """What the catalog (or detection) says about one source file."""

    doc_id: str
    source: str = Field(description="Path relative to the corpus dir, e.g. x.txt or sub/x.txt; "
                        "the absolute path for a file ingested from outside it.")
    title: str
    short_title: str
    doc_type: DocType = "dokument"
    body: str | None = None
    date: str | None = None
    year: int | None = None
    dnr: str | None = None


class Chunk(BaseModel):
    """A retrievable piece of one section of one document, with everything a citation needs."""

    id: str
    doc_id: str
    source: str
    title: str
    part: str = Field(description="Logical sub-document, e.g. 'Handlingsplan – Åtgärder för en ekonomi i balans'.")
    doc_type: DocType
    body: str | None = None
    date: str | None = None
    year: int | None = None
    section_path: list[str]
    kind: Literal["prose", "table"] = "prose"
    text: str = Field(description="Repaired text as it stands in the document (same offsets as the source).")
    header: str | None = Field(None, description="A table chunk's title/column header lines, repeated verbatim.")
    notes: str | None = Field(None, description="The footnotes (`* Exklusive förrådsvaror …`) of its section whose "
                              "marks stand in its text, verbatim: a marked figure means nothing without its note.")
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    hash: str

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)

    def embedding_text(self) -> str:
        """Section path and table header give a row's numbers their meaning; the embedder should see them."""
        parts = [self.section]
        if self.header:
            parts.append(self.header)
        parts.append(self.text)
        return "\n".join(parts)


UnitKind = Literal["sentence", "item", "lead", "row", "paragraph"]


class Unit(BaseModel):
    """What the reader weighs as an answer: one sentence, list item or table row of a chunk, or a lead-in line
    (`… följande fastigheter bedömdes lämpliga att sälja:`) together with the items under it."""

    kind: UnitKind
    text: str = Field(description="The unit as shown in an answer, markup removed.")
    quote: str = Field(description="What its citation shows: a row under its table's column header, a lead-in "
                       "with its items, otherwise the text.")
    line_start: int
    line_end: int
    key: str = Field(description="Content hash of what is embedded for it (section leaf and quote).")


class Citation(BaseModel):
    n: int
    source: str
    title: str
    section: str
    page: int | None = None
    lines: str | None = None
    quote: str
    derived: list[str] = Field(default_factory=list, description="Figures the answer derives from the quote: a "
                               "value the table's sums repaired, or a computed difference.")


AnswerMode = Literal["extractive", "llm", "llm-fallback"]


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = []
    route: str | None = Field(None, description="Which answerer's candidate was chosen: figure, list or prose; "
                              "None when the assistant abstained without one.")
    score: float | None = Field(None, description="The chosen candidate's calibrated probability of being right.")
    mode: AnswerMode = Field("extractive", description="Who wrote the text: `extractive` (the reader's quotes), "
                             "`llm` (a language model, from numbered evidence, checked in code) or `llm-fallback` "
                             "(the model failed, was too slow or its text failed the checks: the extractive "
                             "answer, with a notice).")
    # why an `llm-fallback` happened (`error`, `timeout`, `rejected: …`): for `assistant eval --llm` and the log,
    # not part of the answer's JSON
    _fallback: str | None = PrivateAttr(None)


FigureStatus = Literal["verified", "repaired", "unverified"]


class Figure(BaseModel):
    """One number from a document, with every label that gives it meaning and the line it stands on.

    `value` is what the figure means (after a repair the sums proved); `printed` is what the document shows.
    """

    id: str
    doc_id: str
    source: str
    title: str = Field(description="The document's short title.")
    doc_type: DocType
    table: str = Field(description="The table's title, or the section of a figure in running text.")
    section: str
    row: str = Field(description="Row label, or what a figure in running text measures.")
    column: str | None = Field(None, description="Column label as the table prints it, e.g. 'Prognos 2023'.")
    area: str | None = Field(None, description="Normalized area ('Område IT') when the row or table names one.")
    year: int | None = None
    basis: str | None = Field(None, description="budget | prognos | utfall | plan, when the document says.")
    kind: str = Field(description="budget, prognos, utfall, investering, besparing, nyckeltal, årsarbetare, belopp")
    value: Decimal
    printed: str
    unit: str | None = Field(None, description="mnkr, tkr, kr, %, årsarbetare, mil, … as the document gives it")
    unit_printed: str | None = Field(None, description="The unit as a sentence spells it (`mkr`, `miljoner kronor`), "
                                     "where that differs from `unit`: an answer says the figure as its quote does.")
    previous: Decimal | None = Field(None, description="Previous period's value printed beside it: `6,94 % (7,53 %)`.")
    status: FigureStatus = "unverified"
    note: str | None = Field(None, description="How the sums verified or repaired the value.")
    line_text: str = Field(description="The verbatim source line (repaired OCR text).")
    header: str | None = Field(None, description="The table's column header lines, verbatim.")
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    in_table: bool = True
    context: str | None = Field(None, description="For a figure in running text: its sentence, and the line it "
                                "hangs under (`Förvaltningens ekonomi är fortsatt i balans` above `Omsättning: …`).")
    when: str | None = Field(None, description="A time expression printed with it: `i juni`, `från 2025`, `fg år`.")

    @property
    def shown_unit(self) -> str | None:
        """The unit as an answer says it: as the figure's own line spells it."""
        return self.unit_printed or self.unit

    @property
    def period(self) -> str:
        if self.basis and self.year:
            return f"{self.basis.capitalize()} {self.year}"
        return str(self.year) if self.year else (self.column or "")


class TableCheck(BaseModel):
    """What the sum checks found in one table: the per-table report the ingest prints."""

    doc_id: str
    source: str
    table: str
    line_start: int
    figures: int
    verified: int
    repaired: int
    unverified: int
    notes: list[str] = []


GoalLevel = Literal["vision", "värdegrund", "perspektiv", "fokusområde", "strategiområde", "strategi", "effektmål",
                    "fullmäktiges mål", "nämndens mål", "indikator", "uppdrag"]


class GoalNode(BaseModel):
    """One node of the goal structure: vision → perspektiv/fokusområde → mål → indikator/uppdrag."""

    id: str
    doc_id: str
    source: str
    title: str = Field(description="The document's short title.")
    year: int | None = Field(None, description="The year the goal applies to (a plan's year, a table's `mål för 2026`).")
    level: GoalLevel
    text: str
    number: str | None = Field(None, description="`9` for Effektmål 9.")
    parent_id: str | None = None
    assignee: str | None = Field(None, description="Who an uppdrag is given to, as printed: `Område IT`.")
    areas: list[str] = Field(default_factory=list, description="Normalized area names the node concerns.")
    fulfilled: bool | None = Field(None, description="Reported fulfilment (✓) where the document reports it.")
    quote: str | None = Field(None, description="What a citation shows: the source line(s), under a table's header.")
    section: str
    line_start: int
    line_end: int
    page_start: int | None = None


DecisionKind = Literal["beslutspunkt", "förslag", "yrkande", "reservation", "propositionsordning", "expediering",
                       "justering", "underlag", "åtgärd"]


class Decision(BaseModel):
    """A decision point, proposal, motion, dispatch or justification of a protocol paragraph, or a measure an
    action plan decides for an area."""

    id: str
    doc_id: str
    source: str
    title: str
    kind: DecisionKind
    paragraph: str | None = Field(None, description="`§ 58`")
    body: str | None = Field(None, description="The deciding body, e.g. Regionstyrelsens arbetsutskott.")
    date: str | None = None
    dnr: str | None = None
    year: int | None = None
    number: int | None = Field(None, description="The point's number in its list.")
    text: str
    by: str | None = Field(None, description="Who made a motion (yrkande).")
    outcome: str | None = None
    areas: list[str] = Field(default_factory=list)
    effects: dict[str, str] = Field(default_factory=dict, description="Effect per year as printed: {'2024': '15,2 mkr'}.")
    consequence: str | None = Field(None, description="Assessed consequence: lindrig, kännbar, … with its sentence.")
    quote: str | None = Field(None, description="The source sentence or line, verbatim.")
    part: str
    section: str
    line_start: int
    line_end: int
    page_start: int | None = None


Rating = Literal[1, -1]


class Feedback(BaseModel):
    """A user's 👍/👎 on one chat answer, kept with what was asked and shown so that it can be judged later
    without the session: the question, the answer text, its citations and which answerer produced it."""

    id: int | None = None
    created: str = Field(description="When it was given, ISO 8601 in UTC.")
    rating: Rating = Field(description="1 = bra svar (👍), -1 = dåligt svar (👎).")
    comment: str | None = None
    question: str
    answer: str
    citations: list[Citation] = []
    mode: str = Field(description="The answer's route (figure, list, prose) or `abstained`.")
    user: str | None = Field(None, description="The logged-in user, when the server requires a login.")
