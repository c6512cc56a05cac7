"""The processing and track pages: served to the admin, closed to visitors, a 404 for an
unknown track, and the track's raw scores drawn as server-rendered SVG bars."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(tmp_path):
    from library.models import Library, Track, TrackScore

    library = Library.objects.create(name="Music", root_path=str(tmp_path))
    track = Track.objects.create(
        library=library,
        path=str(tmp_path / "Artist" / "Album" / "01 Song.flac"),
        relative_path="Artist/Album/01 Song.flac",
        size=1000,
        mtime=1.0,
        format="flac",
        codec="flac",
        duration=185.4,
        title="Song <One>",
        artist="Artist",
        album="Album",
        tagged_version="nom-1.0-abc123",
    )
    common = {"track": track, "model_file": "m.pb", "embedding_model": "discogs-effnet-bs64-1"}
    # Classes in the head's metadata order, which is not alphabetical for mood_sad.
    for label, mean in (("non_sad", 0.7), ("sad", 0.3)):
        TrackScore.objects.create(head="mood_sad", label=label, score_mean=mean, **common)
    TrackScore.objects.create(
        head="approachability_regression", label="", score_mean=0.42, **common
    )
    for i in range(20):
        TrackScore.objects.create(
            head="genre_discogs400", label=f"Genre---Style{i}", score_mean=i / 40, **common
        )
    return track


def chart(html: str, head: str) -> str:
    match = re.search(rf'<svg[^>]*data-chart="{head}".*?</svg>', html, re.S)
    assert match, f"no chart for {head}"
    return match.group(0)


def test_the_processing_page_renders_for_the_admin_with_its_api_urls(admin_browser):
    response = admin_browser.get("/web/process")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-process-url="/api/web/processing/process-files"' in html
    assert 'data-browse-url-template="/api/web/libraries/{id}/browse"' in html
    assert 'data-job-status-url="/api/web/queue/status/"' in html
    assert "js/processing.js" in html
    assert re.search(r'href="/web/process"[^>]*class="active"', html)


@pytest.mark.parametrize("url", ["/web/process", "/web/tracks/1"])
def test_the_pages_send_anonymous_visitors_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/web/login")


def test_the_track_page_shows_the_tracks_fields(admin_browser, track):
    response = admin_browser.get(f"/web/tracks/{track.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Song &lt;One&gt;" in html  # escaped, never raw markup
    assert "<One>" not in html
    assert "3:05" in html  # the duration as minutes:seconds
    assert "nom-1.0-abc123" in html
    assert f'data-track-path="{track.path}"' in html
    assert "js/track.js" in html


def test_an_unknown_track_is_a_404_page(admin_browser):
    response = admin_browser.get("/web/tracks/987654")
    assert response.status_code == 404


def test_the_score_chart_draws_one_bar_per_class(admin_browser, track):
    html = admin_browser.get(f"/web/tracks/{track.pk}").content.decode()
    sad = chart(html, "mood_sad")
    assert re.findall(r'class="bar" data-label="([^"]+)"', sad) == ["non_sad", "sad"]
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', sad)]
    assert widths[0] > widths[1] > 0  # 0.7 draws longer than 0.3
    assert len(re.findall(r'class="bar"', chart(html, "approachability_regression"))) == 1


def test_a_head_with_many_classes_charts_its_strongest_and_lists_them_all(admin_browser, track):
    html = admin_browser.get(f"/web/tracks/{track.pk}").content.decode()
    labels = re.findall(r'class="bar" data-label="([^"]+)"', chart(html, "genre_discogs400"))
    assert labels == [f"Genre---Style{i}" for i in range(19, 7, -1)]  # the 12 strongest
    table = re.search(r'data-scores="genre_discogs400".*?</table>', html, re.S).group(0)
    assert table.count("<tr>") == 21  # the header and every class
    assert "0.475" in table and "0.000" in table


def test_a_track_without_scores_says_it_has_not_been_analysed(admin_browser, track):
    track.scores.all().delete()
    html = admin_browser.get(f"/web/tracks/{track.pk}").content.decode()
    assert "data-no-scores" in html
    assert "<svg" not in html


def test_a_negative_regression_score_draws_its_bar_left_of_zero(admin_browser, track):
    track.scores.filter(head="approachability_regression").update(score_mean=-3.0, score_std=0.5)
    svg = chart(
        admin_browser.get(f"/web/tracks/{track.pk}").content.decode(), "approachability_regression"
    )
    zero = float(re.search(r'class="zero" x1="([\d.]+)"', svg).group(1))
    x, width = (
        float(v)
        for v in re.search(r'class="bar"[^>]*x="([\d.]+)"[^>]*width="([\d.]+)"', svg).groups()
    )
    assert x + width == pytest.approx(zero, abs=0.02)
    low, high = (
        float(v) for v in re.search(r'class="spread" x1="([\d.]+)" x2="([\d.]+)"', svg).groups()
    )
    assert low < x < high < zero  # the spread straddles the end of the bar


def test_the_track_page_lists_the_tracks_latest_jobs_with_their_outcome(admin_browser, track):
    from jobs.models import Job

    other = Job.objects.create(kind="tag", path="/elsewhere.flac")
    done = Job.objects.create(
        kind="tag",
        subject_type="library.track",
        subject_id=track.pk,
        path=track.path,
        status=Job.Status.DONE,
        progress_message="tagged by 8 models; tags written",
    )
    failed = Job.objects.create(
        kind="tag",
        subject_type="library.track",
        subject_id=track.pk,
        path=track.path,
        status=Job.Status.ERROR,
        force=True,
        error_message="Cannot decode: it contains no audio",
    )
    html = admin_browser.get(f"/web/tracks/{track.pk}").content.decode()
    table = re.search(r"data-track-jobs.*?</table>", html, re.S).group(0)
    rows = re.findall(r'data-job="(\d+)"', table)
    assert rows == [str(failed.pk), str(done.pk)]  # newest first, only this track's
    assert str(other.pk) not in rows
    assert "Cannot decode: it contains no audio" in table and "forced" in table
    assert "tagged by 8 models; tags written" in table


def test_a_track_without_jobs_says_so(admin_browser, track):
    html = admin_browser.get(f"/web/tracks/{track.pk}").content.decode()
    assert "data-no-jobs" in html and "data-track-jobs" not in html
