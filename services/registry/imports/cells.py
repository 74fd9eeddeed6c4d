"""Cell parsers for imported rows: text (or JSON scalars) to typed values, with Indonesian spellings accepted.

Each parser raises `CellError(code, **params)`; `messages.py` turns the code into a sentence a clerk reads.
The domain rules themselves (NIP, ranks, enums, patterns) are the registry's own, imported, not copied."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from services.common.dates import EARLIEST, LATEST
from services.registry.clock import today
from services.registry.employees.rules import EDUCATION_LEVELS, EMPLOYMENT_TYPES, PNS_RANKS, PPPK_RANKS


class CellError(ValueError):
    """A cell that cannot be read: a stable code and the facts its message needs."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def squash(value: str) -> str:
    """Lowercase letters and digits only: "Di Atas Ekspektasi" -> "diatasekspektasi", "D-III" -> "diii"."""
    return re.sub(r"[^0-9a-z]", "", value.lower())


def choice(options: Mapping[str, str], shown: tuple[str, ...]) -> Callable[[str], str]:
    """A parser mapping spellings (compared squashed) to codes; `shown` lists the codes in messages."""
    table = {squash(k): v for k, v in options.items()} | {squash(code): code for code in shown}
    seen: dict[str, str] = {}  # spellings met so far (a column repeats a few values many times)

    def parse(value: str) -> str:
        found = seen.get(value)
        if found is not None:
            return found
        found = table.get(squash(value))
        if found is None:
            raise CellError("invalid_choice", value=value[:60], choices=", ".join(shown))
        if len(seen) < 10_000:
            seen[value] = found
        return found

    return parse


def _date_cache(latest: dt.date) -> Callable[[str], dt.date]:
    cache: dict[str, dt.date] = {}
    day_first = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

    def parse(value: str) -> dt.date:
        found = cache.get(value)
        if found is not None:
            return found
        try:
            match = day_first.match(value)
            if match:
                day = dt.date(int(match[3]), int(match[2]), int(match[1]))
            elif len(value) == 10 and value[4] == "-":
                day = dt.date.fromisoformat(value)
            else:
                raise ValueError(value)
        except ValueError:
            raise CellError("invalid_date", value=value[:40]) from None
        if not EARLIEST <= day <= latest:  # as the API: date arithmetic downstream stays within Python's years
            raise CellError("out_of_range", low=EARLIEST.isoformat(), high=latest.isoformat())
        if len(cache) < 100_000:
            cache[value] = day
        return day

    return parse


parse_date = _date_cache(LATEST)
parse_end_date = _date_cache(dt.date.max)  # an end that may be open (9999-12-31), as the API's OpenEnd


def parse_past_date(value: str) -> dt.date:
    """A date that is not after today (Jakarta): a record states what has happened."""
    day = parse_date(value)
    if day > today():
        raise CellError("future_date", value=value)
    return day


def parse_int(value: str, low: int, high: int) -> int:
    """A whole number between `low` and `high` ("4", "4.0" and " 4 " alike)."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise CellError("invalid_number", value=value[:40]) from None
    if number != int(number):
        raise CellError("invalid_number", value=value[:40])
    if not low <= number <= high:
        raise CellError("out_of_range", low=low, high=high)
    return int(number)


def parse_score(value: str) -> float:
    """A score 0 to 100; a decimal comma ("81,5") is read as a decimal point."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise CellError("invalid_number", value=value[:40]) from None
    if not 0 <= number <= 100:
        raise CellError("out_of_range", low=0, high=100)
    return number


_TRUE = {"true", "ya", "y", "yes", "1", "benar"}
_FALSE = {"false", "tidak", "no", "n", "0", "salah", "bukan"}


def parse_bool(value: str) -> bool:
    """Ya/Tidak, true/false, 1/0."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("invalid_choice", value=value[:40], choices="ya, tidak")


# --- Codes of the registry, with the spellings of Indonesian spreadsheets.
parse_employment_type = choice({"p3k": "pppk", "calon pns": "cpns"}, EMPLOYMENT_TYPES)
parse_education = choice(
    {
        "sltp": "smp", "slta": "sma", "smk": "sma", "smu": "sma", "stm": "sma", "ma": "sma", "mts": "smp",
        "di": "d1", "d-i": "d1", "dii": "d2", "diii": "d3", "div": "d4", "d-iv": "d4", "sarjana": "s1",
        "sarjana terapan": "d4", "s-1": "s1", "s-2": "s2", "s-3": "s3", "magister": "s2", "master": "s2",
        "doktor": "s3", "doktoral": "s3", "sekolah dasar": "sd",
    },
    EDUCATION_LEVELS,
)  # fmt: skip
parse_expectation = choice(
    {
        "diatas ekspektasi": "above", "di atas ekspektasi": "above", "diatas": "above",
        "sesuai ekspektasi": "meets", "sesuai": "meets",
        "dibawah ekspektasi": "below", "di bawah ekspektasi": "below", "dibawah": "below",
    },
    ("above", "meets", "below"),
)  # fmt: skip
parse_gender = choice({"l": "male", "laki-laki": "male", "pria": "male", "p": "female", "perempuan": "female",
                       "wanita": "female", "1": "male", "2": "female"}, ("male", "female"))  # fmt: skip
parse_sanction_level = choice(
    {"hukuman disiplin ringan": "ringan", "hukdis ringan": "ringan", "hukuman disiplin sedang": "sedang",
     "hukdis sedang": "sedang", "hukuman disiplin berat": "berat", "hukdis berat": "berat"},
    ("ringan", "sedang", "berat"),
)  # fmt: skip
parse_award_level = choice(
    {"instansi": "agency", "daerah": "regional", "provinsi": "regional", "kabupaten": "regional",
     "kota": "regional", "nasional": "national"},
    ("agency", "regional", "national"),
)  # fmt: skip

_RANKS = {squash(rank): rank for rank in (*PNS_RANKS, *PPPK_RANKS)}
_RANKS_SEEN = {rank: rank for rank in (*PNS_RANKS, *PPPK_RANKS)}


def parse_rank(value: str) -> str:
    """A golongan/ruang as the registry writes it: "III/c" from "III/C", "iii c", "III-c"; PPPK "IX"."""
    found = _RANKS_SEEN.get(value) or _RANKS.get(squash(value))
    if found is None:
        raise CellError("invalid_rank", value=value[:20])
    return found


def parse_pns_rank(value: str) -> str:
    """A PNS golongan/ruang only (a position's minimum rank)."""
    rank = parse_rank(value)
    if rank not in PNS_RANKS:
        raise CellError("invalid_rank", value=value[:20])
    return rank
