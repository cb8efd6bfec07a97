"""Abstract building blocks shared by every app; no concrete models live here."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created and updated timestamps."""

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
