"""Invitation codes and the rules of creating an invitation: expiry choices, duration,
multi-use, libraries and servers, the display name, and the one computed status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from invitations.models import Invitation, MediaServer
from invitations.services import codes
from invitations.services.invites import create_invitation, find_by_code
from invitations.shapes import display_name
from nomarr_site import config
from nomarr_site.domain import Conflict, Invalid

pytestmark = pytest.mark.django_db


def test_generated_codes_are_long_and_use_no_look_alike_characters():
    generated = {codes.generate() for _ in range(200)}
    assert len(generated) == 200
    for code in generated:
        assert len(code) >= 10
        assert not set(code) & set("0O1IL")


@pytest.mark.parametrize(
    ("code", "words"),
    [("SHORT", "10 to 64"), ("ABCDEFGHJK0", "'0'"), ("ABCDEFGHJK!", "'!'"), (12, "text")],
)
def test_a_bad_custom_code_is_refused_naming_the_field(code, words):
    with pytest.raises(Invalid) as raised:
        codes.validate_custom(code)
    assert raised.value.field == "code"
    assert words in raised.value.message


def test_a_custom_code_is_case_insensitive_and_unique(make_server, invite):
    make_server()
    created = invite(code="abcdefghjk")
    assert created.code == "ABCDEFGHJK"
    assert find_by_code("AbCdEfGhJk").pk == created.pk
    with pytest.raises(Conflict):
        invite(code="ABCDEFGHJK")


@pytest.mark.parametrize("value", [0, 2, 14, 365, -1, "7", True, 7.0, [7]])
def test_expires_in_days_other_than_1_7_30_or_null_is_refused(make_server, value):
    make_server()
    with pytest.raises(Invalid) as raised:
        create_invitation({"expires_in_days": value})
    assert raised.value.field == "expires_in_days"


@pytest.mark.parametrize("days", [1, 7, 30])
def test_expires_in_days_sets_the_expiry(make_server, invite, days):
    make_server()
    created = invite(expires_in_days=days)
    expected = timezone.now() + timedelta(days=days)
    assert abs((created.expires - expected).total_seconds()) < 5


def test_the_defaults_are_a_multi_use_invitation_that_never_expires(make_server, invite):
    make_server()
    created = invite()
    assert created.expires is None
    assert created.duration == "unlimited"
    assert created.unlimited is True
    assert created.status == "pending"


@pytest.mark.parametrize("value", ["0", "-3", "abc", "", "3651", 1.5, True, None])
def test_a_bad_duration_is_refused(make_server, value):
    make_server()
    with pytest.raises(Invalid) as raised:
        create_invitation({"duration": value})
    assert raised.value.field == "duration"


def test_a_duration_in_days_is_kept_as_text(make_server, invite):
    make_server()
    assert invite(duration=30, unlimited=False).duration == "30"
    assert invite(duration=" Unlimited ").duration == "unlimited"


@pytest.mark.parametrize("field", ["unlimited", "allow_downloads", "allow_live_tv"])
def test_flags_must_be_booleans(make_server, field):
    make_server()
    with pytest.raises(Invalid) as raised:
        create_invitation({field: "yes"})
    assert raised.value.field == field


def test_library_ids_choose_the_libraries_and_so_the_servers(two_servers, invite):
    jelly, navi = two_servers
    music = navi.libraries.get()
    created = invite(library_ids=[music.pk])
    assert [s.name for s in created.servers.all()] == ["Navi"]
    assert list(created.libraries.all()) == [music]


def test_without_library_ids_every_server_is_granted_with_all_its_libraries(two_servers, invite):
    created = invite()
    assert sorted(s.name for s in created.servers.all()) == ["Jelly", "Navi"]
    assert not created.libraries.exists()


@pytest.mark.parametrize("value", [[], [999999], [10**30], "1", [True], [1.5], {"a": 1}])
def test_bad_library_ids_are_refused(make_server, value):
    make_server()
    with pytest.raises(Invalid) as raised:
        create_invitation({"library_ids": value})
    assert raised.value.field == "library_ids"


def test_no_invitation_without_a_server(db):
    with pytest.raises(Invalid, match="media server"):
        create_invitation({})


def test_the_display_name_is_the_server_names_unless_the_global_setting_is_set(two_servers, invite):
    created = invite()
    name = display_name(created)
    assert name.display_name == "Jelly, Navi"
    assert name.server_names == ["Jelly", "Navi"]
    assert name.uses_global_setting is False
    config.set_value("invitation_display_name", "Family media")
    name = display_name(created)
    assert (name.display_name, name.uses_global_setting) == ("Family media", True)


def test_the_status_is_pending_used_or_expired(make_server, invite):
    make_server()
    pending = invite(unlimited=False)
    expired = invite(expires_in_days=1)
    Invitation.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(days=1))
    used = invite(unlimited=False)
    Invitation.objects.filter(pk=used.pk).update(used_at=timezone.now())
    multi = invite(unlimited=True)
    Invitation.objects.filter(pk=multi.pk).update(used_at=timezone.now())
    statuses = dict(Invitation.objects.with_status().values_list("pk", "status"))
    assert statuses == {
        pending.pk: "pending",
        expired.pk: "expired",
        used.pk: "used",
        multi.pk: "pending",  # a multi-use invitation is never used up
    }


def test_stored_credentials_are_encrypted_and_read_back(make_server):
    from tests.invitations.conftest import SECRET_TOKEN

    server = make_server()
    stored = MediaServer.objects.values_list("credentials_encrypted", flat=True).get()
    assert SECRET_TOKEN not in stored
    assert MediaServer.objects.get(pk=server.pk).connection().token == SECRET_TOKEN


def test_credentials_under_another_secret_key_are_reported_unreadable(make_server, settings):
    from invitations.crypto import CredentialsUnreadable

    server = make_server()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(CredentialsUnreadable, match="enter them again"):
        MediaServer.objects.get(pk=server.pk).connection()
