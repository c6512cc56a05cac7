"""Navidrome: the TOML it reads, the query language (positions in errors, unknown tags), .nsp
files valid by Navidrome's own rules, and preview counts equal to an independent evaluation of
the same criteria over the test library."""

from __future__ import annotations

import json
import random
import tomllib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calibration.navidrome.criteria import criteria
from calibration.navidrome.matching import matching
from calibration.navidrome.query import QueryError, parse
from calibration.navidrome.tags import field_name
from library.models import Library, Track

pytestmark = pytest.mark.django_db

MOODS = ["happy", "sad", "party", "relaxed", "aggressive"]
# Operators and conjunctions Navidrome's criteria/json.go accepts (we use a subset).
NAVIDROME_OPERATORS = {
    "is",
    "isnot",
    "gt",
    "lt",
    "contains",
    "notcontains",
    "startswith",
    "endswith",
    "intherange",
    "before",
    "after",
    "inthelast",
    "notinthelast",
    "inplaylist",
    "notinplaylist",
}
NSP_KEYS = {"name", "comment", "public", "all", "any", "sort", "order", "limit"}


@pytest.fixture
def music(db, tmp_path):
    generator = random.Random(7)
    library = Library.objects.create(name="M", root_path=str(tmp_path))
    rows = []
    for i in range(60):
        regular = sorted(generator.sample(MOODS, generator.randint(0, 2)))
        tags = {
            "nom:danceability": f"{generator.random():.4f}",
            "nom:version": "p1-abc;cal=1",
        }
        if regular:
            tags["nom:mood-regular"] = regular[0] if len(regular) == 1 else regular
        if i % 4:
            tags["nom:genre_discogs400"] = generator.sample(["Rock---Punk", "Jazz---Bop"], 2)
        rows.append(
            Track(
                library=library,
                path=f"{tmp_path}/{i:03d}.flac",
                relative_path=f"{i}.flac",
                size=1,
                mtime=1,
                title=f"Song {i}",
                artist="A",
                namespace_tags=tags,
            )
        )
    Track.objects.bulk_create(rows)
    return {t.path: t.namespace_tags for t in Track.objects.all()}


def values(tags, field):
    for key, value in tags.items():
        if field_name(key) == field:
            return value if isinstance(value, list) else [value]
    return []


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def navidrome_match(rule, tags, numeric):
    """Navidrome's semantics, written independently: exists / not exists over the values."""
    ((name, body),) = rule.items()
    if name == "all":
        return all(navidrome_match(r, tags, numeric) for r in body)
    if name == "any":
        return any(navidrome_match(r, tags, numeric) for r in body)
    ((field, wanted),) = body.items()
    found = values(tags, field)
    if field in numeric:
        found = [number(v) for v in found]
    tests = {
        "is": lambda v: v == wanted,
        "isNot": lambda v: v == wanted,
        "gt": lambda v: v > wanted,
        "lt": lambda v: v < wanted,
        "contains": lambda v: str(wanted).lower() in str(v).lower(),
        "notContains": lambda v: str(wanted).lower() in str(v).lower(),
    }
    hit = any(tests[name](v) for v in found)
    return not hit if name in ("isNot", "notContains") else hit


def check_valid_nsp(document, fields):
    assert set(document) <= NSP_KEYS
    assert isinstance(document["name"], str) and isinstance(document["public"], bool)
    assert ("all" in document) != ("any" in document)
    if "limit" in document:
        assert type(document["limit"]) is int

    def walk(rule):
        ((name, body),) = rule.items()
        if name in ("all", "any"):
            assert isinstance(body, list)
            for child in body:
                walk(child)
            return
        assert name.lower() in NAVIDROME_OPERATORS
        ((field, _value),) = body.items()
        assert field == field.lower() and field in fields

    walk({k: v for k, v in document.items() if k in ("all", "any")})


