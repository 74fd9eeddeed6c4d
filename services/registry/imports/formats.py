"""The import formats as text for the OpenAPI description, made from the column tables (so they cannot drift)."""

from __future__ import annotations

from services.registry.imports.columns import COLUMNS, KINDS

KEYS = {
    "employees": "`nip` (unique nationally; a NIP of another agency is refused: ask for a transfer)",
    "units": "the agency and `code`",
    "positions": "the agency, the unit and the name (case and spaces ignored)",
    "performance-ratings": "`nip` + `year` (a changed rating supersedes the current one, which is kept)",
    "competency-assessments": "`nip` + `assessed_on`",
    "potential-assessments": "`nip` + `assessed_on`",
    "disciplinary-actions": "`nip` + `level` + `starts_on`",
    "awards": "`nip` + `awarded_on` + `name`",
}
VALUES = {
    "employees": '`employment_type` pns/pppk/cpns; `rank` "III/c" (PPPK "IX"); `education_level` sd ... s3 or '
    "SLTA, D-III, S-1 ...; `unit_id` a unit id, code or name; `position_id` a position id or name (within the "
    "row's unit when given); new employees need `name` and `employment_type`",
    "units": "`parent`: the code (or id) of a unit of the agency or of the same file",
    "positions": '`position_type` jpt_pratama ... fungsional (or "JPT Pratama", "Jabatan Fungsional"); '
    "`functional_level` for fungsional; `is_key` ya/tidak; `std_<competency>` 1-5 replace the standard",
    "performance-ratings": '`work_result`, `work_behavior`: above/meets/below or "Diatas Ekspektasi", '
    '"Sesuai Ekspektasi", "Dibawah Ekspektasi"; an optional `predikat` must agree',
    "competency-assessments": "one column per competency (`integritas` ... `perekat_bangsa`), levels 1-5",
    "potential-assessments": "`score` 0-100 (decimal comma accepted), or the 8 aspect columns, or both agreeing",
    "disciplinary-actions": "`level` ringan/sedang/berat",
    "awards": "`level` agency/regional/national (instansi/daerah/nasional)",
}


def formats_markdown() -> str:
    """Markdown describing every kind's columns, natural key and values."""
    parts = [
        "**Files**: CSV (UTF-8, with or without BOM; `,` `;` or tab separated; header row first) or NDJSON (one "
        "JSON object per line; the API's nested `levels`, `aspects` and `competency_standard` objects are "
        "accepted). Headers match case-, space- and punctuation-insensitively. Dates `YYYY-MM-DD` or "
        "`DD-MM-YYYY`. An empty cell means *not given*: the current value is kept. Re-importing a file changes "
        "nothing. `mode=atomic` (default) writes nothing if any row is bad; `partial` writes the good rows. "
        "Example files: `docs/imports/` in the repository; the full guide: `docs/IMPORTS.md`.",
    ]
    for kind in KINDS:
        columns = []
        for column in COLUMNS[kind]:
            aliases = ", ".join(column.aliases[:4])
            mark = " **(required)**" if column.required else ""
            columns.append(f"`{column.name}`{mark}" + (f" ({aliases})" if aliases else ""))
        parts.append(f"**`{kind}`**: key {KEYS[kind]}. {VALUES[kind]}.\n\nColumns: " + "; ".join(columns) + ".")
    return "\n\n".join(parts)
