from django.contrib import admin

from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note", "order"]
    search_fields = ["terms", "note", "slug"]
    fields = ["terms", "slug", "note", "order"]
