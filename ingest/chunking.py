"""Blocks → chunks: packed inside one section, never across; table chunks repeat title and column header.

Written here rather than with llama-index's SentenceSplitter because chunks must keep exact line spans (for
citations) and tables must carry their header into every piece; the splitter gives neither.
"""
from __future__ import annotations

import hashlib
import re

from core.models import Chunk, DocumentMeta

from .readers import RawText
from .structure import Block


def _pieces(block: Block, limit: int) -> list[tuple[int, int]]:
    """Line-index ranges (inclusive) of a block cut to at most `limit` characters each."""
    out: list[tuple[int, int]] = []
    start = block.start
    size = 0
    for offset, line in enumerate(block.lines):
        idx = block.start + offset
        if size and size + len(line) + 1 > limit:
            out.append((start, idx - 1))
            start, size = idx, 0
        size += len(line) + 1
    out.append((start, block.end))
    return out


FOOTNOTE = re.compile(r"^\s*(\*{1,3})\s*[^*\s][^*]{2,300}$")  # `* Exklusive förrådsvaror och …`, not `**Beslut**`
BOLD_SPAN = re.compile(r"\*\*[^*\n]+\*\*")
MARK = re.compile(r"(?<=[\w%)\]])(\*{1,3})(?![\w*])")  # `(+2,4)*`, `+0,26 %*`: glued to what it annotates


def marks_in(text: str) -> set[str]:
    """The footnote marks a text carries (Markdown bold is no mark)."""
    return set(MARK.findall(BOLD_SPAN.sub(" ", text)))


def _footnotes(lines: list[str]) -> dict[str, str]:
    """mark → footnote line among these lines of one section. A `* ` line among other `* ` lines is a Markdown
    bullet, not a note."""
    out: dict[str, str] = {}
    texts = [line.strip() for line in lines]
    for i, line in enumerate(texts):
        m = FOOTNOTE.match(line)
        neighbours = [t for t in (texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts) else "") if t]
        if m and not any(FOOTNOTE.match(t) for t in neighbours):
            out.setdefault(m.group(1), line)
    return out


def _attach_notes(chunks: list[Chunk]) -> list[Chunk]:
    """Each chunk gets the footnotes of its section whose marks it carries, wherever in the section they stand
    (often after a table that ends the chunk the mark is in)."""
    lines = {c.id: c.text.split("\n") for c in chunks}
    by_section: dict[tuple[str, ...], dict[str, str]] = {}
    for c in chunks:
        section = by_section.setdefault(tuple(c.section_path), {})
        for mark, line in _footnotes(lines[c.id]).items():
            section.setdefault(mark, line)
    for c in chunks:
        notes = by_section[tuple(c.section_path)]
        own = marks_in("\n".join(line for line in lines[c.id] if not FOOTNOTE.match(line.strip())))
        found = [notes[m] for m in sorted(own) if m in notes]
        if found:
            c.notes = "\n".join(found)
    return chunks


def make_chunks(meta: DocumentMeta, raw: RawText, text_lines: list[str], blocks: list[Block], limit: int) -> list[Chunk]:
    groups: list[tuple[Block, int, int]] = []  # (representative block, first line, last line)
    pending: list[Block] = []

    def flush_prose() -> None:
        if not pending:
            return
        first, size = pending[0], 0
        start = first.start
        last_end = first.end
        for b in pending:
            b_size = sum(len(l) + 1 for l in b.lines)
            if size and size + b_size > limit:
                groups.append((first, start, last_end))
                start, size = b.start, 0
            if b_size > limit:  # one oversized paragraph: cut it by lines
                for a, z in _pieces(b, limit):
                    groups.append((b, a, z))
                start, size = z + 1, 0
                last_end = b.end
                continue
            size += b_size
            last_end = b.end
        if size:
            groups.append((first, start, last_end))
        pending.clear()

    for block in blocks:
        if block.kind == "table":
            flush_prose()
            for a, z in _pieces(block, limit):
                groups.append((block, a, z))
        else:
            if pending and pending[-1].path != block.path:
                flush_prose()
            pending.append(block)
    flush_prose()

    chunks: list[Chunk] = []
    for n, (block, a, z) in enumerate(groups):
        text = "\n".join(text_lines[a: z + 1]).strip("\n")
        if not text.strip():
            continue
        header = "\n".join(block.header) if block.kind == "table" and block.header else None
        digest = hashlib.sha256(
            "\x1f".join([meta.doc_id, " › ".join(block.path), header or "", text]).encode("utf-8")
        ).hexdigest()
        chunks.append(Chunk(
            id=f"{meta.doc_id}#{len(chunks):04d}",
            doc_id=meta.doc_id,
            source=meta.source,
            title=meta.title,
            part=block.part,
            doc_type=block.doc_type,
            body=meta.body,
            date=meta.date,
            year=meta.year,
            section_path=list(block.path),
            kind="table" if block.kind == "table" else "prose",
            text=text,
            header=header,
            line_start=a + 1,
            line_end=z + 1,
            page_start=raw.page_of(a),
            page_end=raw.page_of(z),
            hash=digest,
        ))
    return _attach_notes(chunks)
