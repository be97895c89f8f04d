"""Each python:3.11* Dockerfile sample built as a real image and started with its own CMD must
match importaudit's verdict and findings, like (and next to) the venv-based boot suite."""

from __future__ import annotations

import pytest
from boot_image import ImageResult, docker_unavailable, image_cases
from harness import Case

CASES = image_cases()
pytestmark = pytest.mark.boot_image


@pytest.mark.parametrize(
    "image_case",
    CASES or [pytest.param(None, id="no-samples")],
    ids=lambda c: c.id if isinstance(c, Case) else "no-samples",
)
def test_real_image_boot_matches_importaudit(image_case: Case, image_results: dict[str, ImageResult]) -> None:
    reason = docker_unavailable()  # asked once per session, only when this marker runs
    if reason is not None:
        pytest.skip(f"no real images: {reason}")
    if image_case is None:
        pytest.skip("no sample lists a Dockerfile target under boot.targets")
    result = image_results[image_case.id]
    if result.status == "skip":
        pytest.skip(result.reason)
    if result.status == "error":
        pytest.fail(f"{image_case.id}: the image harness could not compare:\n{result.reason}", pytrace=False)
    if result.problems:
        pytest.fail(
            f"{image_case.id}: importaudit and the real image disagree:\n  - "
            + "\n  - ".join(result.problems) + "\n" + result.reason,
            pytrace=False,
        )
