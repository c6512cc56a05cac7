"""Jobs name a generic subject instead of foreign keys into `library`.

Each job keeps its link: a track becomes `library.track:<id>`, else a library becomes
`library.library:<id>`. Tag jobs queued by track id get the one tag payload, `{"path"}`
(the job's `path` already holds the track's file). Kept for installs that have applied
0001-0002 but not this one; `0001_squashed_0003_job_subject` replaces all three elsewhere.
"""

from django.db import migrations, models


def links_to_subjects(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    jobs = Job.objects.filter(models.Q(track_id__isnull=False) | models.Q(library_id__isnull=False))
    for job in jobs.iterator():
        if job.track_id is not None:
            job.subject_type, job.subject_id = "library.track", job.track_id
        else:
            job.subject_type, job.subject_id = "library.library", job.library_id
        job.save(update_fields=["subject_type", "subject_id"])
    for job in Job.objects.filter(kind="tag").iterator():
        payload = job.payload or {}
        if "path" not in payload and job.path:
            job.payload = {"path": job.path}
            job.save(update_fields=["payload"])


def subjects_to_links(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    Library = apps.get_model("library", "Library")
    Track = apps.get_model("library", "Track")
    # Only rows that still exist: the foreign keys would refuse the others.
    tracks = Job.objects.filter(subject_type="library.track", subject_id__in=Track.objects.values("pk"))
    tracks.update(track_id=models.F("subject_id"))
    libraries = Job.objects.filter(
        subject_type="library.library", subject_id__in=Library.objects.values("pk")
    )
    libraries.update(library_id=models.F("subject_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0002_job_track'),
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
            name='library',
        ),
        migrations.RemoveField(
            model_name='job',
            name='track',
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['subject_type', 'subject_id'], name='jobs_subject'),
        ),
    ]
