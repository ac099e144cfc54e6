"""scripts/benchmark.py's own arithmetic (issue 9.5): which daily run it reports as the
median, and which repeat counts it takes. The builds themselves are not run here (a
benchmark is not a test: docs/benchmarks.md)."""

from __future__ import annotations

import argparse

import pytest

from project_scripts import load_script

benchmark = load_script("benchmark")


def runs(*seconds: float) -> list[dict]:
    return [{"step": f"run {i}", "seconds": s} for i, s in enumerate(seconds, 1)]


def test_median_of_three_is_the_middle_run():
    # run 28's three daily builds (docs/benchmarks.md): 104.4, 104.7, 99.3 s
    assert benchmark.median_run(runs(104.4, 104.7, 99.3)) == {"step": "run 1", "seconds": 104.4}


def test_median_of_an_even_count_is_the_faster_middle_run():
    assert benchmark.median_run(runs(60.0, 50.0, 55.0, 52.0))["seconds"] == 52.0


def test_one_run_is_its_own_median():
    assert benchmark.median_run(runs(54.3))["seconds"] == 54.3


@pytest.mark.parametrize("text", ["0", "-2"])
def test_repeats_below_one_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"{text}: give 1 or more builds"):
        benchmark._positive(text)


def test_repeats_of_one_or_more_are_taken():
    assert benchmark._positive("3") == 3
