"""PostgreSQL: no planner statistics for the long text columns of the search table.

To estimate `norm_body LIKE '%…%'` the planner matches the pattern against every sampled value
of the column: with bodies of a thousand characters that took 5–7 ms of planning per search at
100k documents, more than running the query. The summary and body tiers are told to use their
indexes instead (see `search._index_scans`). Titles are short and keep their statistics, so
the planner can still scan the table when a word is in a large share of titles. The grams_*
columns are read by no query. SQLite is unchanged."""

from django.db import DatabaseError, migrations, transaction

NO_STATISTICS = ("norm_summary", "norm_body", "grams_title", "grams_summary", "grams_body")


def target(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in NO_STATISTICS:
            schema_editor.execute(
                f"ALTER TABLE articles_searchentry ALTER COLUMN {column} SET STATISTICS {value}"
            )
        # Statistics gathered before stay until deleted, which takes a superuser: try, and
        # otherwise leave them (a new database has none).
        if value == 0:
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    schema_editor.execute(
                        "DELETE FROM pg_statistic WHERE starelid = 'articles_searchentry'::regclass"
                        " AND staattnum IN (SELECT attnum FROM pg_attribute WHERE attrelid ="
                        " 'articles_searchentry'::regclass AND attname = ANY(%s))",
                        [list(NO_STATISTICS)],
                    )
            except DatabaseError:
                pass

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_search_pieces_columns")]

    operations = [migrations.RunPython(target(0), target(-1))]
