"""Every write on people (STYLE R4)."""

from django.db import transaction

from entities import audit

from .models import User

PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "first_surname",
    "second_surname",
    "birth_date",
    "email",
    "phone",
)


@transaction.atomic
def person_register(
    *,
    actor,
    document_type: str,
    document_number: str,
    password: str | None = None,
    password_hash: str | None = None,
    **fields,
) -> User:
    """Register a person (PASO 1). Without `password` the person has no usable password
    until they set one through an emailed link (PASO 2). `password_hash` takes an already
    hashed password instead (bulk loads: hashing is deliberately slow).

    Raises ValidationError (duplicate document, bad fields) with per-field messages.
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    user = User(document_type=document_type, document_number=document_number.strip(), **fields)
    user.full_clean(exclude=["password", "username"])
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    audit.log(
        actor=actor,
        action="accounts.user.registered",
        target=user,
        data={"username": user.username, "with_password": user.has_usable_password()},
    )
    return user
