from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("sections/<int:section_id>/", views.section_permalink, name="section_permalink"),
]
