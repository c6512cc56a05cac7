"""Jobs name a generic subject instead of links into `library`.

Each job keeps its link: a track becomes `library.track:<id>`, else a library becomes
`library.library:<id>`. Tag jobs queued by track id get the one tag payload, `{"path"}`
(the job's `path` already holds the track's file).
"""

from django.db import migrations, models


def links_to_subjects(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    tracks = Job.objects.filter(track_id__isnull=False)
    tracks.update(subject_type="library.track", subject_id=models.F("track_id"))
    libraries = Job.objects.filter(track_id__isnull=True, library_id__isnull=False)
    libraries.update(subject_type="library.library", subject_id=models.F("library_id"))
    by_track = Job.objects.filter(kind="tag", payload__has_key="track_id").exclude(path="")
    for job in by_track.only("pk", "path").iterator():
        Job.objects.filter(pk=job.pk).update(payload={"path": job.path})


def subjects_to_links(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Job.objects.filter(subject_type="library.track").update(track_id=models.F("subject_id"))
    Job.objects.filter(subject_type="library.library").update(library_id=models.F("subject_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_squashed_0002_job_track'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='subject_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='job',
            name='subject_type',
            field=models.CharField(blank=True, default='', help_text='A registered subject key, e.g. library.track (empty: no subject).', max_length=64),
        ),
        migrations.RunPython(links_to_subjects, subjects_to_links),
        migrations.RemoveField(
            model_name='job',
            name='library_id',
        ),
        migrations.RemoveField(
            model_name='job',
            name='track_id',
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['subject_type', 'subject_id'], name='jobs_subject'),
        ),
    ]
