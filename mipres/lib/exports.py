"""CSV exports that open cleanly in Excel as Colombian users have it configured."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# Excel in es-CO expects ";" (the comma is the decimal separator) and a BOM for UTF-8.
CSV_DELIMITER = ";"


def csv_cell(value) -> str:
    """Neutralise spreadsheet formulas: names and justifications are free text that comes
    from public forms."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """An attachment with a header row and `rows`, every cell neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=CSV_DELIMITER)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
