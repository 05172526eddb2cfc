"""The covering indexes the directory search relies on at 特別区 scale (issue 24).

They are created by plain SQL in migration 0017 (outside the model state), so nothing but
this test notices when one goes missing.
"""

import pytest
from django.db import connection


def _index_columns(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in constraints.items() if info["index"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "name", "columns"),
    [
        (
            "companies_capability",
            "companies_capability_process_company",
            ["process_id", "company_id"],
        ),
        (
            "companies_searchgram",
            "companies_searchgram_gram_company_weight",
            ["gram", "company_id", "weight"],
        ),
    ],
)
def test_the_directory_covering_indexes_exist(table, name, columns):
    assert _index_columns(table).get(name) == columns
