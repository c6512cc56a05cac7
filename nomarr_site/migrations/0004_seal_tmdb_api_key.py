"""Seal a TMDB API key stored in plain text before the setting became `sealed`; reversing
opens it again so the previous code reads it."""

from django.db import migrations

from nomarr_site import sealing

KEY = "tmdb_api_key"


def seal_plain_key(apps, schema_editor):
    AppSetting = apps.get_model("nomarr_site", "AppSetting")
    for row in AppSetting.objects.filter(key=KEY):
        if not isinstance(row.value, str) or not row.value:
            continue
        try:
            sealing.unseal(row.value)
            continue  # already sealed (the migration ran on a copy before)
        except sealing.Unreadable:
            pass
        row.value = sealing.seal(row.value)
        row.save(update_fields=["value"])


def open_sealed_key(apps, schema_editor):
    AppSetting = apps.get_model("nomarr_site", "AppSetting")
    for row in AppSetting.objects.filter(key=KEY):
        if not isinstance(row.value, str) or not row.value:
            continue
        try:
            row.value = sealing.unseal(row.value)
        except sealing.Unreadable:
            continue  # plain already, or sealed under another SECRET_KEY: left as it is
        row.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [("nomarr_site", "0003_apikey_scope")]

    operations = [migrations.RunPython(seal_plain_key, open_sealed_key)]
