"""Each sample target booted for real must match importaudit's verdict and findings."""

from __future__ import annotations

import pytest
from harness import Case, CaseResult, discover_cases

CASES = discover_cases()


@pytest.mark.boot
@pytest.mark.parametrize(
    "case",
    CASES or [pytest.param(None, id="no-samples")],
    ids=lambda c: c.id if isinstance(c, Case) else "no-samples",
)
def test_real_boot_matches_importaudit(case: Case, boot_results: dict[str, CaseResult]) -> None:
    if case is None:
        pytest.skip("no sample_projects/*/expected.json lists boot.targets yet")
    result = boot_results[case.id]
    if result.status == "skip":
        pytest.skip(result.reason)
    if result.status == "error":
        pytest.fail(f"{case.id}: the harness could not compare:\n{result.reason}", pytrace=False)
    if result.problems:
        pytest.fail(
            f"{case.id}: importaudit and the real boot disagree:\n  - "
            + "\n  - ".join(result.problems)
            + "\n"
            + result.reason,
            pytrace=False,
        )
