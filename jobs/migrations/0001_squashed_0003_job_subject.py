"""The job queue's tables as they are after 0001-0003, without any dependency on `library`.

Fresh databases are created from this; on a database that has applied 0001-0003 Django records
it as applied. The replaced migrations stay until every install has passed 0003 (a database
stopped between 0001 and 0003 still needs them, and 0003's data migration); then they and
`replaces` can go.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('jobs', '0001_initial'), ('jobs', '0002_job_track'), ('jobs', '0003_job_subject')]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='QueueControl',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('paused', models.BooleanField(default=False)),
                ('paused_at', models.DateTimeField(blank=True, null=True)),
                ('restart_requested_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'queue control',
            },
        ),
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(db_index=True, max_length=64)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('error', 'Error'), ('cancelled', 'Cancelled')], default='pending', max_length=16)),
                ('priority', models.SmallIntegerField(choices=[(0, 'LOW'), (1, 'NORMAL'), (2, 'HIGH')], default=1)),
                ('position', models.IntegerField(default=0, help_text='Manual order within a priority.')),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('path', models.CharField(blank=True, default='', max_length=4096)),
                ('dedup_key', models.CharField(blank=True, default='', max_length=512)),
                ('progress_fraction', models.FloatField(blank=True, null=True)),
                ('progress_message', models.CharField(blank=True, default='', max_length=500)),
                ('progress_counters', models.JSONField(blank=True, default=dict)),
                ('progress_speed', models.FloatField(blank=True, null=True)),
                ('progress_eta', models.FloatField(blank=True, help_text='Seconds left.', null=True)),
                ('result', models.JSONField(blank=True, null=True)),
                ('error_message', models.TextField(blank=True, default='')),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('max_attempts', models.PositiveIntegerField(default=3)),
                ('force', models.BooleanField(default=False)),
                ('cancel_requested', models.BooleanField(default=False)),
                ('run_after', models.DateTimeField(blank=True, help_text='Retry back-off.', null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('worker_id', models.CharField(blank=True, default='', max_length=200)),
                ('subject_type', models.CharField(blank=True, default='', help_text='A registered subject key, e.g. library.track (empty: no subject).', max_length=64)),
                ('subject_id', models.BigIntegerField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-priority', 'position', 'created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='WorkerHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('worker_id', models.CharField(max_length=200, unique=True)),
                ('cluster_id', models.CharField(db_index=True, max_length=64)),
                ('number', models.IntegerField(default=0)),
                ('host', models.CharField(max_length=255)),
                ('pid', models.IntegerField()),
                ('kind', models.CharField(default='idle', max_length=64)),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_seen', models.DateTimeField(default=django.utils.timezone.now)),
                ('current_job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.job')),
            ],
            options={
                'ordering': ['cluster_id', 'number', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', '-priority', 'position', 'created_at', 'id'], name='jobs_claim_order'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', 'finished_at'], name='jobs_status_finished'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['subject_type', 'subject_id'], name='jobs_subject'),
        ),
        migrations.AddConstraint(
            model_name='job',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'running']), models.Q(('dedup_key', ''), _negated=True)), fields=('dedup_key',), name='jobs_unique_active_dedup_key'),
        ),
    ]
