"""The grader's side of the channel works while a profiler, tracer or debugger holds frames.

Dask's worker profiler samples every thread's stack (sys._current_frames) and keeps the frame
objects for a while; a frame kept alive keeps its locals, and a local that was a view of the
frame reader's buffer once made the next read fail with "BufferError: Existing exports of
data: object cannot be re-sized" (one submission in three lost points). Here a profile
function keeps every frame it sees (deterministic: it always catches the reader's frames), and
a sampling thread keeps what sys._current_frames shows (what Dask does).
"""

from __future__ import annotations

import collections
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import nbformat
import numpy as np
import pytest

from rnnkit.grading.engine import grade_notebook
from rnnkit.kit.paths import KIT_ROOT
from rnnkit.nb.fill import fill_release, source_answers
from rnnkit.sandbox import channel

HELD_FRAMES = 4096  # how many of the latest frames the fake profilers keep alive


@contextmanager
def profiler_keeping_frames() -> Iterator[set]:
    """sys.setprofile with a function that keeps the latest HELD_FRAMES frames it sees.
    Yields the set of the code objects of all the frames it saw."""
    held: collections.deque = collections.deque(maxlen=HELD_FRAMES)
    seen: set = set()

    def keep(frame: FrameType, event: str, arg: Any) -> None:
        held.append(frame)
        seen.add(frame.f_code)

    sys.setprofile(keep)
    try:
        yield seen
    finally:
        sys.setprofile(None)


def reads_frames(seen: set) -> bool:
    """Whether the frame reader's own code was among the frames a profiler saw."""
    return channel.FrameReader.next_frame.__code__ in seen


@contextmanager
def sampler_keeping_frames() -> Iterator[list[int]]:
    """A thread that samples every thread's stack as fast as it can and keeps the latest
    samples, each the whole chain of frames from the innermost one (as Dask's profiler walks
    it). Yields a one-item list: how many samples were taken."""
    held: collections.deque = collections.deque(maxlen=64)
    taken = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for ident, frame in sys._current_frames().items():
                if ident != threading.get_ident():
                    chain = []
                    while frame is not None:
                        chain.append(frame)
                        frame = frame.f_back
                    held.append(chain)
            taken[0] += 1
            stop.wait(0.0002)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield taken
    finally:
        stop.set()
        thread.join()


def frame_bytes(value: Any, **header: Any) -> bytes:
    encoder = channel.Encoder()
    node = encoder.encode(value)
    return b"".join(channel.pack({"value": node, **header}, encoder.chunks))


@pytest.mark.parametrize("piece", [1, 97, 3 * 2**20])  # cutting frames anywhere, or none
def test_frame_reader_reads_while_a_profiler_holds_every_frame(piece):
    frames = [frame_bytes([np.arange(n, dtype=float), {"n": n}], i=n) for n in range(40)]
    stream = b"".join(frames)
    reader, got = channel.FrameReader(), []
    with profiler_keeping_frames() as seen:
        for start in range(0, len(stream), piece):
            reader.feed(stream[start:start + piece])
            while (frame := reader.next_frame()) is not None:
                got.append(frame)
    assert reads_frames(seen)
    assert [header["i"] for header, _ in got] == list(range(40))
    for n, (header, body) in enumerate(got):
        array, extra = channel.decode(header["value"], body)
        np.testing.assert_array_equal(array, np.arange(n, dtype=float))
        assert extra == {"n": n}
    assert reader.pending == 0


def test_frame_reader_hands_out_copies_that_outlive_it():
    reader = channel.FrameReader()
    reader.feed(frame_bytes([1.5, 2]) + frame_bytes([3.5, 4])[:7])
    header, body = reader.next_frame()
    view = memoryview(body)  # an outside reference to what the reader handed out
    reader.feed(frame_bytes([3.5, 4])[7:])
    again, again_body = reader.next_frame()
    assert channel.decode(header["value"], view) == [1.5, 2]
    assert channel.decode(again["value"], again_body) == [3.5, 4]


def perfect_rnn_notebook() -> bytes:
    release = KIT_ROOT / "assignments" / "rnn" / "rnn.ipynb"
    return nbformat.writes(fill_release(release, source_answers("rnn"))).encode()


def test_grading_under_a_profile_function_holding_frames_gets_full_marks():
    notebook = perfect_rnn_notebook()
    with profiler_keeping_frames() as seen:
        report = grade_notebook(notebook, "rnn", insecure=True)
    assert reads_frames(seen)
    assert report.score == report.max_score > 0, report.to_text()


def test_grading_under_a_sampling_profiler_gets_full_marks():
    notebook = perfect_rnn_notebook()
    with sampler_keeping_frames() as taken:
        report = grade_notebook(notebook, "rnn", insecure=True)
    assert taken[0] > 10  # the sampler ran while the grader read the channel
    assert report.score == report.max_score > 0, report.to_text()
