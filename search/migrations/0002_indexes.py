"""Database-specific search indexes, and what the PostgreSQL planner is told about them.

SQLite: an FTS5 table of bigram tokens (see `search.normalise.gram_text`), rowid =
SearchEntry.id, with a one-character prefix index for single-character queries.

PostgreSQL:
- pg_trgm GIN indexes on the normalised text (queries of three or more characters);
- the one- and two-character pieces of every word kept in real text[] columns generated from
  grams_* and GIN-indexed (shorter queries), so a sequential scan never has to split text on
  every row and the planner has real statistics;
- no planner statistics for the long columns: to estimate `norm_body LIKE '%…%'` the planner
  matches the pattern against every sampled value, which took 5–7 ms of planning per search at
  100k documents, more than running the query. The summary and body tiers are told to use
  their indexes instead (see `search.backends.postgres`). Titles are short and keep their
  statistics, so the planner can still scan the table when a word is in many titles. The
  grams_* columns are read by no query.
"""

from django.db import DatabaseError, migrations, transaction

TABLE = "search_searchentry"
COLUMNS = ("title", "summary", "body")
NO_STATISTICS = ("norm_summary", "norm_body", "grams_title", "grams_summary", "grams_body")

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, summary, body, tokenize='unicode61 remove_diacritics 0', prefix='1')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS search_trgm_{c} ON {TABLE} USING gin (norm_{c} gin_trgm_ops)"
        for c in COLUMNS
    ),
    *(
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS pieces_{c} text[] "
        f"GENERATED ALWAYS AS (string_to_array(grams_{c}, ' ')) STORED"
        for c in COLUMNS
    ),
    *(
        f"CREATE INDEX IF NOT EXISTS search_pieces_{c} ON {TABLE} USING gin (pieces_{c})"
        for c in COLUMNS
    ),
    *(f"ALTER TABLE {TABLE} ALTER COLUMN {c} SET STATISTICS 0" for c in NO_STATISTICS),
]
POSTGRES_DOWN = [
    *(f"ALTER TABLE {TABLE} ALTER COLUMN {c} SET STATISTICS -1" for c in NO_STATISTICS),
    *(f"DROP INDEX IF EXISTS search_pieces_{c}" for c in COLUMNS),
    *(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS pieces_{c}" for c in COLUMNS),
    *(f"DROP INDEX IF EXISTS search_trgm_{c}" for c in COLUMNS),
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements_by_vendor.get(vendor, []):
            schema_editor.execute(sql)
        if vendor == "postgresql" and statements_by_vendor is UP:
            # Statistics gathered before stay until deleted, which takes a superuser: try, and
            # otherwise leave them (a new database has none).
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    schema_editor.execute(
                        f"DELETE FROM pg_statistic WHERE starelid = '{TABLE}'::regclass"
                        " AND staattnum IN (SELECT attnum FROM pg_attribute WHERE attrelid ="
                        f" '{TABLE}'::regclass AND attname = ANY(%s))",
                        [list(NO_STATISTICS)],
                    )
            except DatabaseError:
                pass

    return apply


UP = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}
DOWN = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(run(UP), run(DOWN))]
