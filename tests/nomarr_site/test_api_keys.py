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
    call_command("manage_key", "--generate", "--name", "cron", "--scope", "full")
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


# Scopes: `tag` keys tag and read status; `full` keys may do everything keys may do.


def test_a_key_is_created_with_the_scope_asked_for_and_lists_show_it(token_holder):
    response = token_holder.post("/api/api-keys", {"name": "Lidarr", "scope": "tag"}, format="json")
    assert response.status_code == 201
    assert response.json()["api_key"]["scope"] == "tag"
    listing = token_holder.get("/api/api-keys").json()["api_keys"]
    assert [(key["name"], key["scope"]) for key in listing] == [("Lidarr", "tag")]


def test_a_key_created_without_a_scope_is_full_as_before_scopes(token_holder):
    response = token_holder.post("/api/api-keys", {"name": "old script"}, format="json")
    assert response.json()["api_key"]["scope"] == "full"


@pytest.mark.parametrize("scope", ["admin", "", "TAG", 1, None, ["tag"]])
def test_an_unknown_scope_is_refused_with_400(token_holder, scope):
    response = token_holder.post("/api/api-keys", {"name": "x", "scope": scope}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert "scope" in body["details"]["fields"]
    from nomarr_site.models import ApiKey

    assert not ApiKey.objects.exists()


def test_manage_key_takes_the_scope_as_an_option(capsys):
    from nomarr_site.models import ApiKey

    call_command("manage_key", "--generate", "--name", "lidarr", "--scope", "tag")
    assert "(scope tag)" in capsys.readouterr().out
    assert ApiKey.objects.get(name="lidarr").scope == "tag"
    call_command("manage_key", "--list")
    assert "\ttag\t" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("manage_key", "--generate", "--scope", "admin")


def test_manage_key_without_a_terminal_asks_for_the_scope_option(monkeypatch):
    from nomarr_site.models import ApiKey

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="--scope tag or --scope full"):
        call_command("manage_key", "--generate", "--name", "cron")
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("answers", "scope"),
    [([""], "tag"), (["1"], "tag"), (["maybe", "2"], "full"), (["full"], "full")],
)
def test_manage_key_at_a_terminal_asks_the_scope_offering_tag_first(
    monkeypatch, capsys, answers, scope
):
    from nomarr_site.models import ApiKey

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    replies = iter(answers)
    monkeypatch.setattr("builtins.input", lambda prompt: next(replies))
    call_command("manage_key", "--generate", "--name", "asked")
    out = capsys.readouterr().out
    assert out.index("1. tag") < out.index("2. full")
    assert ApiKey.objects.get(name="asked").scope == scope


def test_manage_key_at_a_terminal_without_an_answer_stops(monkeypatch):
    def no_answer(prompt):
        raise EOFError

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", no_answer)
    with pytest.raises(CommandError, match="--scope"):
        call_command("manage_key", "--generate")


@pytest.mark.django_db(transaction=True)
def test_keys_made_before_scopes_become_full_keys():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("nomarr_site", "0002_outboxevent")]
    after = [("nomarr_site", "0003_apikey_scope")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old_model = executor.loader.project_state(before).apps.get_model("nomarr_site", "ApiKey")
        old_model.objects.create(name="cron", prefix="nmr_old", key_hash="0" * 64)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new_model = executor.loader.project_state(after).apps.get_model("nomarr_site", "ApiKey")
        assert new_model.objects.get(name="cron").scope == "full"
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_a_second_key_with_a_taken_name_is_refused_under_the_name_field(token_holder):
    assert token_holder.post("/api/api-keys", {"name": "Lidarr"}, format="json").status_code == 201
    response = token_holder.post("/api/api-keys", {"name": " lidarr "}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["message"] == (
        "An API key named 'lidarr' already exists; choose another name or revoke it."
    )
    assert body["details"]["fields"] == {"name": [body["message"]]}
    assert token_holder.get("/api/api-keys").json()["count"] == 1


def test_a_revoked_keys_name_can_be_used_again(token_holder):
    first = token_holder.post("/api/api-keys", {"name": "Old"}, format="json").json()["api_key"]
    assert token_holder.delete(f"/api/api-keys/{first['id']}").status_code == 200
    assert token_holder.post("/api/api-keys", {"name": "Old"}, format="json").status_code == 201


def test_a_name_over_the_limit_is_refused_with_its_length_not_cut(token_holder):
    response = token_holder.post("/api/api-keys", {"name": "k" * 150}, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["fields"] == {
        "name": ["The name is 150 characters long; the limit is 100."]
    }


def test_the_cli_refuses_a_long_or_taken_name_and_numbers_its_default_names(capsys):
    from nomarr_site.models import ApiKey

    with pytest.raises(CommandError, match="limit is 100"):
        call_command("manage_key", "--generate", "--name", "n" * 120, "--scope", "tag")
    call_command("manage_key", "--generate", "--name", "Beets", "--scope", "tag")
    with pytest.raises(CommandError, match="named 'BEETS' already exists"):
        call_command("manage_key", "--generate", "--name", "BEETS", "--scope", "tag")
    call_command("manage_key", "--generate", "--scope", "tag")
    call_command("manage_key", "--generate", "--scope", "tag")
    names = list(ApiKey.objects.active().order_by("id").values_list("name", flat=True))
    assert names == ["Beets", "CLI key", "CLI key 2"]
