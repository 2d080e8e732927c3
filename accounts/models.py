from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class CandorUserManager(UserManager):
    """Accounts are keyed by e-mail address; there are no usernames."""

    def _create_user(self, email, password, **extra_fields):
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = CandorUserManager()

    class Meta:
        ordering = ["email"]
        permissions = [
            ("give_feedback", "Can answer survey rounds and leave feedback"),
            ("view_reports", "Can view k-anonymous reports"),
            ("manage_surveys", "Can manage the roster and survey rounds"),
        ]

    def __str__(self) -> str:
        return self.email
