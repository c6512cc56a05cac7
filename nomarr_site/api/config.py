"""Configuration over HTTP: Nomarr's one-key-at-a-time shape (`/api/web/config`) and
Aniworld's nested document (`/api/config`, validate, backups, series directory).

The nested document is only a view of the flat settings store (`nomarr_site.config`):
`DOCUMENT_FIELDS` maps each section field to its setting key, and a few fields are read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from library.series import services as series_services
from nomarr_site import backups, config
from nomarr_site.errors import ValidationFailed
from nomarr_site.setting_values import path_value

# The nested shape of /api/config: section -> field -> setting key.
DOCUMENT_FIELDS: dict[str, dict[str, str]] = {
    "scheduler": {
        "enabled": "scheduler_enabled",
        "interval_minutes": "scheduler_interval_minutes",
        "schedule_time": "scheduler_time",
        "schedule_days": "scheduler_days",
        "auto_download_after_rescan": "scheduler_auto_download",
    },
    "logging": {"level": "log_level", "backup_count": "log_backup_count"},
    "backup": {"enabled": "backup_enabled", "keep_days": "backup_keep_days"},
    "other": {
        "models_dir": "models_dir",
        "library_auto_tag": "library_auto_tag",
        "file_write_mode": "file_write_mode",
        "tagging_preset": "tagging_preset",
        "inference_engine": "inference_engine",
        "inference_precision": "inference_precision",
        "namespace": "namespace",
        "series_directory": "series_directory",
        "tmdb_api_key": "tmdb_api_key",
        "tmdb_language": "tmdb_language",
        "downloads_max_concurrent": "downloads_max_concurrent",
    },
    "imports": {
        "roots": "import_roots",
        "music_library": "import_music_library",
        "nzb_client": "import_nzb_client",
        "sabnzbd_url": "sabnzbd_url",
        "sabnzbd_api_key": "sabnzbd_api_key",
        "sabnzbd_category": "sabnzbd_category",
        "nzbget_url": "nzbget_url",
        "nzbget_username": "nzbget_username",
        "nzbget_password": "nzbget_password",
        "nzbget_category": "nzbget_category",
    },
}


def _read_only_fields() -> dict[str, Any]:
    """Document fields that are shown but not set here (dotted path -> current value). A PUT
    may repeat them unchanged, so a GET answer can be sent back as it is."""
    return {
        "name": "Nomarr",
        "data_dir": str(settings.DATA_DIR),
        "logging.file": None,
        "logging.max_bytes": None,
        "backup.path": str(backups.backup_dir()),
        **{
            f"{section}.{name}_set": bool(config.get(key))
            for section, fields in DOCUMENT_FIELDS.items()
            for name, key in fields.items()
            if config.DEFINITIONS[key].secret
        },
    }


def as_document() -> dict[str, Any]:
    """The configuration in the /api/config shape; secrets appear only as `<name>_set`."""
    values = config.all_values()
    document: dict[str, Any] = {}
    for section, fields in DOCUMENT_FIELDS.items():
        document[section] = {
            name: values[key] for name, key in fields.items() if not config.DEFINITIONS[key].secret
        }
    for path, value in _read_only_fields().items():
        section, _, name = path.rpartition(".")
        (document[section] if section else document)[name] = value
    return document


def _check_field(path: str, key: str | None, value: Any, fixed: dict, out: dict, errors: dict):
    if key is not None:
        try:
            out[key] = config.parse_change(key, value)
        except config.InvalidSetting as exc:
            errors[path] = str(exc)
    elif path in fixed:
        if (type(value), value) != (type(fixed[path]), fixed[path]):
            errors[path] = "is read-only"
    else:
        errors[path] = "unknown section" if "." not in path else "unknown field"


def parse_document(document: Any) -> dict[str, Any]:
    """The setting values a full or partial /api/config document asks for, all validated;
    InvalidConfig maps each bad field (dotted path) to why: unknown, read-only or invalid."""
    if not isinstance(document, Mapping):
        raise config.InvalidConfig({"config": "expected a JSON object"})
    fixed, values, errors = _read_only_fields(), {}, {}
    for name, value in document.items():
        fields = DOCUMENT_FIELDS.get(name)
        if fields is None:
            _check_field(str(name), None, value, fixed, values, errors)
        elif not isinstance(value, Mapping):
            errors[name] = "expected an object"
        else:
            for field_name, field_value in value.items():
                path = f"{name}.{field_name}"
                _check_field(path, fields.get(field_name), field_value, fixed, values, errors)
    if errors:
        raise config.InvalidConfig(errors)
    return values


def _input_kind(item: config.Setting, value: Any) -> str:
    if item.secret:
        return "secret"
    if isinstance(item.parse, config.SomeOf):
        return "multi"
    if isinstance(item.parse, config.OneOf):
        return "select"
    if isinstance(item.parse, config.IntBetween):
        return "number"
    if item.parse is path_value:
        return "folder"  # a text input with the server-side folder picker
    return "checkbox" if isinstance(value, bool) else "text"


def form_fields() -> list[dict[str, Any]]:
    """What the settings page needs to draw one input per editable document field."""
    values, overridden = config.all_values(), set(config.overridden_keys())
    fields = []
    for section, names in DOCUMENT_FIELDS.items():
        for name, key in names.items():
            item = config.DEFINITIONS[key]
            fields.append(
                {
                    "path": f"{section}.{name}",
                    "key": key,
                    "description": item.description,
                    "input": _input_kind(item, values[key]),
                    "choices": list(getattr(item.parse, "choices", ())),
                    "min": getattr(item.parse, "low", None),
                    "max": getattr(item.parse, "high", None),
                    "value": values[key],
                    "restart": item.restart,
                    "env_override": item.env_name if key in overridden else None,
                }
            )
    return fields


class KeyValueSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    value = serializers.JSONField()


class WebConfigView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(config.all_values())

    @extend_schema(
        request=KeyValueSerializer,
        responses=inline_serializer(
            "ConfigUpdated",
            {"success": serializers.BooleanField(), "message": serializers.CharField()},
        ),
    )
    def post(self, request):
        data = KeyValueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data["key"]
        config.set_value(key, config.validate_change(key, data.validated_data["value"]))
        item = config.DEFINITIONS[key]
        message = "Configuration updated successfully"
        if item.restart:
            message += " (takes effect after a restart)"
        if key in config.overridden_keys():
            message += f"; note: {item.env_name} is set in the environment and wins"
        return Response({"success": True, "message": message})


def invalid(exc: config.InvalidConfig) -> ValidationFailed:
    return ValidationFailed(f"Invalid configuration: {exc}", details={"fields": exc.errors})


class SchedulerSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    interval_minutes = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60)
    schedule_time = serializers.CharField(help_text="HH:MM, 24-hour clock")
    schedule_days = serializers.ListField(child=serializers.ChoiceField(choices=config.DAYS))
    auto_download_after_rescan = serializers.BooleanField()


class LoggingSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=config.LOG_LEVELS)
    file = serializers.CharField(allow_null=True, read_only=True)
    max_bytes = serializers.IntegerField(allow_null=True, read_only=True)
    backup_count = serializers.IntegerField(min_value=0, max_value=100)


class BackupSectionSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    path = serializers.CharField(read_only=True)
    keep_days = serializers.IntegerField(min_value=0, max_value=3650)


class OtherSerializer(serializers.Serializer):
    models_dir = serializers.CharField()
    library_auto_tag = serializers.BooleanField()
    file_write_mode = serializers.ChoiceField(choices=["none", "minimal", "full"])
    tagging_preset = serializers.ChoiceField(choices=["reference", "fast"])
    inference_engine = serializers.ChoiceField(choices=["openvino", "essentia"])
    inference_precision = serializers.ChoiceField(choices=["exact", "fast"])
    namespace = serializers.CharField(max_length=32)
    series_directory = serializers.CharField(allow_blank=True)
    tmdb_api_key = serializers.CharField(
        write_only=True, required=False, help_text="Set only; answers carry tmdb_api_key_set"
    )
    tmdb_api_key_set = serializers.BooleanField(read_only=True)
    tmdb_language = serializers.CharField(max_length=5)
    downloads_max_concurrent = serializers.IntegerField(
        min_value=1, max_value=10, help_text="Episode downloads at once (default 1)."
    )


class ImportsSerializer(serializers.Serializer):
    roots = serializers.ListField(
        child=serializers.CharField(), help_text="folders POST /api/import/file may import from"
    )
    music_library = serializers.IntegerField(help_text="0: the first enabled music library")
    nzb_client = serializers.ChoiceField(choices=["none", "sabnzbd", "nzbget"])
    sabnzbd_url = serializers.CharField(allow_blank=True)
    sabnzbd_api_key = serializers.CharField(
        write_only=True, required=False, help_text="Set only; answers carry sabnzbd_api_key_set"
    )
    sabnzbd_api_key_set = serializers.BooleanField(read_only=True)
    sabnzbd_category = serializers.CharField(allow_blank=True)
    nzbget_url = serializers.CharField(allow_blank=True)
    nzbget_username = serializers.CharField(allow_blank=True)
    nzbget_password = serializers.CharField(
        write_only=True, required=False, help_text="Set only; answers carry nzbget_password_set"
    )
    nzbget_password_set = serializers.BooleanField(read_only=True)
    nzbget_category = serializers.CharField(allow_blank=True)


class ConfigDocumentSerializer(serializers.Serializer):
    """The /api/config document (documentation only; `parse_document` validates)."""

    name = serializers.CharField(read_only=True)
    data_dir = serializers.CharField(read_only=True)
    scheduler = SchedulerSerializer()
    logging = LoggingSerializer()
    backup = BackupSectionSerializer()
    other = OtherSerializer()
    imports = ImportsSerializer()


class ConfigView(APIView):
    @extend_schema(responses=ConfigDocumentSerializer)
    def get(self, request):
        return Response(as_document())

    @extend_schema(
        request=ConfigDocumentSerializer(partial=True),
        responses=ConfigDocumentSerializer,
        description="Apply a partial update: sections merge, unknown or invalid fields are a "
        "400 and nothing is saved.",
    )
    def put(self, request):
        try:
            values = parse_document(request.data)
        except config.InvalidConfig as exc:
            raise invalid(exc) from None
        backups.backup_before_change()
        config.set_many(values)
        return Response(as_document())


class FormFieldSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="section.field in the /api/config document")
    key = serializers.CharField(help_text="the flat key of /api/web/config")
    description = serializers.CharField()
    input = serializers.ChoiceField(
        choices=["text", "number", "checkbox", "select", "multi", "secret"]
    )
    choices = serializers.ListField(child=serializers.CharField())
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    value = serializers.JSONField(help_text="current value; for a secret only whether it is set")
    restart = serializers.BooleanField()
    env_override = serializers.CharField(
        allow_null=True, help_text="the environment variable that overrides it, if set"
    )


class ConfigFieldsView(APIView):
    @extend_schema(
        responses=inline_serializer("ConfigFields", {"fields": FormFieldSerializer(many=True)}),
        description="The editable settings with their descriptions and limits, for forms.",
    )
    def get(self, request):
        return Response({"fields": form_fields()})


class ConfigValidateView(APIView):
    @extend_schema(
        request=ConfigDocumentSerializer(partial=True),
        responses=inline_serializer(
            "ConfigValidation",
            {
                "valid": serializers.BooleanField(),
                "errors": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def post(self, request):
        try:
            parse_document(request.data)
        except config.InvalidConfig as exc:
            return Response({"valid": False, "errors": exc.messages()})
        return Response({"valid": True, "errors": []})


class BackupInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    created = serializers.DateTimeField()


class BackupListView(APIView):
    @extend_schema(responses=BackupInfoSerializer(many=True))
    def get(self, request):
        return Response(backups.list_backups())

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "name",
                str,
                required=False,
                description="File name (letters, digits, '.', '_', '-'; '.json' is appended). "
                "Default: config_backup_<UTC time>.json",
            )
        ],
        responses=inline_serializer(
            "BackupCreated",
            {"name": serializers.CharField(), "message": serializers.CharField()},
        ),
    )
    def post(self, request):
        name = backups.create_backup(request.query_params.get("name"))
        return Response({"name": name, "message": "Backup created successfully"})


class BackupRestoreView(APIView):
    @extend_schema(request=None, responses=ConfigDocumentSerializer)
    def post(self, request, name: str):
        backups.restore_backup(name)
        return Response(as_document())


class BackupDetailView(APIView):
    @extend_schema(
        responses={200: inline_serializer("BackupDeleted", {"message": serializers.CharField()})}
    )
    def delete(self, request, name: str):
        deleted = backups.delete_backup(name)
        return Response({"message": f"Backup '{deleted}' deleted successfully"})


class DirectorySerializer(serializers.Serializer):
    directory = serializers.CharField(max_length=4096, trim_whitespace=False)


class SeriesDirectoryView(APIView):
    @extend_schema(
        request=DirectorySerializer,
        responses=inline_serializer(
            "SeriesDirectoryUpdated",
            {"message": serializers.CharField(), "synced_series": serializers.IntegerField()},
        ),
        description="Set the series directory and sync its show folders (one per series) into "
        "the series library; `synced_series` counts them. A scan for their episodes is queued.",
    )
    def post(self, request):
        data = DirectorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            count = series_services.set_directory(data.validated_data["directory"])
        except config.InvalidSetting as exc:
            raise ValidationFailed(
                f"directory: {exc}", details={"fields": {"directory": str(exc)}}
            ) from None
        return Response({"message": "Anime directory updated successfully", "synced_series": count})
