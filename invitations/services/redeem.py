"""Redeeming an invitation without leaving an orphan account: all servers or none.

Server by server: each (invitation, person, server) has one `Redemption` row, taken with a
conditional update (pending/failed → creating) so two requests never create one account
twice; the client deletes an account it could not finish; the account's row is written
after the server made it (and the account deleted again if that write fails). When any server
fails, the accounts this attempt made on the others are deleted again, so an invitee never
holds part of what the invitation grants (nor accounts with different passwords after a
retry); the invitee reads which server failed and tries again with the same code. A
single-use invitation is claimed for one person (a conditional update of `claimed_by`, with
their redemption rows in the same transaction) and is used only once every server succeeded;
once every attempt of the claimant failed (or was undone), someone else may claim it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from invitations import crypto
from invitations.clients import client_for
from invitations.clients.base import (
    AccountRequest,
    ClientError,
    MediaServerClient,
    RemoteAccount,
)
from invitations.models import Invitation, MediaServer, MediaUser, Person, Redemption
from invitations.services import invites, notify
from invitations.services.join_rules import JoinRequest, validate_join
from nomarr_site.domain import Conflict, NotFound

logger = logging.getLogger(__name__)

#: A `creating` claim older than this belongs to a request that died: it may be taken again.
STALE_CLAIM = timedelta(minutes=10)
Status = Redemption.Status
#: The outcome of an account made and removed again because another server failed.
UNDONE = "undone"


class InvitationInvalid(NotFound):
    """No invitation has this code."""


class InvitationUsed(Conflict):
    """The invitation was used (or is being redeemed by someone else)."""


class InvitationExpired(Conflict):
    """The invitation's expiry passed."""


@dataclass(frozen=True)
class ServerOutcome:
    server: str
    status: str  # done, failed, busy, undone
    message: str


@dataclass(frozen=True)
class RedemptionResult:
    username: str
    outcomes: list[ServerOutcome]

    @property
    def complete(self) -> bool:
        return all(outcome.status == Status.DONE for outcome in self.outcomes)


def usable_invitation(code: str) -> Invitation:
    """The invitation behind `code` if it can still be redeemed, else the reason as an error."""
    invitation = invites.find_by_code(code)
    if invitation is None:
        raise InvitationInvalid("This invitation code is not valid")
    status = getattr(invitation, "status", None)  # annotated by `with_status`
    if status == "used":
        raise InvitationUsed("This invitation has already been used")
    if status == "expired":
        raise InvitationExpired("This invitation has expired")
    if not invitation.servers.all():  # every server it granted was removed since
        raise InvitationInvalid("This invitation code is not valid")
    return invitation


def redeem(code: str, data: dict) -> RedemptionResult:
    """Create the invitee's accounts on every server of the invitation that still lacks one."""
    invitation = usable_invitation(code)
    servers = list(invitation.servers.all())
    join = validate_join(data, servers)
    person = _claim_person(invitation, join, servers)
    outcomes = [_redeem_on(invitation, person, server, join) for server in servers]
    if any(outcome.status == Status.FAILED for outcome in outcomes):
        outcomes = _undo_done(invitation, person, servers, outcomes)
    result = RedemptionResult(person.username, outcomes)
    if result.complete:
        _finish(invitation, person)
    return result


def _claim_person(invitation: Invitation, join: JoinRequest, servers: list[MediaServer]) -> Person:
    if invitation.unlimited:
        return _person_for_multi_use(invitation, join, servers)
    with transaction.atomic():
        person = Person.objects.create(
            username=join.username, email=join.email, invitation=invitation
        )
        won = Invitation.objects.filter(pk=invitation.pk, claimed_by__isnull=True).update(
            claimed_by=person
        )
        if won:
            _create_rows(invitation, person, servers)
            return person
        person.delete()
    claimant = Invitation.objects.get(pk=invitation.pk).claimed_by
    if claimant is not None and claimant.username.lower() == join.username.lower():
        return claimant
    if claimant is not None and _take_over(invitation, claimant, join, servers):
        return Invitation.objects.get(pk=invitation.pk).claimed_by  # type: ignore[return-value]
    raise InvitationUsed("This invitation is already being used")


def _take_over(
    invitation: Invitation, claimant: Person, join: JoinRequest, servers: list[MediaServer]
) -> bool:
    """Claim for a new person when every attempt of `claimant` failed; False otherwise."""
    with transaction.atomic():
        rows = Redemption.objects.filter(invitation=invitation, person=claimant)
        if rows.exclude(status=Status.FAILED).exists():
            return False
        person = Person.objects.create(
            username=join.username, email=join.email, invitation=invitation
        )
        won = Invitation.objects.filter(pk=invitation.pk, claimed_by=claimant).update(
            claimed_by=person
        )
        rows.filter(status=Status.FAILED).delete()
        if not won or rows.exists():
            transaction.set_rollback(True)
            return False
        _create_rows(invitation, person, servers)
    logger.info("Invitation %s: claimed again after every attempt failed", invitation.pk)
    return True


def _person_for_multi_use(
    invitation: Invitation, join: JoinRequest, servers: list[MediaServer]
) -> Person:
    """The person retrying with this user name (some servers still missing), else a new one."""
    unfinished = (
        Person.objects.filter(invitation=invitation, username__iexact=join.username)
        .filter(redemptions__status__in=[Status.PENDING, Status.FAILED, Status.CREATING])
        .first()
    )
    if unfinished is not None:
        return unfinished
    with transaction.atomic():
        person = Person.objects.create(
            username=join.username, email=join.email, invitation=invitation
        )
        _create_rows(invitation, person, servers)
    return person


def _create_rows(invitation: Invitation, person: Person, servers: list[MediaServer]) -> None:
    Redemption.objects.bulk_create(
        [Redemption(invitation=invitation, person=person, server=server) for server in servers]
    )


