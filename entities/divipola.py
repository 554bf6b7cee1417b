"""Loading DANE's DIVIPOLA (departments and municipalities).

The same function serves the data migration (with historical models) and the
`load_divipola` command (with the real ones), so both apply the same rules.
"""

import re
from pathlib import Path

from mipres.lib.csvfiles import ImportReport, read_rows

STARTER_FILE = Path(__file__).parent / "data" / "divipola_departamentos.csv"
MUNICIPALITY_CODE = re.compile(r"^\d{5}$")


def starter_rows() -> list[dict[str, str]]:
    """The shipped departments with their capitals, in the full file's column layout."""
    return [
        {
            "code": row["capital_code"],
            "name": row["capital_name"],
            "department_code": row["department_code"],
            "department_name": row["department_name"],
        }
        for row in read_rows(STARTER_FILE)
    ]


def import_municipalities(rows, Department, Municipality) -> ImportReport:
    """Create or update departments and municipalities from rows with the columns
    code, name, department_code, department_name. A municipality whose code does not
    start with its department's code is a department's capital held elsewhere (Bogotá for
    Cundinamarca): only the department is loaded from that row."""
    report = ImportReport()
    departments = {d.code: d for d in Department.objects.all()}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    for line, row in enumerate(rows, start=2):
        code, name = row.get("code", ""), row.get("name", "")
        dept_code, dept_name = (
            row.get("department_code", "") or code[:2],
            row.get("department_name", ""),
        )
        if not MUNICIPALITY_CODE.match(code):
            report.rejected.append((line, f"código «{code}» no tiene 5 dígitos"))
            continue
        if not name:
            report.rejected.append((line, f"código {code} sin nombre"))
            continue
        department = departments.get(dept_code)
        if department is None:
            if not (re.match(r"^\d{2}$", dept_code) and dept_name):
                report.rejected.append((line, f"departamento «{dept_code}» desconocido"))
                continue
            department = Department.objects.create(code=dept_code, name=dept_name)
            departments[dept_code] = department
        elif dept_name and department.name != dept_name:
            department.name = dept_name
            department.save(update_fields=["name"])
        if code[:2] != dept_code:
            report.unchanged += 1
            continue
        existing = municipalities.get(code)
        if existing is None:
            municipalities[code] = Municipality.objects.create(
                code=code, name=name, department=department
            )
            report.created += 1
        elif existing.name != name or existing.department_id != dept_code:
            existing.name, existing.department = name, department
            existing.save(update_fields=["name", "department"])
            report.updated += 1
        else:
            report.unchanged += 1
    return report
