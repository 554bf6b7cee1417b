"""Model instances from hand-written SQL, for the few queries every request makes.

Every logged-in page reads its session, its user and the user's memberships before it does
any work of its own. Through the ORM those reads cost about 0.9 ms of CPU each, most of it
compiling the same SQL again; written once and executed with a cursor they cost about
0.2 ms. `Columns` writes a model's column list for such a query and turns the matching slice
of a row back into an instance, exactly as the ORM would (`Model.from_db`, with each field's
`from_db_value` applied), so a model's new field needs no change here.
"""

from django.db import connection


class Columns:
    """The concrete columns of `model` under the SQL alias `alias`."""

    def __init__(self, model, alias: str):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in fields)
        self.width = len(fields)
        self.pk_index = self.names.index(model._meta.pk.attname)
        self.converters = [
            (index, field.from_db_value)
            for index, field in enumerate(fields)
            if hasattr(field, "from_db_value")
        ]

    def instance(self, row, start: int = 0):
        """The instance in `row[start:start + width]`, or None when its primary key is
        NULL (the unmatched side of a LEFT JOIN)."""
        values = list(row[start : start + self.width])
        if values[self.pk_index] is None:
            return None
        for index, convert in self.converters:
            values[index] = convert(values[index], None, connection)
        return self.model.from_db(connection.alias, self.names, values)