def _claim_row(invitation: Invitation, person: Person, server: MediaServer) -> Redemption | None:
    """The redemption row, now `creating` for this request; None if another request holds it
    or it is done."""
    try:
        row, _ = Redemption.objects.get_or_create(
            invitation=invitation, person=person, server=server
        )
    except IntegrityError:
        row = Redemption.objects.get(invitation=invitation, person=person, server=server)
    now = timezone.now()
    claimable = Q(status__in=[Status.PENDING, Status.FAILED]) | Q(
        status=Status.CREATING, claimed_at__lt=now - STALE_CLAIM
    )
    won = (
        Redemption.objects.filter(pk=row.pk)
        .filter(claimable)
        .update(status=Status.CREATING, claimed_at=now, error="")
    )
    return row if won else None


def _redeem_on(
    invitation: Invitation, person: Person, server: MediaServer, join: JoinRequest
) -> ServerOutcome:
    done = Redemption.objects.filter(
        invitation=invitation, person=person, server=server, status=Status.DONE
    ).exists()
    if done:
        return ServerOutcome(server.name, Status.DONE, "Your account is ready")
    row = _claim_row(invitation, person, server)
    if row is None:
        return ServerOutcome(server.name, "busy", "Your account is being created; try again")
    try:
        client = client_for(server.connection())
        account = client.create_account(_account_request(invitation, server, join))
    except (ClientError, crypto.CredentialsUnreadable) as exc:
        return _failed(row, server, exc)
    try:
        with transaction.atomic():
            _record_account(invitation, person, server, join, account)
            Redemption.objects.filter(pk=row.pk).update(
                status=Status.DONE, remote_id=account.remote_id, error=""
            )
    except Exception as exc:  # the row could not be written: leave no account behind
        logger.exception("Invitation %s: saving the account on %s failed", invitation.pk, server)
        _undo(client, account)
        return _failed(row, server, exc)
    return ServerOutcome(server.name, Status.DONE, "Your account is ready")


def _account_request(
    invitation: Invitation, server: MediaServer, join: JoinRequest
) -> AccountRequest:
    library_ids = tuple(
        library.external_id
        for library in invitation.libraries.all()
        if library.server_id == server.pk
    )
    return AccountRequest(
        username=join.username,
        password=join.password,
        email=join.email,
        library_ids=library_ids,
        allow_downloads=invitation.allow_downloads,
        allow_live_tv=invitation.allow_live_tv,
        allow_mobile_uploads=invitation.allow_mobile_uploads,
    )


def _record_account(
    invitation: Invitation,
    person: Person,
    server: MediaServer,
    join: JoinRequest,
    account: RemoteAccount,
) -> MediaUser:
    days = invitation.duration_days
    user = MediaUser.objects.create(
        person=person,
        server=server,
        username=account.username or join.username,
        email=join.email,
        remote_id=account.remote_id,
        expires=timezone.now() + timedelta(days=days) if days else None,
    )
    notify.user_changed("created", user)  # sent when the transaction commits
    return user


def _undo_done(
    invitation: Invitation,
    person: Person,
    servers: list[MediaServer],
    outcomes: list[ServerOutcome],
) -> list[ServerOutcome]:
    """Delete the accounts that worked because another server failed. An account the server
    will not delete stays recorded (done), so it is neither lost nor made twice."""
    failed = ", ".join(o.server for o in outcomes if o.status == Status.FAILED)
    undone = []
    for server, outcome in zip(servers, outcomes, strict=True):
        if outcome.status != Status.DONE:
            undone.append(outcome)
            continue
        row = Redemption.objects.get(invitation=invitation, person=person, server=server)
        try:
            client_for(server.connection()).delete_account(row.remote_id)
        except (ClientError, crypto.CredentialsUnreadable) as exc:
            logger.error(
                "Invitation %s: could not undo the account on %s: %s", invitation.pk, server.pk, exc
            )
            undone.append(outcome)
            continue
        with transaction.atomic():
            for pk in MediaUser.objects.filter(person=person, server=server).values_list(
                "pk", flat=True
            ):
                notify.user_deleted(pk)
            MediaUser.objects.filter(person=person, server=server).delete()
            Redemption.objects.filter(pk=row.pk).update(
                status=Status.FAILED, remote_id="", error=f"Removed again: {failed} failed"
            )
        undone.append(
            ServerOutcome(
                server.name,
                UNDONE,
                "Created, then removed again because another server failed; every account "
                "is made at once when you try again",
            )
        )
    return undone


def _undo(client: MediaServerClient, account: RemoteAccount) -> None:
    try:
        client.delete_account(account.remote_id)
    except ClientError as exc:
        logger.error("Could not remove account %s after a failure: %s", account.remote_id, exc)


def _failed(row: Redemption, server: MediaServer, exc: Exception) -> ServerOutcome:
    """Record the full reason for the owner; the invitee reads a sentence that names no
    address or internal detail."""
    reason = str(exc)
    Redemption.objects.filter(pk=row.pk).update(status=Status.FAILED, error=reason[:2000])
    logger.warning("Invitation redemption on server %s failed: %s", server.pk, reason)
    if isinstance(exc, ClientError) and exc.kind == "refused":
        message = "The server refused the account (is the user name taken?)"
    else:
        message = "The server could not create the account right now; try again later"
    return ServerOutcome(server.name, Status.FAILED, message)


def _finish(invitation: Invitation, person: Person) -> None:
    now = timezone.now()
    if invitation.unlimited:
        Invitation.objects.filter(pk=invitation.pk).update(used_at=now, used_by=person)
    else:
        Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=now, used_by=person
        )
    notify.invitation_changed("redeemed", invitation.pk)
