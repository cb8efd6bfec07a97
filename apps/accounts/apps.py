from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Registers the OpenAPI security scheme of TokenAuthentication with drf-spectacular.
        from apps.accounts.api import schema  # noqa: F401
