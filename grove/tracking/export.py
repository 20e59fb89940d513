"""Excel downloads of the tables any tracking view shows."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    title: str, header: Sequence[str], rows: Sequence[Sequence[object]], notes: Sequence[str] = ()
) -> HttpResponse:
    """A one-sheet workbook: the title, notes (what the figures mean), then the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31].strip() or "Grove"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in notes:
        sheet.append([note])
    sheet.append([])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for index, column in enumerate(sheet.iter_cols(min_row=len(notes) + 3), start=1):
        width = max((len(str(c.value or "")) for c in column), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.xlsx"'
    return response


def _cell(value: object) -> object:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)
