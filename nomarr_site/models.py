"""Platform models: API keys, bearer session tokens and the user-editable settings store.

Secrets are stored as SHA-256 digests of high-entropy random values (32+ bytes), so a
database leak reveals no usable credential; the clear value is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from nomarr_site.domain import Conflict, Invalid

KEY_PREFIX = "nmr_"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ApiKey(models.Model):
    """A named key for scripts. Soft-deleted: `is_active` false keeps the audit trail.

    Its scope says what it may call (the policy groups list the scopes they accept): `tag`
    covers /api/v1/* (tagging and status) and the Lidarr webhook, `full` everything a key
    can do, including keys, backups and settings."""

    class Scope(models.TextChoices):
        TAG = "tag", "Tagging and status (/api/v1, the Lidarr webhook)"
        FULL = "full", "Full: also keys, backups, settings and the admin API"

    NAME_LIMIT = 100

    name = models.CharField(max_length=NAME_LIMIT)
    # Keys made before scopes existed had every power: they become `full`.
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.FULL)
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150, default="admin")
    is_active = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def create_key(
        cls, name: str, created_by: str = "admin", scope: str = Scope.FULL
    ) -> tuple[ApiKey, str]:
        """Create a key and return it with its clear value (the only time it exists). A blank
        name, one over NAME_LIMIT characters or one an active key already has (letter case
        aside) is refused, never cut or doubled."""
        if scope not in cls.Scope.values:
            raise ValueError(f"Unknown API key scope {scope!r}")
        name = name.strip()
        if not name:
            raise Invalid("The name must not be blank.", field="name")
        if len(name) > cls.NAME_LIMIT:
            raise Invalid(
                f"The name is {len(name)} characters long; the limit is {cls.NAME_LIMIT}.",
                field="name",
            )
        if cls.objects.active().filter(name__iexact=name).exists():
            raise Conflict(
                f"An API key named '{name}' already exists; choose another name or revoke it.",
                field="name",
            )
        clear = KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(
            name=name,
            prefix=clear[:12],
            key_hash=digest(clear),
            created_by=created_by,
            scope=scope,
        )
        return key, clear

    @classmethod
    def find(cls, clear: str) -> ApiKey | None:
        if not clear:
            return None
        return cls.objects.active().filter(key_hash=digest(clear)).first()

    def revoke(self) -> None:
        self.is_active = False
        self.deleted_at = timezone.now()
        self.save(update_fields=["is_active", "deleted_at"])

    def touch(self) -> None:
        """Record use, at most once a minute to spare the database."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(seconds=60):
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class AuthToken(models.Model):
    """A bearer session token from a login endpoint. Valid while not revoked nor expired."""

    class Kind(models.TextChoices):
        WEB = "web", "Web session token"
        ACCESS = "access", "Access token"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEB)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    client = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user, lifetime: timedelta, kind: str = Kind.WEB, client: str = ""):
        clear = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            token_hash=digest(clear),
            kind=kind,
            expires_at=timezone.now() + lifetime,
            client=client[:200],
        )
        return token, clear

    @classmethod
    def find_valid(cls, clear: str) -> AuthToken | None:
        if not clear:
            return None
        token = cls.objects.select_related("user").filter(token_hash=digest(clear)).first()
        if token is None or not token.is_valid:
            return None
        return token

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class AppSetting(models.Model):
    """One user-editable setting, stored as JSON. Defaults live in `nomarr_site.config`."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class OutboxEvent(models.Model):
    """One published event, kept for a few minutes: the embedded set-up's cross-process path
    (the web process tails it by id) and the SSE `Last-Event-ID` resume window."""

    room = models.CharField(max_length=20)
    envelope = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.envelope.get('type', '?')} → {self.room}"
