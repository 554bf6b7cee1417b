"""Reading the CSV files official registries publish: UTF-8 (with or without BOM) or
Latin-1, comma- or semicolon-separated."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportReport:
    """What an import did, for the command's output and its audit entry."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    disabled: int = 0  # rows absent from a file that replaces its source (catalogs)


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
