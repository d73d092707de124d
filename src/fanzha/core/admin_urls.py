"""Pages for the system administrator: users and roles, area import/export."""

from django.urls import path

urlpatterns: list = []
