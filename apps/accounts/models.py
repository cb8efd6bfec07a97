"""Users. A custom user model from day one; organizations, projects and tokens come later."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person (or, later, a service user for an integration) who signs in."""

    class Meta:
        db_table = "accounts_user"
