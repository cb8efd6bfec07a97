"""Accounts API routes, mounted at /api/v1/ by config/api_urls.py."""

from django.urls import path

from apps.accounts.api import views

app_name = "accounts"

urlpatterns = [
    path("users/me/", views.UserMeApi.as_view(), name="user-me"),
    path("tokens/", views.TokenListApi.as_view(), name="token-list"),
    path("tokens/<int:pk>/", views.TokenDetailApi.as_view(), name="token-detail"),
    path("projects/", views.ProjectListApi.as_view(), name="project-list"),
    path("projects/<int:pk>/", views.ProjectDetailApi.as_view(), name="project-detail"),
    path(
        "projects/<int:pk>/members/",
        views.ProjectMemberListApi.as_view(),
        name="project-member-list",
    ),
    path(
        "projects/<int:pk>/members/<int:user_id>/",
        views.ProjectMemberDetailApi.as_view(),
        name="project-member-detail",
    ),
]
