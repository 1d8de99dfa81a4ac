"""Numbers as Swedish documents print them, and back again.

Reading is the hard direction. A table row like `Övriga kostnader -1 230 -1284,2 -1 283,7` holds three values,
but a space is both the thousands separator and the column separator, so `2 380` may be one value or two.
`readings` lists every way a row's number tokens can be grouped; the sum checks in `ingest.sums` decide
between them when the default (longest thousands groups) does not add up.
"""
from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal, InvalidOperation

MINUS = "-–−"
ATOM = re.compile(r"^\(?[-–−+]?\d+(?:[,.]\d+)?%?\)?$")
GROUP = re.compile(r"^\d{3}(?:,\d+)?%?\)?$")  # a thousands group: exactly three digits, maybe the decimals
NUMBER_IN_TEXT = re.compile(r"(?<![\w,])[-–−+]?\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?(?![\d,]\d)|(?<![\w,])[-–−+]?\d+(?:,\d+)?(?![\d,]\d)")
MAX_READINGS = 64


def parse_number(text: str) -> Decimal:
    """`-1 283,7` → Decimal('-1283.7'); `(7,53 %)` → 7.53; `+2,4` → 2.4. Raises ValueError if not a number."""
    s = text.strip().strip("()").replace("\u00a0", "").replace(" ", "").rstrip("%*").strip()
    negative = s[:1] in MINUS
    s = s.lstrip(MINUS + "+")
    if not re.fullmatch(r"\d+(?:[,.]\d+)?", s):
        raise ValueError(f"not a number: {text!r}")
    try:
        value = Decimal(s.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(f"not a number: {text!r}") from exc
    return -value if negative else value


def decimals_of(text: str) -> int:
    m = re.search(r"[,.](\d+)", text)
    return len(m.group(1)) if m else 0


def format_number(value: Decimal, decimals: int | None = None) -> str:
    """Swedish style as the documents print it: `2 380`, `23,2`, `-1 283,7` (space thousands, decimal comma)."""
    if decimals is None:
        decimals = max(0, -int(value.as_tuple().exponent))  # as printed: 103,0 stays 103,0
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("-" if value < 0 else "") + text


COUNT_WORDS = ("noll en två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton sexton sjutton arton "
               "nitton tjugo").split()


def in_words(n: int, one: str = "ett") -> str:
    """A count in words (`sju rader`, `ett uppdrag`, `en indikator`: `one` by the noun's gender): a count an answer
    makes is no figure from the documents, and must not read as one that should stand in a quote."""
    if n == 1:
        return one
    return COUNT_WORDS[n] if 0 <= n < len(COUNT_WORDS) else "många"


def format_value(value: Decimal, unit: str | None, decimals: int | None = None) -> str:
    number = format_number(value, decimals)
    if not unit:
        return number
    return f"{number} {unit}"


def is_atom(token: str) -> bool:
    return bool(ATOM.match(token))


def readings(atoms: list[str], max_values: int | None = None) -> list[list[str]]:
    """Every grouping of number tokens into values, the most plausible first.

    `['2', '380', '23945']` → `[['2 380', '23945'], ['2', '380', '23945']]`. A group joins a 1–3 digit token
    with following exactly-three-digit tokens; no value may start with a zero unless it is zero; a `|` token
    (a printed column rule) is a barrier.
    """
    n = len(atoms)
    joinable = [i for i in range(n - 1) if "|" not in (atoms[i], atoms[i + 1]) and _can_join(atoms, i)]
    out: list[list[str]] = []
    for k in range(len(joinable), -1, -1):
        for chosen in itertools.combinations(joinable, k):
            values = _group(atoms, set(chosen))
            if values is None or (max_values is not None and len(values) > max_values):
                continue
            out.append(values)
            if len(out) >= MAX_READINGS:
                break
    if max_values is None:  # no column count to fit: the ordinary reading, longest thousands groups
        return sorted(out, key=lambda values: (_implausibility(values)[0], len(values)))
    # stable: among equals, the count that fills the columns, then more joins
    return sorted(out, key=lambda values: (*_implausibility(values), max_values - len(values)))


def _implausibility(values: list[str]) -> tuple[int, float]:
    """Why one grouping reads better than another: values of a row are of one magnitude (`4 380 3840 3840` is
    4380, 3840, 3840, not 4, 380, …), and a value of millions in a row of hundreds (`964 964 964`) is a join
    too many."""
    nonzero = [abs(float(parse_number(v))) for v in values]
    nonzero = [v for v in nonzero if v]
    multi_group = sum(v.count(" ") >= 2 for v in values)
    if len(nonzero) < 2:
        return multi_group, 0.0
    logs = [math.log10(v) for v in nonzero]  # float: Decimal.log10 was a third of a plan's parse time
    return multi_group, round(max(logs) - min(logs), 1)


def _can_join(atoms: list[str], i: int) -> bool:
    head = atoms[i].lstrip("(" + MINUS + "+")
    return (bool(re.fullmatch(r"[1-9]\d{0,2}", head)) and not atoms[i].endswith("%")
            and bool(GROUP.match(atoms[i + 1])))


def _group(atoms: list[str], joins: set[int]) -> list[str] | None:
    values: list[str] = []
    current = atoms[0]
    for i in range(1, len(atoms)):
        if i - 1 in joins:
            if not re.fullmatch(r"\(?[-–−+]?\d{1,3}( \d{3})*", current):
                return None
            current += " " + atoms[i]
        else:
            values.append(current)
            current = atoms[i]
    values.append(current)
    values = [v for v in values if v != "|"]  # a printed column rule separates values, never joins them
    for v in values:
        digits = v.lstrip("(" + MINUS + "+")
        if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
            return None  # `057` is the tail of a thousands group, never a value of its own
    return values


def alternatives(printed: str, decimal_places: set[int]) -> list[tuple[Decimal, str]]:
    """Other readings OCR damage makes plausible for one printed value, with what was assumed.

    A lost decimal comma (`23945` → 2 394,5) and a lost minus sign. Used only when a table's sums fail.
    """
    value = parse_number(printed)
    out: list[tuple[Decimal, str]] = []
    digits = printed.strip("()").lstrip(MINUS + "+").replace(" ", "").rstrip("%")
    if "," not in digits and "." not in digits and len(digits) >= 2:
        for places in sorted(decimal_places or {1}):
            if 0 < places < len(digits):
                candidate = Decimal(digits[:-places] + "." + digits[-places:])
                out.append((-candidate if value < 0 else candidate, f"decimalkomma saknas i {printed!r}"))
    if value != 0:
        out.append((-value, f"minustecken {'saknas' if value > 0 else 'felaktigt'} i {printed!r}"))
    return out


def find_numbers(text: str) -> list[re.Match]:
    return list(NUMBER_IN_TEXT.finditer(text))
