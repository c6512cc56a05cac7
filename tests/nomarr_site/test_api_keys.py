"""API keys over HTTP and from the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_creating_a_key_shows_it_once(token_holder):
    response = token_holder.post("/api/api-keys", {"name": "Lidarr"}, format="json")
    assert response.status_code == 201
    body = response.json()
    clear = body["api_key"]["key"]
    assert len(clear) >= 43
    listing = token_holder.get("/api/api-keys").json()
    assert listing["count"] == 1
    assert clear not in str(listing)
    assert listing["api_keys"][0]["name"] == "Lidarr"
    assert listing["api_keys"][0]["created_by"] == "admin"


def test_many_keys_at_once_each_work(token_holder, anonymous):
    clears = [
        token_holder.post("/api/api-keys", {"name": f"k{i}"}, format="json").json()["api_key"][
            "key"
        ]
        for i in range(3)
    ]
    for clear in clears:
        assert anonymous.get("/api/api-keys", HTTP_X_API_KEY=clear).status_code == 200


def test_deleting_a_key_soft_deletes_it(token_holder, api_key, anonymous):
    from nomarr_site.models import ApiKey

    response = token_holder.delete(f"/api/api-keys/{api_key.pk}")
    assert response.status_code == 200
    assert response.json()["message"] == "API key 'test key' deleted successfully"
    assert ApiKey.objects.filter(pk=api_key.pk, is_active=False).exists()
    assert anonymous.get("/api/api-keys", HTTP_X_API_KEY=api_key.clear).status_code == 401


def test_a_key_cannot_delete_itself(key_holder):
    response = key_holder.delete(f"/api/api-keys/{key_holder.key.pk}")
    assert response.status_code == 400
    assert (
        "currently" in response.json()["message"] or "used for this" in response.json()["message"]
    )


def test_blank_or_huge_names_are_refused(token_holder):
    assert token_holder.post("/api/api-keys", {"name": "  "}, format="json").status_code == 400
    assert token_holder.post("/api/api-keys", {"name": "x" * 101}, format="json").status_code == 400
    assert token_holder.post("/api/api-keys", {"name": 12}, format="json").status_code == 201


def test_manage_key_generate_list_show_and_revoke(capsys):
    call_command("manage_key", "--generate", "--name", "cron")
    out = capsys.readouterr().out
    clear = out.strip().splitlines()[-1]
    assert clear.startswith("nmr_")
    call_command("manage_key", "--list")
    listing = capsys.readouterr().out
    assert "cron" in listing and clear not in listing
    call_command("manage_key", "--show")
    assert "only once" in capsys.readouterr().out
    from nomarr_site.models import ApiKey

    key = ApiKey.objects.get(name="cron")
    call_command("manage_key", "--revoke", str(key.pk))
    assert ApiKey.find(clear) is None
    with pytest.raises(CommandError):
        call_command("manage_key", "--revoke", str(key.pk))


def test_manage_password_reset_prints_a_working_password(capsys, admin_user):
    from nomarr_site.auth import passwords

    call_command("manage_password", "--reset")
    new = capsys.readouterr().out.strip().split(": ", 1)[1]
    assert passwords.verify(new) is not None
    call_command("manage_password", "--show")
    assert "--reset" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("manage_password", "--set", "weak")
