from django.urls import path

from . import views

app_name = "diagnosis"

urlpatterns = [
    path("diagnose/", views.diagnose, name="diagnose"),
    path("diagnose/pack.json", views.flow_pack, name="pack"),
    path("api/diagnose", views.api_diagnose, name="api_diagnose"),
]
