"""Reading CSV and Excel files into rows of text, and matching their columns to Grove's fields
(with the usual header names of the common MIS exports as presets)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl import load_workbook

from grove.interop.models import ImportKind


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says where and what to do."""


@dataclass(frozen=True)
class Field:
    name: str  # Grove's name, the key of a row dict
    label: str
    required: bool
    help: str = ""


FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.PUPILS: (
        Field("upn", "UPN", True),
        Field("legal_last_name", "Legal surname", True),
        Field("legal_first_name", "Legal forename", True),
        Field("preferred_last_name", "Preferred surname", False),
        Field("preferred_first_name", "Preferred forename", False),
        Field("date_of_birth", "Date of birth", True, "dd/mm/yyyy or yyyy-mm-dd"),
        Field("sex", "Sex", True, "F or M"),
        Field("year_group", "Year group", True, "N1, N2, R or 1 to 14"),
        Field("sen_provision", "SEN provision", False, "N, K or E"),
        Field("sen_primary_need", "SEN primary need", False, "census code, e.g. SLCN"),
        Field("fsm", "Free school meals", False, "Y or N"),
        Field("pupil_premium", "Pupil premium", False, "Y or N"),
        Field("eal", "EAL", False, "Y or N"),
    ),
    ImportKind.GROUPS: (
        Field("group", "Group", True),
        Field("upn", "UPN", True),
        Field("teacher_email", "Teacher's email", False),
        Field("subject", "Subject", False),
    ),
    ImportKind.RESULTS: (
        Field("upn", "UPN", True),
        Field("subject", "Subject", True, "the subject's code or name"),
        Field("point", "Collection point", True, "the point's name"),
        Field("result", "Result", True, "a band code, or a score on a numeric scale"),
        Field("group", "Group", False, "if given, the pupil must be in it"),
    ),
}

# The header names the common MIS exports use, as typically configured. Every school's report
# can be set up differently, so these only pre-fill the matching: it stays editable.
PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "Grove template": {
        ImportKind.PUPILS: {f.name: f.label for f in FIELDS[ImportKind.PUPILS]},
        ImportKind.GROUPS: {f.name: f.label for f in FIELDS[ImportKind.GROUPS]},
        ImportKind.RESULTS: {f.name: f.label for f in FIELDS[ImportKind.RESULTS]},
    },
    "SIMS": {
        ImportKind.PUPILS: {
            "upn": "UPN",
            "legal_last_name": "Legal Surname",
            "legal_first_name": "Legal Forename",
            "preferred_last_name": "Preferred Surname",
            "preferred_first_name": "Preferred Forename",
            "date_of_birth": "DOB",
            "sex": "Gender",
            "year_group": "Year",
            "sen_provision": "SEN Status",
            "sen_primary_need": "Primary Need",
            "fsm": "FSM Eligible",
            "pupil_premium": "Pupil Premium Indicator",
            "eal": "EAL",
        },
        ImportKind.GROUPS: {
            "group": "Reg",
            "upn": "UPN",
            "teacher_email": "Tutor Email",
            "subject": "Subject",
        },
        ImportKind.RESULTS: {
            "upn": "UPN",
            "subject": "Subject",
            "point": "Aspect",
            "result": "Result",
            "group": "Reg",
        },
    },
    "Arbor": {
        ImportKind.PUPILS: {
            "upn": "UPN",
            "legal_last_name": "Last name",
            "legal_first_name": "First name",
            "preferred_last_name": "Preferred last name",
            "preferred_first_name": "Preferred first name",
            "date_of_birth": "Date of birth",
            "sex": "Gender",
            "year_group": "Year group",
            "sen_provision": "SEN status",
            "sen_primary_need": "Primary SEN need",
            "fsm": "FSM",
            "pupil_premium": "Pupil premium",
            "eal": "EAL",
        },
        ImportKind.GROUPS: {
            "group": "Registration form",
            "upn": "UPN",
            "teacher_email": "Tutor email",
            "subject": "Subject",
        },
        ImportKind.RESULTS: {
            "upn": "UPN",
            "subject": "Subject",
            "point": "Assessment",
            "result": "Grade",
            "group": "Registration form",
        },
    },
    "Bromcom": {
        ImportKind.PUPILS: {
            "upn": "UPN",
            "legal_last_name": "Legal Last Name",
            "legal_first_name": "Legal First Name",
            "preferred_last_name": "Preferred Last Name",
            "preferred_first_name": "Preferred First Name",
            "date_of_birth": "Date Of Birth",
            "sex": "Gender",
            "year_group": "NC Year",
            "sen_provision": "SEN Need",
            "sen_primary_need": "SEN Primary Need",
            "fsm": "FSM",
            "pupil_premium": "PP",
            "eal": "EAL",
        },
        ImportKind.GROUPS: {
            "group": "Class",
            "upn": "UPN",
            "teacher_email": "Teacher Email",
            "subject": "Subject",
        },
        ImportKind.RESULTS: {
            "upn": "UPN",
            "subject": "Subject",
            "point": "Assessment",
            "result": "Result",
            "group": "Class",
        },
    },
}


