"""fencelab/gen/random_tests.py's batches: deterministic, and of a fixed number of threads when
asked (bench/model_diff.py --threads)."""

from __future__ import annotations

import pytest

from fencelab.gen import random_tests
from fencelab.litmus.parser import parse_text


@pytest.mark.parametrize("arch", random_tests.ARCHES)
@pytest.mark.parametrize("threads", [3, 4])
def test_a_batch_of_a_given_number_of_threads(arch, threads):
    texts = random_tests.generate_many(10, 5, arch, threads)
    assert [len(parse_text(t, "t").threads) for t in texts] == [threads] * 10
    drawn = {len(parse_text(t, "t").threads) for t in random_tests.generate_many(30, 5, arch)}
    assert drawn == {2, 3}
