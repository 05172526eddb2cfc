"""Two covering indexes for the directory search at 特別区 scale (issue 24).

- Capabilities by (process, company): "companies with a capability in this process
  subtree" reads the company of every capability row of the subtree; with this index
  PostgreSQL answers from the index alone (an index-only scan) instead of visiting
  ~100,000 table rows on a broad search (30,000 companies, 600,000 capabilities).
- Search grams by (gram, company, weight): the free-text search reads the company and the
  weight of every row of a gram; the unique (gram, company) index found the rows but
  then visited one table page per row.

See bench/README.md for the figures.

Plain SQL, the same on SQLite and PostgreSQL, and outside the model state on purpose: the
models' ``Meta.indexes`` belong to the app's owners; moving it there later is a
``SeparateDatabaseAndState`` with no database change.
"""

from django.db import migrations

INDEXES = {
    "companies_capability_process_company": "companies_capability (process_id, company_id)",
    "companies_searchgram_gram_company_weight": "companies_searchgram (gram, company_id, weight)",
}


class Migration(migrations.Migration):
    dependencies = [("companies", "0016_alter_company_kind")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
