from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/open", views.search_open, name="search_open"),
    path("api/search", views.api_search, name="api_search"),
]
