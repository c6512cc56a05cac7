"""The Django admin at /backoffice/: every model of Nomarr's apps is registered and its list
page renders for the admin; the browsable API is offered to staff only."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

OUR_APPS = ("nomarr_site", "jobs", "library", "calibration", "invitations", "media_meta")


def our_models():
    return [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]


def test_every_model_is_registered():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m.__name__)
def test_each_list_page_renders_with_search_and_filters(admin_browser, model):
    meta = model._meta
    response = admin_browser.get(f"/backoffice/{meta.app_label}/{meta.model_name}/?q=x")
    assert response.status_code == 200


def test_the_browsable_api_is_for_staff_only(admin_browser, key_holder):
    html = admin_browser.get("/api/api-keys", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    as_key = key_holder.get("/api/api-keys", HTTP_ACCEPT="text/html")
    assert as_key.status_code == 200
    assert as_key["Content-Type"].startswith("application/json")
