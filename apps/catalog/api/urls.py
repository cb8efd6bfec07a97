"""Catalog API routes (read-only) and the stateless validator."""

from django.urls import path

urlpatterns: list = []
