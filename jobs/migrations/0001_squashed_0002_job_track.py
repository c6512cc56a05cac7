"""The queue's first two migrations (0001_initial, 0002_job_track) in one, without depending
on `library`'s migrations.

The job's old links are plain integer columns here (`library_id`, `track_id`, the columns the
foreign keys had), so the queue's migrations never name another app; 0003 moves them into the
subject and drops them. A database that applied 0001 and 0002 records this one as applied
(`replaces`) and keeps its rows; a fresh one is created from it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('jobs', '0001_initial'), ('jobs', '0002_job_track')]

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
                ('library_id', models.BigIntegerField(blank=True, null=True)),
                ('track_id', models.BigIntegerField(blank=True, null=True)),
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
        migrations.AddConstraint(
            model_name='job',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'running']), models.Q(('dedup_key', ''), _negated=True)), fields=('dedup_key',), name='jobs_unique_active_dedup_key'),
        ),
    ]
