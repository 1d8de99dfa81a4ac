"""Who holds which post, as documents print it.

A protocol lists its members with their posts (`Anders Wik (S), ordförande`, `Maria Sjöberg (M), vice
ordförande`), a paragraph names the chair before the name (`Ordförande Helene Andersson (C) yrkar …`), and a
signature puts the title under the name (`Krister Björkegren` / `Regiondirektör`). A question about a post
(`Vem är ordförande i servicenämnden?`) is answered by a unit that names a holder of that post, not by one that
only names the post (`jämte ordföranden`, `till regionstyrelsens ordförande`) nor by the holder of another
(`vice ordförande`): a wrong name is worse than none.

Hand-written patterns: no library reads Swedish titles beside names, and the layouts are few and regular.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.lexicon import FOLD, fold

from .vocabulary import Vocabulary

# A person's name as printed: two or three capitalised words (double names with a hyphen); the surname may be
# a common word (`Elin Strand`, `Jan Ek`), which only the post beside it tells apart from a place
_PART = r"[A-Z][a-zë]+(?:-[A-Z][a-zë]+)?"  # matched on text with å/ä/ö as a/o
_NAME = rf"{_PART}(?: {_PART}){{1,2}}"
_INFLECTIONS = r"(?:ens|ns|en|n|s|erna|er)?"
# `fold`'s letters, capitals kept: one letter for one, so positions in the text stay
_PLAIN = FOLD | {ord(chr(k).upper()): v.upper() for k, v in FOLD.items()}


@dataclass(frozen=True)
class Post:
    """A post asked about or printed: its title folded and uninflected (`forvaltningschef`), and what a word
    before it makes of it: `vice` (another post), `tf` (held for now), `ordinarie` (asked: not the acting one)."""
    title: str
    modifier: str = ""
    bodies: tuple[str, ...] = field(default=())  # the bodies a question names with it (`servicenämnden`)

    def held_by(self, printed: "Post") -> bool:
        """Whether a holder printed with `printed` holds this post: the same title, or one of its kinds; a vice chair is not the
        chair, and the acting holder answers for the post unless the question asks for the post's own."""
        if not printed.title.endswith(self.title):  # a `nämndsekreterare` is a `sekreterare`
            return False
        if self.modifier in ("vice", "tf"):
            return printed.modifier == self.modifier
        if self.modifier == "ordinarie":
            return printed.modifier == ""
        return printed.modifier in ("", "tf")


class Posts:
    """Reads posts from words and holders from text, by the vocabulary's titles and modifiers."""

    def __init__(self, words: Vocabulary):
        self.modifiers = {fold(k).lower().replace(".", ""): v for k, v in words.cues.role_modifiers.items()}
        titles = "|".join(map(re.escape, sorted(words.cues.roles, key=len, reverse=True)))
        self._title = re.compile(rf"(\w*?)({titles}){_INFLECTIONS}") if titles else None
        modifier = "|".join(sorted((re.escape(m) for m in self.modifiers), key=len, reverse=True))
        mod = rf"(?:(?i:(?P<mod>{modifier}))\.?\s+)?" if modifier else ""
        post = rf"(?i:(?P<post>\w*?(?:{titles}){_INFLECTIONS}))\b"
        party = r"(?: \([A-Z]{1,3}\))?"
        self._holders = [] if not titles else [
            # `Anders Wik (S), ordförande`, `Krister Björkegren` over `Regiondirektör` (a list's bullet between)
            re.compile(rf"(?P<name>{_NAME}){party}\s*(?:,[ \t]*|[ \t]*\n\s*(?:[-•*][ \t]*)?){mod}{post}"),
            # `Ordförande Helene Andersson (C)`, `Handläggare: Elin Strand`: on one line
            re.compile(rf"(?<![\w-]){mod}{post}:?[ \t]+(?P<name>{_NAME})"),
        ]

    def title(self, word: str) -> str | None:
        """The uninflected title a word names (`Ordföranden` → `ordforande`), or None."""
        parts = self.parts(word)
        return "".join(parts) if parts else None

    def parts(self, word: str) -> tuple[str, str] | None:
        """A title's kind and its post (`forvaltnings`, `chef`; `""`, `ordforande`), or None for no title."""
        m = self._title.fullmatch(fold(word).lower()) if self._title is not None else None
        return (m.group(1), m.group(2)) if m else None

    def modifier(self, word: str) -> str:
        return self.modifiers.get(fold(word).lower().replace(".", ""), "")

    def holders(self, text: str) -> list[tuple[str, Post]]:
        """Every name printed beside a post in this text, with the post. Matched on the text with å/ä/ö
        written as a/o (the titles are listed so) and capitals kept (names are told by them)."""
        plain = text.translate(_PLAIN)
        out: list[tuple[str, Post]] = []
        for pattern in self._holders:
            for m in pattern.finditer(plain):
                title = self.title(m.group("post"))
                if title is not None:
                    mod = m.groupdict().get("mod")
                    out.append((text[m.start("name"):m.end("name")], Post(title, self.modifier(mod) if mod else "")))
        return out

    def names_holder(self, post: Post, text: str) -> bool:
        return any(post.held_by(printed) for _, printed in self.holders(text))
