"""The series API in Aniworld's shapes: status, the list of series missing episodes (paging,
sorting, filters, 422 on bad values), TMDB search (public), add (409 on a duplicate), rescan
(a job) and one series (public, by key or folder)."""

from __future__ import annotations

import pytest

from jobs.models import Job
from library.models import Series
from library.series.scan import sync_folders
from nomarr_site import config

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(series_dir, tmdb):
    """The series directory synced and scanned (Attack on Titan misses 1-2 and 2-1)."""
    from library.series.episodes import scan_series
    from media_meta.tmdb import TmdbClient

    sync_folders(series_dir)
    for series in Series.objects.all():
        scan_series(series, series_dir, TmdbClient.from_settings())
    return series_dir


def test_status_names_the_directory_and_counts_the_series(token_holder, scanned):
    body = token_holder.get("/api/anime/status").json()
    assert body == {"directory": str(scanned), "series_count": 2}


def test_the_list_is_a_bare_array_of_series_missing_episodes(token_holder, scanned):
    response = token_holder.get("/api/anime")
    assert response.status_code == 200
    assert response.json() == [
        {
            "key": "attack-on-titan",
            "name": "Attack on Titan",
            "site": "themoviedb.org",
            "folder": "Attack on Titan (2013) [tmdbid-1429]",
            "missing_episodes": {"1": [2], "2": [1]},
            "link": "https://www.themoviedb.org/tv/1429",
        }
    ]


def test_filters_sorting_and_paging_narrow_the_list(token_holder, scanned):
    other = Series.objects.create(key="gone", name="A Gone Show", folder="A Gone Show")
    other.episodes.create(season=1, number=1, is_present=False)

    def names(**query):
        return [s["name"] for s in token_holder.get("/api/anime", query).json()]

    assert names() == ["A Gone Show", "Attack on Titan"]
    assert names(filter="no_episodes") == ["A Gone Show"]
    assert names(filter="missing_episodes") == ["A Gone Show", "Attack on Titan"]
    assert names(sort_by="missing_episodes") == ["Attack on Titan", "A Gone Show"]
    assert names(sort_by="id") == ["Attack on Titan", "A Gone Show"]
    assert names(page=2, per_page=1) == ["Attack on Titan"]
    assert names(page=3, per_page=1) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "1001"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"filter": "everything"}, "filter"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(token_holder, db, query, field):
    response = token_holder.get("/api/anime", query)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR" and body["details"]["field"] == field


def test_search_is_public_and_answers_series_objects(anonymous, tmdb):
    response = anonymous.get("/api/anime/search", {"query": "titan"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "key": "attack-on-titan",
            "name": "Attack on Titan",
            "site": "themoviedb.org",
            "folder": "Attack on Titan (2013)",
            "missing_episodes": {},
            "link": "https://www.themoviedb.org/tv/1429",
        }
    ]
    posted = anonymous.post("/api/anime/search", {"query": "titan"}, format="json")
    assert posted.json() == response.json()


@pytest.mark.parametrize("query", [None, "", "x" * 201])
def test_a_missing_or_long_query_is_422(anonymous, tmdb, query):
    params = {} if query is None else {"query": query}
    assert anonymous.get("/api/anime/search", params).status_code == 422
    assert anonymous.post("/api/anime/search", params, format="json").status_code == 422


def test_search_without_a_tmdb_key_is_503_with_a_clear_message(anonymous, db):
    response = anonymous.get("/api/anime/search", {"query": "titan"})
    assert response.status_code == 503
    assert "TMDB API key is not configured" in response.json()["message"]


def test_adding_a_series_creates_its_folder_and_lists_its_missing_episodes(
    token_holder, series_dir, tmdb
):
    (series_dir / "Attack on Titan (2013) [tmdbid-1429]").rename(series_dir / "old")
    body = {"link": "https://www.themoviedb.org/tv/1429-attack-on-titan", "name": "AoT: Final?"}
    response = token_holder.post("/api/anime/add", body, format="json")
    assert response.status_code == 200, response.json()
    added = response.json()
    series = Series.objects.get(key="attack-on-titan")
    assert added == {
        "status": "success",
        "message": "Successfully added series: AoT: Final?",
        "key": "attack-on-titan",
        "folder": "AoT Final",
        "db_id": series.pk,
        "missing_episodes": ["1-1", "1-2", "1-3", "2-1"],
        "total_missing": 4,
    }
    assert (series_dir / "AoT Final").is_dir()
    assert series.tmdb_id == 1429 and series.year == 2013


def test_adding_the_same_series_twice_is_409(token_holder, series_dir, tmdb):
    sync_folders(series_dir)  # the folder already names TMDB id 1429
    response = token_holder.post("/api/anime/add", {"link": "1429", "name": "Again"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "CONFLICT_ERROR"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "link"),
        ({"link": "https://aniworld.to/anime/stream/x", "name": "x"}, "link"),
        ({"link": "0", "name": "x"}, "link"),
        ({"link": "1429"}, "name"),
        ({"link": "1429", "name": ":/?*"}, "name"),
    ],
)
def test_a_bad_add_request_is_422_naming_the_field(token_holder, series_dir, tmdb, body, field):
    response = token_holder.post("/api/anime/add", body, format="json")
    assert response.status_code == 422
    assert field in response.json()["details"]["fields"]