QUERIES = [
    "nom:mood_happy is true",
    "nom:mood_happy is false",
    "nom:danceability > 0.7",
    "nom:danceability >= 0.5 and nom:danceability <= 0.6",
    "nom:danceability between 0.2 and 0.4",
    "not nom:danceability between 0.2 and 0.4",
    "nom:mood-regular is happy or nom:mood-regular is sad",
    "not (nom:mood-regular is happy or nom:danceability < 0.3)",
    'nom:genre_discogs400 contains "rock"',
    "nom:genre_discogs400 not contains jazz and not nom:mood-regular is party",
    "nom:mood-regular is not relaxed",
    "(nom:mood_sad is true or nom:mood_party is true) and nom:danceability > 0.5",
    "nom:danceability = 0.5",
]


@pytest.mark.parametrize("query", QUERIES)
def test_preview_counts_equal_an_independent_evaluation_and_the_nsp_is_valid(
    token_holder, music, query
):
    config = token_holder.get("/api/web/navidrome/config").json()
    tables = tomllib.loads(config["config"])["Tags"]
    numeric = {name for name, table in tables.items() if table.get("Type") == "float"}

    preview = token_holder.post(
        "/api/web/navidrome/playlists/preview", {"query": query, "preview_limit": 5}, format="json"
    )
    generated = token_holder.post(
        "/api/web/navidrome/playlists/generate",
        {"query": query, "playlist_name": "P", "limit": 50},
        format="json",
    )

    assert preview.status_code == 200, preview.json()
    document = json.loads(generated.json()["content"])
    check_valid_nsp(document, set(tables))
    rule = {k: v for k, v in document.items() if k in ("all", "any")}
    expected = sum(1 for tags in music.values() if navidrome_match(rule, tags, numeric))
    assert preview.json()["matched_tracks"] == expected
    assert len(preview.json()["preview"]) == min(5, expected)


def test_the_toml_has_one_table_per_tag_with_alias_type_and_split(token_holder, music):
    body = token_holder.get("/api/web/navidrome/config").json()

    assert body["namespace"] == "nom"
    tables = tomllib.loads(body["config"])["Tags"]
    assert tables["nom_danceability"] == {"Aliases": ["nom:danceability"], "Type": "float"}
    assert tables["nom_mood_regular"] == {"Aliases": ["nom:mood-regular"], "Split": [";"]}
    assert tables["nom_version"] == {"Aliases": ["nom:version"]}
    assert (
        '[Tags.nom_danceability]\nAliases = ["nom:danceability"]\nType = "float"'
        in (body["config"])
    )


