from django.contrib import admin
from reversion.admin import VersionAdmin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(VersionAdmin):
    list_display = ["__str__", "note", "order"]
    search_fields = ["terms", "note", "slug"]
    fields = ["terms", "slug", "note", "order"]
