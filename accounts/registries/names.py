"""Whether the name a person registered is the one RETHUS has for their document.

Compared without accents or case, word by word: the given names (first and second) and the
surnames (first and second) each match when one side's words begin the other's, so a
missing second name or second surname, or both given names typed in the first field, still
match; «Ana» never matches «María».
"""

from dataclasses import dataclass

from mipres.lib.search import fold


def _words(*parts: str) -> list[str]:
    return fold(" ".join(part or "" for part in parts).replace("-", " ")).split()


def _same_start(mine: list[str], theirs: list[str]) -> bool:
    shorter = min(len(mine), len(theirs))
    return shorter > 0 and mine[:shorter] == theirs[:shorter]


def names_match(person, record) -> bool:
    """`person` and `record` have first_name, middle_name, first_surname, second_surname."""
    return _same_start(
        _words(person.first_name, person.middle_name), _words(record.first_name, record.middle_name)
    ) and _same_start(
        _words(person.first_surname, person.second_surname),
        _words(record.first_surname, record.second_surname),
    )


def full_name(record) -> str:
    parts = (record.first_name, record.middle_name, record.first_surname, record.second_surname)
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class NameCheck:
    """RETHUS's name for a document (empty when the document is not in RETHUS) and whether
    the registered name is that one."""

    rethus_name: str = ""
    matches: bool = True


def check_name(person, records) -> NameCheck:
    """Compare `person` with a document's RETHUS `records` (one per profession)."""
    records = list(records)
    if not records:
        return NameCheck()
    if any(names_match(person, record) for record in records):
        return NameCheck(rethus_name=full_name(records[0]), matches=True)
    return NameCheck(rethus_name=full_name(records[0]), matches=False)
