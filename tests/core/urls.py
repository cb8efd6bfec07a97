"""The project's URLs plus probes that raise what real views will raise, for the error tests."""

from typing import NoReturn

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.core.exceptions import ApplicationError


class AuthenticatedProbeApi(APIView):
    """Behind the project's default permission (IsAuthenticated)."""

    def get(self, request: Request) -> NoReturn:
        raise ApplicationError("Port 7 is already mated.", code="conflict", attr="port", status=409)


urlpatterns = [
    path("api/v1/probe/", AuthenticatedProbeApi.as_view()),
    path("", include("config.urls")),
]
