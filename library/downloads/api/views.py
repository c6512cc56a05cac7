"""`/api/queue/*` as the Aniworld reference has it: status, add, start/stop/pause, remove one
or many, clear completed/failed/pending, reorder and retry. Body errors are 422
`VALIDATION_ERROR`, as for `/api/anime*`; an unknown item is 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from library.downloads import items, queue_state, shapes
from library.downloads.api import schemas
from library.downloads.api.schemas import (
    DownloadAddSerializer,
    DownloadIdsSerializer,
    DownloadReorderSerializer,
    DownloadRetrySerializer,
)
from library.series.api.validation import validated


def _posted_ids(request: Request, serializer: type[Serializer]) -> list[str]:
    """The body's `item_ids` as strings once `serializer` accepts it (else 422)."""
    data = validated(serializer(data=request.data))
    return [str(item_id) for item_id in data.get("item_ids") or []]


def _success(message: str, **extra: Any) -> Response:
    """The reference's answer to a queue action: `status`, `message` and what it adds."""
    return Response({"status": "success", "message": message, **extra})


class QueueStatusView(APIView):
    @extend_schema(responses=schemas.STATUS)
    def get(self, request: Request) -> Response:
        return Response(shapes.status_body())


class QueueAddView(APIView):
    @extend_schema(request=DownloadAddSerializer, responses={201: schemas.ADDED})
    def post(self, request: Request) -> Response:
        data = validated(DownloadAddSerializer(data=request.data))
        series = items.find_series(data["serie_id"], data.get("serie_folder") or "")
        result = items.add(series, data["episodes"], data["priority"], data["serie_id"])
        if not result.failed:
            outcome = "success"
        else:
            outcome = "partial" if result.added else "failed"
        body = {
            "status": outcome,
            "message": f"Added {len(result.added)} episode(s) to download queue",
            "added_items": result.added,
            "item_ids": result.added,
            "failed_items": result.failed,
        }
        return Response(body, status=201)


class QueueStartView(APIView):
    @extend_schema(request=None, responses=schemas.MESSAGE)
    def post(self, request: Request) -> Response:
        queue_state.start()
        return _success(queue_state.STARTED_MESSAGE)


class QueueStopView(APIView):
    @extend_schema(request=None, responses=schemas.MESSAGE)
    def post(self, request: Request) -> Response:
        queue_state.stop()
        return _success(queue_state.STOPPED_MESSAGE)


class QueuePauseView(APIView):
    @extend_schema(
        request=None, responses=schemas.MESSAGE, description="An alias of stop (same state)."
    )
    def post(self, request: Request) -> Response:
        queue_state.stop(queue_state.PAUSED_MESSAGE)
        return _success(queue_state.PAUSED_MESSAGE)


class QueueItemView(APIView):
    @extend_schema(
        operation_id="api_queue_item_destroy",
        request=None,
        responses={204: None},
        description="Removes the item; a running download is cancelled (its partial file "
        "goes). 404 for an unknown id.",
    )
    def delete(self, request: Request, item_id: Any) -> Response:
        items.remove([str(item_id)])
        return Response(status=204)


class QueueItemsView(APIView):
    @extend_schema(
        operation_id="api_queue_items_destroy",
        request=DownloadIdsSerializer,
        responses={204: None},
        description="Removes every listed item (404 naming the unknown ones; then nothing is "
        "removed). Running downloads are cancelled.",
    )
    def delete(self, request: Request) -> Response:
        items.remove(_posted_ids(request, DownloadIdsSerializer))
        return Response(status=204)


class QueueClearView(APIView):
    which = "completed"

    @extend_schema(request=None, responses=schemas.CLEARED)
    def delete(self, request: Request) -> Response:
        count = items.clear(self.which)
        verb = "Removed" if self.which == "pending" else "Cleared"
        return _success(f"{verb} {count} {self.which} item(s)", count=count)


class QueueReorderView(APIView):
    @extend_schema(
        request=DownloadReorderSerializer,
        responses=schemas.MESSAGE,
        description="`item_ids`: every pending item, once, in the new order (422 names the "
        "missing, unknown or not pending ones). The order beats priorities.",
    )
    def post(self, request: Request) -> Response:
        count = items.reorder(_posted_ids(request, DownloadReorderSerializer))
        return _success(f"Queue reordered with {count} items")


class QueueRetryView(APIView):
    @extend_schema(
        request=DownloadRetrySerializer,
        responses=schemas.RETRIED,
        description="Queues failed items again; an empty `item_ids` retries every failed item. "
        "Ids that are unknown or not failed are skipped.",
    )
    def post(self, request: Request) -> Response:
        retried = items.retry(_posted_ids(request, DownloadRetrySerializer))
        return _success(
            f"Retrying {len(retried)} failed item(s)",
            retried_count=len(retried),
            retried_ids=retried,
        )
