"""Database-specific search indexes.

SQLite: an FTS5 table of bigram tokens (see articles.textnorm.gram_text), rowid = SearchEntry.id,
with a one-character prefix index for single-character queries.
PostgreSQL: pg_trgm GIN indexes on the normalised text (queries of three or more characters) and
GIN indexes on the arrays of one- and two-character pieces (shorter queries).
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_search_fts USING fts5("
    "title, summary, body, tokenize='unicode61 remove_diacritics 0', prefix='1')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS articles_search_fts"]

COLUMNS = ("title", "summary", "body")
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS articles_search_trgm_{c} ON articles_searchentry "
        f"USING gin (norm_{c} gin_trgm_ops)"
        for c in COLUMNS
    ),
    *(
        f"CREATE INDEX IF NOT EXISTS articles_search_grams_{c} ON articles_searchentry "
        f"USING gin (string_to_array(grams_{c}, ' '))"
        for c in COLUMNS
    ),
]
POSTGRES_DOWN = [
    *(f"DROP INDEX IF EXISTS articles_search_trgm_{c}" for c in COLUMNS),
    *(f"DROP INDEX IF EXISTS articles_search_grams_{c}" for c in COLUMNS),
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_search")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
