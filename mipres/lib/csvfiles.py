"""Reading the CSV files official registries publish: UTF-8 (with or without BOM) or
Latin-1, comma- or semicolon-separated."""

import csv
import io
from pathlib import Path


def read_rows(path: Path | str) -> list[dict[str, str]]:
    """Rows as dicts keyed by lower-cased, trimmed header names; values trimmed."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None:
        return []
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
