"""Small display filters for the configurator's templates."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def metres(length_mm: int | None) -> str:
    """3500 -> "3.5 m"; None -> "—"."""
    if length_mm is None:
        return "—"
    return f"{(Decimal(length_mm) / 1000).normalize():f} m"
