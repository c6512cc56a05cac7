"""User expiry: the `expire_users` job kind disables or deletes due accounts with an audit row
each, one failure does not stop the rest, and extending counts from the current expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from invitations.jobs import queue_expire_users, start_if_due
from invitations.models import ExpiryAction, MediaUser
from invitations.services.users import expire_users, extend_user
from jobs import hooks
from jobs.models import Job
from jobs.transport import work_one
from nomarr_site import config
from nomarr_site.domain import Invalid

pytestmark = pytest.mark.django_db


def add_user(server, fake_clients, name: str, expires_in_days: float | None) -> MediaUser:
    remote_id = f"r-{name}"
    fake_clients.server(server.server_url).accounts[remote_id] = {"username": name}
    expires = None if expires_in_days is None else timezone.now() + timedelta(expires_in_days)
    return MediaUser.objects.create(
        server=server, username=name, remote_id=remote_id, expires=expires
    )


def test_expired_accounts_are_disabled_where_the_server_can_and_deleted_elsewhere(
    fake_clients, two_servers
):
    jelly, navi = two_servers
    fake_clients.server(navi.server_url).can_disable = False  # like Navidrome
    add_user(jelly, fake_clients, "old", -1)
    add_user(navi, fake_clients, "gone", -1)
    add_user(jelly, fake_clients, "fresh", 5)
    add_user(jelly, fake_clients, "forever", None)
    summary = expire_users()
    assert (summary.disabled, summary.deleted, summary.failures) == (1, 1, [])
    assert fake_clients.server(jelly.server_url).disabled == {"r-old"}
    assert fake_clients.server(navi.server_url).accounts == {}
    assert MediaUser.objects.get(username="old").disabled
    assert not MediaUser.objects.filter(username="gone").exists()
    audit = {(a.username, a.action, a.succeeded) for a in ExpiryAction.objects.all()}
    assert audit == {("old", "disable", True), ("gone", "delete", True)}
    assert expire_users().disabled == 0  # a disabled account is not handled again


def test_the_setting_can_ask_for_deletion_everywhere(fake_clients, make_server):
    server = make_server()
    add_user(server, fake_clients, "old", -1)
    config.set_value("expired_user_action", "delete")
    assert expire_users().deleted == 1
    assert fake_clients.server(server.server_url).accounts == {}


def test_one_failing_account_does_not_stop_the_others(fake_clients, two_servers):
    jelly, navi = two_servers
    fake_clients.fail(jelly.server_url, "disable", kind="unreachable", reason="jelly is down")
    add_user(jelly, fake_clients, "stuck", -1)
    add_user(navi, fake_clients, "fine", -1)
    summary = expire_users()
    assert summary.disabled == 1
    assert summary.failures == ["stuck on Jelly: jelly is down"]
    failed = ExpiryAction.objects.get(username="stuck")
    assert (failed.action, failed.succeeded, failed.message) == ("disable", False, "jelly is down")


def test_the_job_runs_expiry_and_fails_naming_the_accounts_it_could_not_handle(
    fake_clients, two_servers
):
    jelly, navi = two_servers
    add_user(navi, fake_clients, "fine", -1)
    job = queue_expire_users()
    assert job.dedup_key == "expire_users" and job.subject_type == ""
    assert queue_expire_users().pk == job.pk  # one pending run at a time
    work_one()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result == {"disabled": 1, "deleted": 0}

    fake_clients.fail(jelly.server_url, "disable", reason="no")
    add_user(jelly, fake_clients, "stuck", -1)
    failing = queue_expire_users()
    work_one()
    failing.refresh_from_db()
    assert failing.status == Job.Status.ERROR
    assert "stuck on Jelly: no" in failing.error_message


def test_the_sweep_queues_expiry_only_when_an_account_is_due(fake_clients, make_server):
    server = make_server()
    assert start_if_due() is None
    add_user(server, fake_clients, "old", -1)
    hooks._last_run.clear()
    assert "expire_users" in hooks.run_due_periodic(1000.0)
    assert Job.objects.filter(kind="expire_users").count() == 1
    assert hooks.run_due_periodic(1001.0) == []  # not again before its interval


def test_extending_counts_from_the_current_expiry_or_from_now(fake_clients, make_server):
    server = make_server()
    user = add_user(server, fake_clients, "u", 10)
    before = user.expires
    assert extend_user(user.pk, 14).expires == before + timedelta(days=14)
    never = add_user(server, fake_clients, "n", None)
    extended = extend_user(never.pk, None).expires
    assert abs((extended - timezone.now() - timedelta(days=30)).total_seconds()) < 5


@pytest.mark.parametrize("days", [0, -1, 3651, "5", 1.5, True])
def test_extending_by_anything_but_a_positive_whole_number_is_refused(
    fake_clients, make_server, days
):
    user = add_user(make_server(), fake_clients, "u", 10)
    with pytest.raises(Invalid) as raised:
        extend_user(user.pk, days)
    assert raised.value.field == "days"
