"""The calibration and analytics pages: reachable from the menu, server-rendered SVG charts
with the calibration's p5/p95 marked and the drift history, and the login they need."""

from __future__ import annotations

import pytest

from calibration.build import build
from tests.calibration.conftest import store_scores, uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def calibrated(library):
    happy = uniform(101)
    tracks = store_scores(library, {"mood_happy": {"happy": happy, "non_happy": happy[::-1]}})
    for i, track in enumerate(tracks):
        track.namespace_tags = {
            "nom:mood-regular": ["happy", "party"] if i % 2 else "happy",
            "nom:genre_discogs400": ["Rock---Punk", "Jazz---Bop"] if i % 3 else "Pop---Indie",
        }
        track.save()
    build()
    build()


def test_the_menu_links_both_pages(admin_browser, db):
    html = admin_browser.get("/web/dashboard").content.decode()

    assert 'href="/web/calibration"' in html and 'href="/web/analytics"' in html


def test_the_calibration_page_shows_the_runs_and_the_version_in_effect(admin_browser, calibrated):
    html = admin_browser.get("/web/calibration").content.decode()

    assert "In effect: calibration 1" in html
    assert html.count('<tr><td data-label="Version">') == 2
    assert 'data-generate-url="/api/web/calibration/generate"' in html


def test_the_analytics_page_draws_moods_genres_correlations_and_histograms(
    admin_browser, calibrated
):
    html = admin_browser.get("/web/analytics").content.decode()

    assert 'data-chart="moods"' in html and 'data-label="happy"' in html
    assert 'data-chart="genres"' in html and 'data-label="Rock---Punk"' in html
    assert 'data-chart="heatmap"' in html and "happy / party" in html
    assert 'data-chart="histogram"' in html
    assert 'data-mark="p5"' in html and 'data-mark="p95"' in html
    assert 'data-drift="mood_happy"' in html


def test_an_empty_analytics_page_says_what_to_do(admin_browser, db):
    html = admin_browser.get("/web/analytics").content.decode()

    assert "No mood tiers yet" in html and "No calibration yet" in html


@pytest.mark.parametrize("url", ["/web/calibration", "/web/analytics", "/web/navidrome"])
def test_the_pages_send_a_visitor_to_the_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302 and "/web/login" in response["Location"]


def test_the_navidrome_page_shows_the_toml_and_the_tags(admin_browser, calibrated):
    html = admin_browser.get("/web/navidrome").content.decode()

    assert "[Tags.nom_mood_regular]" in html
    assert 'data-preview-url="/api/web/navidrome/playlists/preview"' in html
    assert '<td data-label="Field">nom_genre_discogs400</td>' in html
