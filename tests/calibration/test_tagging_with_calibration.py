"""Tagging a real file once a calibration exists: the version tag carries `cal=<n>`, the mood
tiers come from calibrated values, and the standard mood field follows the chosen tier."""

from __future__ import annotations

import mutagen
import pytest

from calibration.build import build
from jobs.models import Job
from jobs.transport import work_one
from library.models import Library
from library.tagfiles.reader import read_tags
from library.tagging.tag_job import queue_tag
from nomarr_site import config
from tests.calibration.conftest import store_scores, uniform
from tests.support.audio import make_audio
from tests.support.graphs import write_standard_suite

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    return write_standard_suite(tmp_path_factory.mktemp("models"))


def test_a_file_tagged_after_a_calibration_carries_its_version_and_calibrated_tiers(
    tmp_path, suite
):
    config.set_value("models_dir", str(suite))
    library = Library.objects.create(name="Music", root_path=str(tmp_path / "music"))
    path = make_audio(tmp_path / "music" / "song.flac", seconds=4, frequency=440)
    # Calibrate the effnet mood heads on scores of other tracks (the models are generated, so
    # which tier a mood reaches is not known in advance; the rules are table-tested elsewhere).
    low = uniform(100, 0.0, 0.001)
    store_scores(
        library,
        {
            "mood_happy": {"happy": low, "non_happy": low},
            "mood_sad": {"non_sad": low, "sad": low},
        },
        start=1000,
    )
    build()

    job = queue_tag(str(path), library=library)
    while work_one():
        pass

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    tags = read_tags(path, "nom").namespace
    assert tags["nom:version"][0].endswith(";cal=1")
    moods = set(tags.get("nom:mood-loose", []))
    # Tiers name only calibrated moods, never both of an opposing pair, and the standard mood
    # field holds the regular tier.
    assert moods <= {"happy", "sad"} and moods != {"happy", "sad"}
    assert list(mutagen.File(path).tags.get("MOOD", [])) == tags.get("nom:mood-regular", [])
