"""The synonyms' fixture file (`fixtures/synonyms.yaml`), loaded by `articles.content`."""

from articles.content import Kind

from .models import Synonym

SYNONYMS = Kind(
    "synonyms.yaml",
    Synonym,
    fields=("terms", "note", "order"),
    required=("terms",),
    defaults={"note": "", "order": 0},
)
