"""PostgreSQL: keep the one- and two-character pieces in real text[] columns (generated from
grams_*) and index those, so that a sequential scan never has to split text on every row and
the planner has real statistics. SQLite is unchanged."""

from django.db import migrations

COLUMNS = ("title", "summary", "body")
UP = [
    *(f"DROP INDEX IF EXISTS articles_search_grams_{c}" for c in COLUMNS),
    *(
        f"ALTER TABLE articles_searchentry ADD COLUMN IF NOT EXISTS pieces_{c} text[] "
        f"GENERATED ALWAYS AS (string_to_array(grams_{c}, ' ')) STORED"
        for c in COLUMNS
    ),
    *(
        f"CREATE INDEX IF NOT EXISTS articles_search_pieces_{c} ON articles_searchentry "
        f"USING gin (pieces_{c})"
        for c in COLUMNS
    ),
]
DOWN = [
    *(f"DROP INDEX IF EXISTS articles_search_pieces_{c}" for c in COLUMNS),
    *(f"ALTER TABLE articles_searchentry DROP COLUMN IF EXISTS pieces_{c}" for c in COLUMNS),
    *(
        f"CREATE INDEX IF NOT EXISTS articles_search_grams_{c} ON articles_searchentry "
        f"USING gin (string_to_array(grams_{c}, ' '))"
        for c in COLUMNS
    ),
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_search_indexes")]

    operations = [migrations.RunPython(run(UP), run(DOWN))]
