from django.urls import path

from . import views, votes

app_name = "feedback"

urlpatterns = [
    path("diagnose/answer", views.flow_answer, name="flow_answer"),
    path("beacon", views.beacon, name="beacon"),
    path("beacon/token", views.token, name="beacon_token"),
    path("feedback/vote/<str:kind>/<int:pk>/", votes.vote_form, name="vote_form"),
    path("feedback/vote/<str:kind>/<int:pk>/send", votes.vote, name="vote"),
    path("feedback/vote/<str:kind>/<int:pk>/comment", votes.vote_comment, name="vote_comment"),
]
