"""Path safety: user paths must resolve inside an enabled library root; roots never nest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from library.models import Library
from library.paths import (
    InvalidPath,
    OutsideRoots,
    PathNotFound,
    RootConflict,
    is_inside,
    resolve_inside_roots,
    validate_root,
)
from nomarr_site.errors import domain_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def music(tmp_path: Path) -> Library:
    root = tmp_path / "music"
    (root / "Artist" / "Album").mkdir(parents=True)
    (root / "Artist" / "Album" / "song.mp3").write_bytes(b"x")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.mp3").write_bytes(b"x")
    return Library.objects.create(name="Music", root_path=str(root))


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("/music", True),
        ("/music/a/b.mp3", True),
        (Path("/music/a"), True),
        ("/music2/b.mp3", False),  # a common prefix is not a common folder
        ("/", False),
    ],
)
def test_inside_a_root_compares_whole_folders(path, inside):
    assert is_inside(path, "/music") is inside


def test_a_file_inside_a_root_resolves_to_itself_and_its_library(music):
    path = os.path.join(music.root_path, "Artist", "Album", "song.mp3")
    resolved, library = resolve_inside_roots(path)
    assert resolved == Path(path)
    assert library == music


def test_dot_dot_inside_the_root_is_resolved_and_accepted(music):
    path = os.path.join(music.root_path, "Artist", "..", "Artist", "Album", "song.mp3")
    resolved, _ = resolve_inside_roots(path)
    assert ".." not in resolved.parts


def test_dot_dot_leaving_the_root_is_refused_as_outside(music):
    path = os.path.join(music.root_path, "..", "outside", "secret.mp3")
    with pytest.raises(OutsideRoots) as refused:
        resolve_inside_roots(path)
    assert domain_status(refused.value) == 403


def test_an_absolute_path_outside_every_root_is_refused(music):
    with pytest.raises(OutsideRoots, match="outside every library root"):
        resolve_inside_roots("/etc/passwd")


def test_a_missing_file_outside_the_roots_is_refused_without_saying_it_is_missing(music):
    with pytest.raises(OutsideRoots):
        resolve_inside_roots("/nonexistent/elsewhere.mp3")


def test_a_missing_file_inside_a_root_is_file_not_found(music):
    path = os.path.join(music.root_path, "nope.mp3")
    with pytest.raises(PathNotFound, match=f"File not found: {path}") as refused:
        resolve_inside_roots(path)
    assert domain_status(refused.value) == 400


def test_a_symlink_inside_the_root_pointing_outside_is_refused(music, tmp_path):
    link = Path(music.root_path) / "escape.mp3"
    link.symlink_to(tmp_path / "outside" / "secret.mp3")
    with pytest.raises(OutsideRoots, match="symlink"):
        resolve_inside_roots(str(link))


def test_a_symlinked_folder_pointing_outside_is_refused_for_files_below_it(music, tmp_path):
    link = Path(music.root_path) / "linked"
    link.symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(OutsideRoots):
        resolve_inside_roots(str(link / "secret.mp3"))


def test_a_symlink_inside_the_root_pointing_inside_is_accepted(music):
    link = Path(music.root_path) / "alias.mp3"
    link.symlink_to(Path(music.root_path) / "Artist" / "Album" / "song.mp3")
    resolved, _ = resolve_inside_roots(str(link))
    assert resolved.name == "song.mp3"


def test_a_symlink_loop_is_refused_as_malformed(music):
    root = Path(music.root_path)
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")
    with pytest.raises(InvalidPath, match="Symlink loop"):
        resolve_inside_roots(str(root / "a" / "song.mp3"))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/music/a\x00.mp3", "NUL"),
        ("relative/song.mp3", "absolute"),
        ("/" + "a" * 5000, "longer"),
        (None, "empty"),
    ],
)
def test_malformed_paths_are_refused_with_a_reason(music, bad, message):
    with pytest.raises(InvalidPath, match=message) as refused:
        resolve_inside_roots(bad)
    assert domain_status(refused.value) == 400


def test_a_disabled_library_is_not_a_root(music):
    music.is_enabled = False
    music.save()
    path = os.path.join(music.root_path, "Artist", "Album", "song.mp3")
    with pytest.raises(OutsideRoots):
        resolve_inside_roots(path)


def test_explicit_roots_limit_the_search_to_those_libraries(music, tmp_path):
    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "x.flac").write_bytes(b"x")
    Library.objects.create(name="Other", root_path=str(other_root))
    with pytest.raises(OutsideRoots):
        resolve_inside_roots(str(other_root / "x.flac"), roots=[music])


def test_a_root_that_is_itself_a_symlink_accepts_paths_through_either_name(tmp_path):
    real = tmp_path / "disk" / "music"
    real.mkdir(parents=True)
    (real / "a.mp3").write_bytes(b"x")
    (tmp_path / "music").symlink_to(real, target_is_directory=True)
    library = Library.objects.create(name="Linked", root_path=str(tmp_path / "music"))
    for path in (tmp_path / "music" / "a.mp3", real / "a.mp3"):
        assert resolve_inside_roots(str(path))[1] == library


# Root validation


def test_a_valid_root_is_returned_resolved(tmp_path):
    (tmp_path / "music").mkdir()
    assert validate_root(str(tmp_path / "music" / ".." / "music")) == tmp_path / "music"


def test_a_missing_root_folder_is_refused(tmp_path):
    with pytest.raises(PathNotFound, match="Folder not found"):
        validate_root(str(tmp_path / "missing"))


def test_a_file_is_not_a_root(tmp_path):
    (tmp_path / "file.mp3").write_bytes(b"x")
    with pytest.raises(InvalidPath, match="Not a folder"):
        validate_root(str(tmp_path / "file.mp3"))


def test_a_relative_root_is_refused(tmp_path):
    with pytest.raises(InvalidPath, match="absolute"):
        validate_root("music")


def test_a_root_inside_another_library_is_refused(music):
    inner = Path(music.root_path) / "Artist"
    with pytest.raises(RootConflict, match="lies inside the root of library 'Music'") as refused:
        validate_root(str(inner))
    assert domain_status(refused.value) == 409


def test_a_root_containing_another_library_is_refused(music, tmp_path):
    with pytest.raises(RootConflict, match="contains the root of library 'Music'"):
        validate_root(str(tmp_path))


def test_the_same_root_twice_is_refused(music):
    with pytest.raises(RootConflict, match="already uses this folder"):
        validate_root(music.root_path + "/")


def test_a_root_may_be_revalidated_for_its_own_library(music):
    assert validate_root(music.root_path, exclude=music) == Path(music.root_path)


def test_nesting_is_refused_against_disabled_libraries_too(music):
    music.is_enabled = False
    music.save()
    with pytest.raises(RootConflict):
        validate_root(str(Path(music.root_path) / "Artist"))
