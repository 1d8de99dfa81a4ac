"""The project's vocabulary, defined once: documents, chunks, citations and answers."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocType = str  # verksamhetsplan, handlingsplan, protokoll, bilaga, beslutsförslag, dokument, …


class DocumentMeta(BaseModel):
    """What the catalog (or detection) says about one source file."""

    doc_id: str
    source: str = Field(description="Path relative to the repository, e.g. corpus/x.txt.")
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


class Citation(BaseModel):
    n: int
    source: str
    title: str
    section: str
    page: int | None = None
    lines: str | None = None
    quote: str


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = []
