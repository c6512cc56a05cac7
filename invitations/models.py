"""Models of `invitations`: media servers and their libraries, invitations and their
redemptions, the people invited and their accounts (one `MediaUser` per account per server),
and the audit trail of what expiry did."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from invitations import crypto
from invitations.clients import SERVER_TYPES
from invitations.clients.base import ServerConnection

#: server_type → the name people know it by.
SERVER_TYPE_LABELS = {
    "jellyfin": "Jellyfin",
    "emby": "Emby",
    "plex": "Plex",
    "navidrome": "Navidrome",
    "audiobookshelf": "Audiobookshelf",
}
SERVER_TYPE_CHOICES = [(t, SERVER_TYPE_LABELS.get(t, t)) for t in SERVER_TYPES]


class MediaServer(models.Model):
    """A server people are invited to. Its credentials (API key or token; Navidrome's admin
    name and password) are stored encrypted (`crypto`) and never leave the process: no
    serializer, page or log line shows them. `verified` is true after a successful check and
    false again when the URL or credentials change."""

    name = models.CharField(max_length=200, unique=True)
    server_type = models.CharField(max_length=20, choices=SERVER_TYPE_CHOICES)
    server_url = models.CharField(max_length=500)
    external_url = models.CharField(max_length=500, blank=True, default="")  # "" → null in the API
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    verified = models.BooleanField(default=False)
    allow_downloads = models.BooleanField(default=False)
    allow_live_tv = models.BooleanField(default=False)
    allow_mobile_uploads = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.server_type})"

    def set_credentials(self, token: str = "", username: str = "", password: str = "") -> None:
        self.credentials_encrypted = crypto.encrypt(
            {"token": token, "username": username, "password": password}
        )

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def connection(self) -> ServerConnection:
        """What a client needs; raises `crypto.CredentialsUnreadable` if they do not decrypt."""
        values = crypto.decrypt(self.credentials_encrypted)
        return ServerConnection(
            server_type=self.server_type,
            url=self.server_url,
            token=values.get("token", ""),
            username=values.get("username", ""),
            password=values.get("password", ""),
        )


class ServerLibrary(models.Model):
    """One library of a server as "Sync libraries" imported it; `external_id` is what the
    server's API takes when granting access."""

    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="libraries")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["server_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "external_id"], name="unique_library_per_server"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.server.name}"


def used_q() -> Q:
    return Q(used_at__isnull=False, unlimited=False)


def expired_q(now: datetime) -> Q:
    return Q(expires__isnull=False, expires__lte=now)


class InvitationQuerySet(models.QuerySet):
    def with_status(self, now: datetime | None = None) -> InvitationQuerySet:
        """Annotates `status`: the one place the status of an invitation is computed.

        `used` once a single-use invitation was redeemed on every server (a multi-use one is
        never used up), else `expired` once `expires` passed, else `pending`."""
        moment = now or timezone.now()
        return self.annotate(
            status=Case(
                When(used_q(), then=Value("used")),
                When(expired_q(moment), then=Value("expired")),
                default=Value("pending"),
                output_field=models.CharField(),
            )
        )


class Invitation(models.Model):
    """A code that grants accounts on `servers` (with `libraries` of them; none chosen: every
    library of each server).

    States (computed by `InvitationQuerySet.with_status`, never stored): pending → used (a
    single-use invitation redeemed on every server) | expired (`expires` passed). Terminal:
    used, expired. `unlimited` is Wizarr's multi-use flag: such an invitation stays pending
    and `used_at`/`used_by` name its latest redemption. `claimed_by` is the person a
    single-use invitation is being redeemed for: only they can retry the servers that failed.
    `duration` is the account life after joining, in days, or "unlimited"."""

    code = models.CharField(max_length=64, unique=True)  # stored upper-case: case-insensitive
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    duration = models.CharField(max_length=10, default="unlimited")
    unlimited = models.BooleanField(default=True)
    servers = models.ManyToManyField(MediaServer, related_name="invitations")
    libraries = models.ManyToManyField(ServerLibrary, related_name="invitations", blank=True)
    allow_downloads = models.BooleanField(default=False)
    allow_live_tv = models.BooleanField(default=False)
    allow_mobile_uploads = models.BooleanField(default=False)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_by = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def duration_days(self) -> int | None:
        return None if self.duration == "unlimited" else int(self.duration)


class Person(models.Model):
    """Someone who redeemed an invitation: links their accounts on several servers."""

    username = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True, default="")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["username", "id"]

    def __str__(self) -> str:
        return self.username


class Redemption(models.Model):
    """One invitation redeemed by one person on one server.

    States: pending → creating → done | failed; failed → creating (the invitee retries).
    Terminal: done. `creating` is a claim won by a conditional update, so two requests never
    create the same account twice; a claim older than `STALE_CLAIM` (a process that died
    mid-request) may be taken again."""

    class Status(models.TextChoices):
        PENDING = "pending"
        CREATING = "creating"
        DONE = "done"
        FAILED = "failed"

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="redemptions")
    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="redemptions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    remote_id = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "server", "person"], name="one_redemption_per_server"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} on server {self.server_id}: {self.status}"


class MediaUserQuerySet(models.QuerySet):
    def due(self, now: datetime | None = None) -> MediaUserQuerySet:
        """Accounts whose expiry passed and that are still active."""
        return self.filter(
            expires__isnull=False, expires__lte=now or timezone.now(), disabled=False
        )


class MediaUser(models.Model):
    """One account on one server. States: active → disabled (expiry, where the server can
    disable) ; an expired account on a server that cannot disable is deleted with its row.
    Terminal: disabled (until extended and re-enabled on the server by hand)."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    server = models.ForeignKey(MediaServer, on_delete=models.CASCADE, related_name="users")
    username = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True, default="")
    remote_id = models.CharField(max_length=200)
    expires = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    disabled = models.BooleanField(default=False)

    objects = MediaUserQuerySet.as_manager()

    class Meta:
        ordering = ["username", "id"]
        constraints = [
            models.UniqueConstraint(fields=["server", "remote_id"], name="one_row_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.username} on {self.server.name}"


class ExpiryAction(models.Model):
    """Audit row: what expiry (or a person) did to one account, and whether the server agreed."""

    class Action(models.TextChoices):
        DISABLE = "disable"
        DELETE = "delete"

    user = models.ForeignKey(
        MediaUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=100)
    server_name = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    succeeded = models.BooleanField()
    message = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.username} on {self.server_name}: {self.succeeded}"
