"""The series library's names: every file naming style, multi-episode files, specials,
absolute numbering, Unicode, folder names and keys."""

from __future__ import annotations

import pytest

from library.series import naming
from library.series.naming import (
    EpisodeRef,
    is_video,
    make_key,
    parse_episode,
    parse_folder_name,
    sanitize_folder,
    season_of_folder,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Season 01/Show - S01E02 - Title.mkv", EpisodeRef(1, (2,))),
        ("Show.S01E02.1080p.WEB-DL.x264.mkv", EpisodeRef(1, (2,))),
        ("show s1e2.mp4", EpisodeRef(1, (2,))),
        ("Show - S01E02E03 - Two Parts.mkv", EpisodeRef(1, (2, 3))),
        ("Show - S01E02-E04.mkv", EpisodeRef(1, (2, 3, 4))),
        ("Show - S01E02-03.mkv", EpisodeRef(1, (2, 3))),
        ("Show - S02E10 - 1080p.mkv", EpisodeRef(2, (10,))),
        ("Show 1x02.mkv", EpisodeRef(1, (2,))),
        ("Show 1x02-03 Title.avi", EpisodeRef(1, (2, 3))),
        ("Show 1920x1080 - 05.mkv", EpisodeRef(absolute=(5,))),
        ("Season 02/E05.mkv", EpisodeRef(2, (5,))),
        ("Season 3/Ep 7 - Name.mkv", EpisodeRef(3, (7,))),
        ("Staffel 2/Folge E03.mkv", EpisodeRef(2, (3,))),
        ("Specials/Show - S00E01 - OVA.mkv", EpisodeRef(0, (1,))),
        ("Specials/Episode 2.mkv", EpisodeRef(0, (2,))),
        ("Show - S00E05.mkv", EpisodeRef(0, (5,))),
        ("[SubsPlease] Show - 012 (1080p) [ABCD1234].mkv", EpisodeRef(absolute=(12,))),
        ("[Group] Mob Psycho 100 - 05 [720p].mkv", EpisodeRef(absolute=(5,))),
        ("One Piece 1071.mkv", EpisodeRef(absolute=(1071,))),
        ("Show (2013) - 03v2.mkv", EpisodeRef(absolute=(3,))),
        ("Season 02/Show - 05.mkv", EpisodeRef(2, (5,))),
        ("進撃の巨人 - S01E01 - 二千年後の君へ.mkv", EpisodeRef(1, (1,))),
        ("Pokémon - 1x01 - Pokémon, Ich wähle dich!.mkv", EpisodeRef(1, (1,))),
        ("Ep 04.mkv", EpisodeRef(absolute=(4,))),
        ("Trailer.mkv", EpisodeRef()),
        ("Show (2013).mkv", EpisodeRef()),
    ],
)
def test_each_naming_style_gives_its_season_and_episodes(path, expected):
    assert parse_episode(path) == expected


def test_an_unrecognised_name_is_not_found():
    assert not parse_episode("Behind the scenes.mkv").found
    assert parse_episode("Show - S01E01.mkv").found


@pytest.mark.parametrize(
    ("folder", "season"),
    [("Season 01", 1), ("season 10", 10), ("S2", 2), ("Staffel 3", 3), ("Specials", 0),
     ("Special", 0), ("Extras", None), ("Show", None)],
)  # fmt: skip
def test_season_folders_are_recognised(folder, season):
    assert season_of_folder(folder) == season


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("Attack on Titan: Final Season", "Attack on Titan Final Season"),
        ('What? <Really> "Yes" | No * / \\', "What Really Yes No"),
        ("  ...Dots and spaces...  ", "Dots and spaces"),
        ("進撃の巨人", "進撃の巨人"),
        ("Ça va\x00\x1f", "Ça va"),
        ("..", ""),
        ("", ""),
    ],
)
def test_folder_names_are_sanitised_and_keep_unicode(name, folder):
    assert sanitize_folder(name) == folder


def test_a_long_name_is_cut_to_a_folder_name_length():
    assert len(sanitize_folder("x" * 1000)) == 255


@pytest.mark.parametrize(
    ("folder", "name", "year", "tmdb_id"),
    [
        ("Attack on Titan (2013)", "Attack on Titan", 2013, None),
        ("Attack on Titan", "Attack on Titan", None, None),
        ("Show (2013) [tmdbid-1429]", "Show", 2013, 1429),
        ("Show {tmdb-77}", "Show", None, 77),
        ("1983 (2018)", "1983", 2018, None),
        ("進撃の巨人 (2013)", "進撃の巨人", 2013, None),
    ],
)
def test_show_folders_give_name_year_and_tmdb_id(folder, name, year, tmdb_id):
    parsed = parse_folder_name(folder)
    assert (parsed.name, parsed.year, parsed.tmdb_id) == (name, year, tmdb_id)


def test_keys_are_url_safe_and_fall_back_for_names_without_ascii_letters():
    assert make_key("Attack on Titan: Final Season") == "attack-on-titan-final-season"
    assert make_key("Pokémon") == "pokemon"
    assert make_key("進撃の巨人", 1429) == "series-1429"
    assert make_key("進撃の巨人").startswith("series-")
    assert make_key("進撃の巨人") == make_key("進撃の巨人")


def test_only_video_files_are_episodes():
    assert is_video("a.MKV") and is_video("b.mp4")
    assert not is_video("a.nfo") and not is_video("poster.jpg") and not is_video(".hidden.mkv")


@pytest.mark.parametrize(
    ("show", "season", "episode", "title", "ext", "expected"),
    [
        ("Attack on Titan", 1, 2, "That Day", ".mkv", "Attack on Titan - S01E02 - That Day.mkv"),
        ("Attack on Titan", 0, 1, "", "MP4", "Attack on Titan - S00E01.mp4"),
        ("Show: Part/2", 10, 123, 'What? "No"', ".mkv", "Show Part2 - S10E123 - What No.mkv"),
        ("進撃の巨人", 1, 1, "二千年後の君へ", ".mkv", "進撃の巨人 - S01E01 - 二千年後の君へ.mkv"),
    ],
)
def test_an_episode_file_is_named_show_code_title(show, season, episode, title, ext, expected):
    assert naming.episode_file_name(show, season, episode, title, ext) == expected


def test_a_long_title_is_cut_to_fit_a_file_name():
    name = naming.episode_file_name("Show", 1, 1, "é" * 400, ".mkv")
    assert len(name.encode()) <= 255
    assert name.startswith("Show - S01E01 - é") and name.endswith(".mkv")


@pytest.mark.parametrize(("show", "ext"), [("Show", ".exe"), ("Show", ".nzb"), ("///", ".mkv")])
def test_an_episode_file_name_refuses_a_bad_extension_or_show(show, ext):
    with pytest.raises(ValueError):
        naming.episode_file_name(show, 1, 1, "", ext)