def test_the_tag_preview_describes_each_tag(token_holder, music):
    body = token_holder.get("/api/web/navidrome/preview").json()

    tags = {t["tag_key"]: t for t in body["tags"]}
    assert body["namespace"] == "nom" and body["tag_count"] == len(tags) == 4
    assert tags["nom:danceability"]["type"] == "float"
    assert tags["nom:mood-regular"] == {
        "tag_key": "nom:mood-regular",
        "field": "nom_mood_regular",
        "type": "text",
        "is_multivalue": True,
        "summary": "Mood: Regular",
        "total_count": tags["nom:mood-regular"]["total_count"],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("nom:danceability >", "Expected a number at position 19, found the end of the query"),
        ("nom:danceability > 0.5 and", "Expected a tag such as nom:danceability"),
        ("(nom:danceability > 0.5", "Expected ')' at position 24"),
        ("nom:danceability ~ 1", "Unexpected character '~' at position 18"),
        ("nom:danceability between 0.9 and 0.1", "runs from high to low"),
        (
            "nom:danceability > 0.5 nom:x",
            "Expected 'and', 'or' or the end of the query at position 24",
        ),
        ("nom:danceability is", "Expected a value"),
        ("   ", "The query is empty"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_position_and_what_was_expected(
    token_holder, music, query, message
):
    response = token_holder.post(
        "/api/web/navidrome/playlists/preview", {"query": query}, format="json"
    )

    assert response.status_code == 400
    assert message in response.json()["message"]


def test_an_unknown_tag_is_a_400_naming_it(token_holder, music):
    response = token_holder.post(
        "/api/web/navidrome/playlists/generate",
        {"query": "nom:energy > 0.5", "playlist_name": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert "Unknown tag 'nom:energy' at position 1" in response.json()["message"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("nom:version > 3", "holds text"),
        ("nom:danceability contains 5", "is a number"),
        ("nom:version is true", "only go with a mood head"),
    ],
)
def test_a_comparison_that_makes_no_sense_for_the_tag_is_a_400(token_holder, music, query, message):
    response = token_holder.post(
        "/api/web/navidrome/playlists/preview", {"query": query}, format="json"
    )

    assert response.status_code == 400 and message in response.json()["message"]


def test_generate_answers_the_reference_shape_with_an_integer_limit(token_holder, music):
    body = token_holder.post(
        "/api/web/navidrome/playlists/generate",
        {
            "query": "nom:mood_happy is true",
            "playlist_name": "Happy Mood",
            "comment": "Tracks with happy mood",
            "limit": 500,
            "sort": "random",
        },
        format="json",
    ).json()

    assert body["playlist_name"] == "Happy Mood" and body["query"] == "nom:mood_happy is true"
    assert json.loads(body["content"]) == {
        "name": "Happy Mood",
        "comment": "Tracks with happy mood",
        "public": False,
        "all": [{"is": {"nom_mood_regular": "happy"}}],
        "sort": "random",
        "order": "asc",
        "limit": 500,
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"query": "nom:danceability > 1", "playlist_name": "x", "limit": 0},
        {"query": "nom:danceability > 1", "playlist_name": "x", "limit": "many"},
        {"query": "nom:danceability > 1", "playlist_name": "x", "sort": "nonsense"},
        {"query": "nom:danceability > 1"},
        {"playlist_name": "x"},
    ],
)
def test_generate_refuses_bad_fields(token_holder, music, payload):
    response = token_holder.post("/api/web/navidrome/playlists/generate", payload, format="json")

    assert response.status_code == 400


def test_not_is_pushed_down_into_navidromes_operators():
    assert parse("not (nom:a is x and nom:b > 1)")  # parses into Not(Group)


def test_matching_agrees_with_criteria_for_a_random_mix(music):
    rule = criteria("nom:mood-regular is happy or not nom:danceability > 0.5")
    matched = set(matching(rule).values_list("path", flat=True))
    numeric = {"nom_danceability"}

    assert matched == {p for p, tags in music.items() if navidrome_match(rule, tags, numeric)}


def test_parse_refuses_something_that_is_not_text():
    with pytest.raises(QueryError):
        parse(None)


def test_export_playlists_writes_the_default_set_and_keeps_files_it_did_not_write(music, tmp_path):
    folder = tmp_path / "playlists"
    folder.mkdir()
    foreign = folder / "nomarr-dance.nsp"
    foreign.write_text('{"name": "mine", "comment": "hand made", "all": []}')
    out = StringIO()

    call_command("export_playlists", str(folder), stdout=out)

    names = sorted(p.name for p in folder.iterdir())
    assert "nomarr-mood-happy-regular.nsp" in names and "nomarr-feel-good.nsp" in names
    assert foreign.read_text() == '{"name": "mine", "comment": "hand made", "all": []}'
    document = json.loads((folder / "nomarr-mood-happy-regular.nsp").read_text())
    assert document["all"] == [{"is": {"nom_mood_regular": "happy"}}] and document["limit"] == 500
    check_valid_nsp(document, {"nom_mood_regular", "nom_danceability"})
    first = (folder / "nomarr-feel-good.nsp").read_text()
    call_command("export_playlists", str(folder), stdout=StringIO())  # ours: replaced in place
    assert (folder / "nomarr-feel-good.nsp").read_text() == first
    assert not list(folder.glob("*.tmp*"))


def test_export_playlists_into_a_missing_folder_is_one_line_error(music, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("export_playlists", str(tmp_path / "nope"))
