"""``RefuseRowChanges`` (portal/migration_operations.py) on a table of its own, on PostgreSQL and SQLite alike: what it
refuses, only where its condition holds, in its own words, and nothing once reversed. The audit trail and signed
reports that use it are tested in test_audit.py and tests/reports/test_quarterly_signoff.py."""

import re

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ProjectState

from portal.migration_operations import RefuseRowChanges

pytestmark = pytest.mark.django_db

MESSAGE = "portal_probe's row is sealed (100%)"


class _Editor:
    """What the operation asks of a schema editor. Django's own will not open inside the test's transaction on
    SQLite, and the table is the test's, rolled back with it."""

    connection = connection

    def execute(self, sql: str, params: None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _apply(operation: RefuseRowChanges, *, forwards: bool = True) -> None:
    step = operation.database_forwards if forwards else operation.database_backwards
    step("portal", _Editor(), ProjectState(), ProjectState())


@pytest.fixture
def probe():
    """A table of two rows, one open and one sealed."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE portal_probe (id integer PRIMARY KEY, state varchar(10) NOT NULL)")
        cursor.execute("INSERT INTO portal_probe (id, state) VALUES (1, 'open'), (2, 'sealed')")


def _refused(statement: str) -> str | None:
    """The refusal's message, or None if the statement ran."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as error:
        return str(error)
    return None


STATEMENTS = {
    "update open": "UPDATE portal_probe SET state = 'x' WHERE id = 1",
    "update sealed": "UPDATE portal_probe SET state = 'x' WHERE id = 2",
    "delete open": "DELETE FROM portal_probe WHERE id = 1",
    "delete sealed": "DELETE FROM portal_probe WHERE id = 2",
}
SEALED = "OLD.state = 'sealed'"
BOTH = ("UPDATE", "DELETE")
# (refuse, when, statement, which operation is refused or None)
ROWS = [
    (BOTH, None, "update open", "UPDATE"),
    (BOTH, None, "delete open", "DELETE"),
    (("DELETE",), None, "update open", None),
    (("DELETE",), None, "delete open", "DELETE"),
    (("UPDATE",), None, "update sealed", "UPDATE"),
    (("UPDATE",), None, "delete sealed", None),
    (BOTH, SEALED, "update open", None),
    (BOTH, SEALED, "delete open", None),
    (BOTH, SEALED, "update sealed", "UPDATE"),
    (BOTH, SEALED, "delete sealed", "DELETE"),
]


@pytest.mark.parametrize(
    ("refuse", "when", "statement", "refused"),
    [
        pytest.param(*row, id=f"refuse {' and '.join(row[0])}{' where sealed' if row[1] else ''}: {row[2]}")
        for row in ROWS
    ],
)
def test_what_the_triggers_refuse(probe, refuse, when, statement, refused):
    operation = RefuseRowChanges("portal_probe", MESSAGE, refuse=refuse, when=when)
    _apply(operation)
    message = _refused(STATEMENTS[statement])
    if refused is None:
        assert message is None
    else:
        assert message is not None
        assert re.search(re.escape(f"{MESSAGE}: {refused} refused"), message)


def test_reversed_the_triggers_are_gone(probe):
    operation = RefuseRowChanges("portal_probe", MESSAGE)
    _apply(operation)
    assert _refused(STATEMENTS["update sealed"]) is not None
    _apply(operation, forwards=False)
    assert _refused(STATEMENTS["update sealed"]) is None
    assert _refused(STATEMENTS["delete sealed"]) is None


def test_only_the_vendors_named(probe):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    _apply(RefuseRowChanges("portal_probe", MESSAGE, vendors=[other]))
    assert _refused(STATEMENTS["delete sealed"]) is None


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"refuse": ()}, "UPDATE and/or DELETE"),
        ({"refuse": ("INSERT",)}, "UPDATE and/or DELETE"),
        ({"vendors": ("mysql",)}, "vendors"),
        ({"function": "frozen(); DROP TABLE x"}, "plain lower-case SQL name"),
    ],
)
def test_it_refuses_what_it_cannot_make(arguments, says):
    with pytest.raises(ValueError, match=says):
        RefuseRowChanges("portal_probe", MESSAGE, **arguments)
