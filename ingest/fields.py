"""The fields of a form: `Plats Regionhuset …`, `Tid 08.30–16.00`, `Utses att justera Maria Sjöberg (M)`.

Meeting pages, protocols, agendas and officers' reports open with a form, and a form comes out of its file in
three shapes (../shared/formats.md): a label and its value on one line (already a unit: a form line); a label on
a line of its own with its value on the next (`Plats` / `Regionhuset, …`: a meeting page read as text, a PDF's
two columns); or several fields printed side by side on one line (`Datum 2026-03-18 Tid 09:00–12:30 Plats …`: a
page's label and value spans; `Datum då anslaget sätts upp 2025-11-20 Datum då anslaget tas ned 2025-12-12`).
Each field is a unit of its own here, so that `var hålls mötet` is answered with the place, not with the header
it stands in.

The labels are a closed list, as the forms use them (written out, like the words that refer back in units.py:
a label is told from a heading by what it is, not by its shape: `Sammanfattning` over a paragraph is a heading).
"""
from __future__ import annotations

import re

# Longest first, so that `Plats och tid` is one label and not `Plats` with `och tid` for its value.
FIELD_LABELS = sorted([
    "Datum", "Tid", "Tidpunkt", "Plats", "Plats och tid", "Organ", "Sammanträdesdatum", "Sammanträdestid",
    "Diarienummer", "Dnr", "Ärendenummer", "Beteckning", "Handläggare", "Beslutande", "Ordförande",
    "Vice ordförande", "Sekreterare", "Justerare", "Justerande", "Utses att justera", "Justeringens plats och tid",
    "Paragrafer", "Underskrifter", "Övriga närvarande", "Övriga deltagande", "Ersättare", "Närvarande",
    "Förvaringsplats för protokollet", "Datum då anslaget sätts upp", "Datum då anslaget tas ned",
    "Anslaget sätts upp", "Anslaget tas ned", "Kontaktperson", "Mottagare",
], key=len, reverse=True)
_LABEL = "|".join(re.escape(label) for label in FIELD_LABELS)
# A label where a field starts: at the line's start or after a space, and followed by a space or the line's end.
FIELD_START = re.compile(rf"(?:(?<=\s)|^)(?:{_LABEL})(?=\s|$)")
_LEADER = r"\s*[._…]{3,}"  # `Ordförande ..........`: a form's line for a signature
DOT_LEADER = re.compile(_LEADER + "$")
LABEL_ALONE = re.compile(rf"^(?:{_LABEL})(?:{_LEADER})?$")  # a label with a dot leader waits for its value too
# A sentence's end (a dot leader's last dot is not one): a line that has one is prose, whatever its first word.
SENTENCE = re.compile(r"(?<=[^\W\d_])[.!?](?:\s+[A-ZÅÄÖ]|$)|(?<=\d)[.!?]$")
HAS_VALUE = re.compile(r"[0-9A-Za-zÅÄÖåäöÉé§]")
MAX_VALUE = 80


def is_label_line(text: str) -> bool:
    """A line that is a field's label and nothing more: incomplete alone, its value is the next line."""
    return bool(LABEL_ALONE.match(text))


def side_by_side(text: str) -> list[str]:
    """The fields of a line that prints two or more side by side, each as it is written there (a verbatim
    slice of the line); none for a line with fewer, which is one unit as it stands."""
    starts = [m.start() for m in FIELD_START.finditer(text)]
    if len(starts) < 2 or starts[0] != 0 or SENTENCE.search(text):  # `Tid och plats … bestäms senare. Plats …`
        return []
    out = []
    for a, z in zip(starts, starts[1:] + [len(text)]):
        field = text[a:z].strip()
        label = FIELD_START.match(field)
        if label is not None and HAS_VALUE.search(field[label.end():]):  # `Sekreterare ......` holds no value
            out.append(field)
    return out


def label_and_value(label: str, value: str) -> bool:
    """`Plats` over `Regionhuset, Eklundavägen 1, Örebro, sal Ekeby`: the next line is the label's value when it
    is short, says something, and is neither a label nor a heading nor a lead-in itself."""
    return is_label_line(label) and 0 < len(value) <= MAX_VALUE and bool(HAS_VALUE.search(value)) \
        and not is_label_line(value) and not value.startswith("#") and not value.endswith(":")
