from django.apps import AppConfig


class ConfiguratorConfig(AppConfig):
    """The server-rendered browser configurator: views, forms and SVG layouts; no models."""

    name = "apps.configurator"
    label = "configurator"
    default_auto_field = "django.db.models.BigAutoField"