def test_adding_without_a_series_directory_is_503(token_holder, tmdb):
    response = token_holder.post("/api/anime/add", {"link": "1429", "name": "x"}, format="json")
    assert response.status_code == 503
    assert "series directory" in response.json()["message"]


def test_adding_a_show_tmdb_does_not_know_is_404(token_holder, series_dir, tmdb):
    response = token_holder.post("/api/anime/add", {"link": "4242", "name": "x"}, format="json")
    assert response.status_code == 404


def test_rescan_queues_a_job_and_answers_at_once(token_holder, series_dir):
    response = token_holder.post("/api/anime/rescan")
    assert response.json() == {"success": True, "message": "Rescan started successfully"}
    assert Job.objects.filter(kind="series_scan", status=Job.Status.PENDING).count() == 1


def test_rescan_without_a_directory_is_503(token_holder, db):
    assert token_holder.post("/api/anime/rescan").status_code == 503


def test_one_series_is_public_by_key_or_folder(anonymous, scanned):
    expected = {
        "key": "attack-on-titan",
        "title": "Attack on Titan",
        "folder": "Attack on Titan (2013) [tmdbid-1429]",
        "episodes": ["1-2", "2-1"],
        "description": "Several hundred years ago, humans were nearly exterminated by Titans.",
    }
    assert anonymous.get("/api/anime/attack-on-titan").json() == expected
    assert anonymous.get("/api/anime/Attack on Titan (2013) [tmdbid-1429]").json() == expected


def test_an_unknown_series_is_404_in_the_error_format(anonymous, db):
    response = anonymous.get("/api/anime/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND_ERROR"


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/anime"), ("get", "/api/anime/status"), ("post", "/api/anime/add"),
     ("post", "/api/anime/rescan"), ("get", "/api/web/series")],
)  # fmt: skip
def test_the_protected_series_endpoints_refuse_anonymous_visitors(anonymous, db, method, url):
    assert getattr(anonymous, method)(url).status_code == 401


def test_setting_the_directory_syncs_its_series_and_queues_a_scan(token_holder, series_dir):
    config.set_value("series_directory", "")
    body = {"directory": str(series_dir)}
    response = token_holder.post("/api/config/directory", body, format="json")
    assert response.json() == {
        "message": "Anime directory updated successfully",
        "synced_series": 2,
    }
    assert Series.objects.count() == 2
    assert Job.objects.filter(kind="series_scan").count() == 1


@pytest.fixture
def system_folder(request, settings, tmp_path) -> str:
    """A folder Nomarr must never take as the series directory: a system folder, the data
    dir, or a link into a system folder."""
    if request.param == "data dir":
        return str(settings.DATA_DIR)
    if request.param == "link to /etc":
        (tmp_path / "etc-link").symlink_to("/etc")
        return str(tmp_path / "etc-link")
    return request.param


@pytest.mark.parametrize(
    "system_folder", ["/", "/etc", "/proc", "data dir", "link to /etc"], indirect=True
)
@pytest.mark.parametrize("how", ["directory endpoint", "web config"])
def test_a_system_folder_or_the_data_dir_is_never_the_series_directory(
    token_holder, db, system_folder, how
):
    if how == "directory endpoint":
        body = {"directory": system_folder}
        response = token_holder.post("/api/config/directory", body, format="json")
    else:
        body = {"key": "series_directory", "value": system_folder}
        response = token_holder.post("/api/web/config", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert (
        "system folder" in response.json()["message"]
        or "data folder" in (response.json()["message"])
    )
    assert config.get("series_directory") == ""
    assert Series.objects.count() == 0


def test_setup_sets_and_syncs_the_anime_directory(anonymous, series_dir):
    config.set_value("series_directory", "")
    body = {"master_password": "Correct-Horse-9", "anime_directory": str(series_dir)}
    response = anonymous.post("/api/auth/setup", body, format="json")
    assert response.status_code == 201
    assert config.get("series_directory") == str(series_dir)
    assert Series.objects.count() == 2


def test_setup_with_a_bad_directory_is_refused_before_the_password_is_set(anonymous, db):
    from nomarr_site.auth import passwords

    body = {"master_password": "Correct-Horse-9", "anime_directory": "/no/such/dir"}
    response = anonymous.post("/api/auth/setup", body, format="json")
    assert response.status_code == 400
    assert "anime_directory" in response.json()["message"]
    assert not passwords.is_configured()


def test_adding_while_the_series_directory_is_unmounted_is_503(token_holder, series_dir, tmdb):
    config.set_value("series_directory", str(series_dir / "unmounted"))
    response = token_holder.post("/api/anime/add", {"link": "1429", "name": "x"}, format="json")
    assert response.status_code == 503
    assert "not available" in response.json()["message"]
    assert not (series_dir / "unmounted").exists()


def test_anonymous_searches_are_limited_per_address_and_logged_in_ones_are_not(
    anonymous, token_holder, tmdb
):
    for _ in range(30):
        assert anonymous.get("/api/anime/search", {"query": "titan"}).status_code == 200
    limited = anonymous.get("/api/anime/search", {"query": "titan"}, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert limited.status_code == 429
    assert limited.json()["error"] == "RATE_LIMIT_ERROR" and "Retry-After" in limited
    assert token_holder.get("/api/anime/search", {"query": "titan"}).status_code == 200
