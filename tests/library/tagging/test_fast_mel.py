"""The OpenVINO engine's NumPy mel frames (library/tagging/fast_mel.py) against Essentia's, frame
by frame, and the engine choosing them only where they agree within the precision's bound."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from library.tagging import essentia_loader, fast_mel
from library.tagging.cache import AlgorithmCache
from library.tagging.engines import EngineSettings, EssentiaEngine, OpenVinoEngine
from library.tagging.features import mel_frames
from library.tagging.openvino_models import availability

# The cached functions themselves: a test may have patched the module's names when this
# module's fixture tears down (monkeypatch undoes its changes after it).
CACHED = (
    fast_mel.agrees_with_essentia,
    fast_mel.difference_from_essentia,
    fast_mel._window_and_bank,
)


@pytest.fixture(autouse=True)
def _fresh_check():
    for function in CACHED:
        function.cache_clear()
    yield
    for function in CACHED:
        function.cache_clear()


@pytest.mark.parametrize("samples", [0, 1, 255, 256, 257, 511, 512, 513, 16000 * 7 + 123])
def test_numpy_frames_equal_essentias_for_every_length(samples):
    audio = np.random.default_rng(samples).normal(0, 0.3, samples).astype(np.float32)

    got, expected = fast_mel.vectorised_mel_frames(audio), mel_frames(audio)

    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_numpy_frames_equal_essentias_for_a_tone_with_silence():
    t = np.arange(16000 * 3) / 16000
    audio = (0.5 * np.sin(2 * np.pi * 220 * t) * (t > 1)).astype(np.float32)

    np.testing.assert_allclose(
        fast_mel.vectorised_mel_frames(audio), mel_frames(audio), atol=1e-5, rtol=0
    )


def test_frame_count_is_the_frame_cutters():
    es = essentia_loader.standard()
    for samples in [0, 1, 100, 256, 257, 768, 769, 16000]:
        cut = sum(1 for _ in es.FrameGenerator(np.zeros(samples, np.float32), 512, 256))
        assert fast_mel.frame_count(samples) == cut, samples


def test_a_disagreeing_bank_is_not_used_and_says_so(monkeypatch, caplog):
    window, bank = fast_mel._window_and_bank()
    monkeypatch.setattr(fast_mel, "_window_and_bank", lambda: (window, bank * 1.01))

    with caplog.at_level(logging.WARNING, logger="library.tagging.fast_mel"):
        assert fast_mel.agrees_with_essentia("exact") is False
        assert fast_mel.agrees_with_essentia("fast") is False

    assert "Essentia one frame at a time" in caplog.text


def test_the_check_holds_exact_to_a_tighter_bound(monkeypatch):
    monkeypatch.setattr(fast_mel, "difference_from_essentia", lambda: 3e-5)

    assert fast_mel.agrees_with_essentia("fast") is True
    assert fast_mel.agrees_with_essentia("exact") is False


def test_numpy_frames_pass_the_exact_check_here():
    assert fast_mel.difference_from_essentia() <= fast_mel.TOLERANCE["exact"]


@pytest.mark.skipif(not availability()[0], reason=availability()[1])
def test_the_openvino_engine_reads_numpy_frames_where_they_agree(monkeypatch):
    fast = OpenVinoEngine(AlgorithmCache(), EngineSettings("openvino", "fast", 1))
    exact = OpenVinoEngine(AlgorithmCache(), EngineSettings("openvino", "exact", 1))
    audio = np.zeros(16000, np.float32)

    assert fast.features(audio).compute is fast_mel.vectorised_mel_frames
    assert exact.features(audio).compute is fast_mel.vectorised_mel_frames
    assert EssentiaEngine(AlgorithmCache()).features(audio).compute is mel_frames

    monkeypatch.setattr(fast_mel, "agrees_with_essentia", lambda precision: False)
    assert fast.features(audio).compute is mel_frames
    assert exact.features(audio).compute is mel_frames
