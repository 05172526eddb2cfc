"""A transactional test (browser, worker, race) ends with Django's flush, which on
PostgreSQL is one ``TRUNCATE`` of all 180 tables: about 1.6 s, most of it creating and
dropping files for tables that hold a row or two. ``DELETE`` of every table in one
transaction leaves the same empty tables in about 0.15 s (the foreign keys are deferred,
so the order does not matter; the sequences run on, as they do after Django's flush without
``reset_sequences``). The test suite installs it (src/machikoba/conftest.py); the app
never flushes."""

from __future__ import annotations


def install() -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "deletes", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED;",
            *(f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(t)};" for t in tables),
        ]

    sql_flush.deletes = True  # type: ignore[attr-defined]
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