@dataclass
class Table:
    """A file's header row and data rows, each a list of cell texts; row 1 is the header, as
    the spreadsheet shows it."""

    headers: list[str]
    rows: list[list[str]]


def _norm(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not UTF-8 text: byte {error.start + 1} (line {line}) is not valid "
            "UTF-8. In Excel, save it as “CSV UTF-8 (comma delimited)” and upload it again."
        ) from None


def read_csv(content: bytes) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise FileProblem("The file holds binary data, not CSV text: upload a .csv or .xlsx file.")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise FileProblem(f"The CSV file is malformed: {error}.") from None
    return _table(lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_excel(content: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            f"The file is not an Excel workbook Grove can read ({error}). Save it as .xlsx, or "
            "as CSV UTF-8."
        ) from None
    try:
        sheet = book.worksheets[0]
        lines = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(lines)


def _table(lines: list[list[str]]) -> Table:
    # Trailing empty rows (a spreadsheet's formatting) are not data.
    while lines and not any(cell.strip() for cell in lines[-1]):
        lines.pop()
    if not lines:
        raise FileProblem("The file is empty: it needs a header row and at least one row below.")
    headers = [h.strip() for h in lines[0]]
    while headers and not headers[-1]:
        headers.pop()
    seen: set[str] = set()
    for header in headers:
        if header and _norm(header) in seen:
            raise FileProblem(f"Row 1 has two columns called “{header}”: rename one.")
        seen.add(_norm(header))
    width = len(headers)
    rows = [[cell.strip() for cell in (line + [""] * width)[:width]] for line in lines[1:]]
    return Table(headers=headers, rows=rows)


def read_table(filename: str, content: bytes) -> Table:
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return read_excel(content)
    return read_csv(content)


def guess_mapping(kind: str, headers: list[str], saved: Mapping[str, str]) -> dict[str, str]:
    """Field -> header: the school's saved mapping where its headers are in the file, else a
    header matching the field's label or any preset's name for it."""
    by_norm = {_norm(h): h for h in headers if h}
    guess: dict[str, str] = {}
    for field in FIELDS[kind]:
        names = [saved.get(field.name, ""), field.label, field.name]
        names += [preset[kind].get(field.name, "") for preset in PRESETS.values()]
        for name in names:
            if name and _norm(name) in by_norm:
                guess[field.name] = by_norm[_norm(name)]
                break
    return guess


def mapping_problems(kind: str, headers: list[str], mapping: Mapping[str, str]) -> list[str]:
    problems = []
    for field in FIELDS[kind]:
        header = mapping.get(field.name, "")
        if field.required and not header:
            problems.append(f"Choose the column that holds {field.label}.")
        elif header and header not in headers:
            problems.append(f"The file has no column “{header}” for {field.label}.")
    used = [h for h in mapping.values() if h]
    for header in sorted({h for h in used if used.count(h) > 1}):
        problems.append(f"The column “{header}” is chosen for two fields.")
    return problems


def rows_as_dicts(table: Table, mapping: Mapping[str, str]) -> list[dict[str, str]]:
    """Each data row as Grove field -> text, through the mapping."""
    index = {field: table.headers.index(header) for field, header in mapping.items() if header}
    return [{field: row[i] for field, i in index.items()} for row in table.rows]
