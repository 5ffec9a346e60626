from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("causes/", views.cause_index, name="causes"),
    path("causes/<slug:slug>/", views.cause, name="cause"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("faq/", views.faq_index, name="faqs"),
    path("faq/<slug:slug>/", views.faq, name="faq"),
    path("tips/", views.tip_index, name="tips"),
    path("tips/<slug:slug>/", views.tip, name="tip"),
    path("contact/", views.contact_index, name="contact"),
    path("contact/<slug:slug>/", views.contact, name="contact_service"),
]
