from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("diagnose/answer", views.flow_answer, name="flow_answer"),
    path("beacon", views.beacon, name="beacon"),
]
