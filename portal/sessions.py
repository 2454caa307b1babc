"""The database session store, telling a database outage apart from a session deleted meanwhile.

Django's ``db`` store turns any ``DatabaseError`` raised while it updates the session row into ``UpdateError``,
because a forced update that matched no row (the person signed out in another tab, or the session expired and was
cleared) is reported as a plain ``DatabaseError``. ``SessionMiddleware`` then answers 400, "The request's session was
deleted before the request completed". A request in flight when the database went away got that message too, which
sent people and operators looking for a sign-out that never happened. Here an ``OperationalError`` (the server
gone, a restart, a failover) is raised as itself, so that the request ends on the portal's 503 page
(``portal.outage``; an ``InterfaceError`` is no ``DatabaseError`` and escapes as itself already); a session truly
deleted meanwhile still raises ``UpdateError`` as in Django
(docs/decisions/0019-a-database-outage-answers-503.md).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError

from portal.outage import is_database_outage


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            # Django raises UpdateError inside its ``except DatabaseError``: the error it replaced is the context.
            cause = error.__context__
            if cause is not None and is_database_outage(cause):
                raise cause from None
            raise

    async def asave(self, must_create: bool = False) -> None:
        try:
            await super().asave(must_create=must_create)
        except UpdateError as error:
            cause = error.__context__
            if cause is not None and is_database_outage(cause):
                raise cause from None
            raise
