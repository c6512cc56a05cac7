"""Installs the triggers and counts of the tag index (`library.tag_index`) and fills
`TrackTag` from every existing track's `namespace_tags`, in batches of tracks, in SQL."""

from django.db import migrations

from library import tag_index


def forward(apps, schema_editor):
    tag_index.install(schema_editor.connection)
    tag_index.fill(schema_editor.connection)


def backward(apps, schema_editor):
    tag_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0009_track_tags"),
    ]

    operations = [migrations.RunPython(forward, backward)]
