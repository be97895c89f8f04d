"""Boot suite plumbing: run every selected case up front (in parallel), then summarise."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from boot_image import IMAGE_RECORDS, OTHER_BASES, ImageResult, docker_unavailable, run_image_case
from harness import RECORDS, Case, CaseResult, run_case

JOBS = int(os.environ.get("IMPORTAUDIT_BOOT_JOBS", "2"))


@pytest.fixture(scope="session")
def boot_results(request: pytest.FixtureRequest) -> dict[str, CaseResult]:
    """Venv builds dominate the time: do every selected case at once on a small pool."""
    selected: dict[str, Case] = {}
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("case") if callspec is not None else None
        if isinstance(case, Case):
            selected[case.id] = case
    with ThreadPoolExecutor(max_workers=max(1, JOBS)) as pool:
        results = list(pool.map(run_case, selected.values()))
    return {r.case.id: r for r in results}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if IMAGE_RECORDS:
        terminalreporter.section("importaudit real-image boot truth")
        _image_summary(terminalreporter.write_line)
    if not RECORDS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("importaudit boot truth")
    records = sorted(RECORDS, key=lambda r: r.case.id)
    compared = [r for r in records if r.status in {"agree", "disagree"}]
    booted = [r for r in compared if r.observed is not None and r.observed.outcome == "boots"]
    served = [r for r in booted if r.observed is not None and r.observed.probe == "http"]
    workers = [r for r in compared if r.case.probe == "process"]
    agreeing = [r for r in compared if r.status == "agree"]
    write(
        f"targets booted for real: {len(compared)} ({len(served)} served HTTP, "
        f"{len(booted) - len(served)} kept running without a route, "
        f"{len(compared) - len(booted)} failed to boot; {len(workers)} observed as processes)"
    )
    write(f"importaudit agrees with the real boot: {len(agreeing)}/{len(compared)}")
    sources = sorted({r.prediction.source for r in compared if r.prediction is not None})
    if sources != ["cli"] and sources:
        write(
            f"predictions taken from: {', '.join(sources)} (expected.json = the CLI is not ready)"
        )
    if os.environ.get("IMPORTAUDIT_BOOT_SELFTEST_FLIP"):
        write(f"SELFTEST FLIP ACTIVE for {os.environ['IMPORTAUDIT_BOOT_SELFTEST_FLIP']}")
    for record in records:
        if record.status == "disagree":
            write(f"  DISAGREE {record.case.id}: {'; '.join(record.problems)}")
        elif record.status == "error":
            write(
                f"  ERROR    {record.case.id}: "
                f"{record.reason.splitlines()[0] if record.reason else ''}"
            )
    phases = sorted({p for r in records for p in r.seconds})
    totals = ", ".join(f"{p} {sum(r.seconds.get(p, 0.0) for r in records):.0f}s" for p in phases)
    if totals:
        write(f"time spent (summed over parallel cases): {totals}")
    skipped = [r for r in records if r.status == "skip"]
    if skipped:
        write(f"skipped: {len(skipped)}")
        for record in skipped:
            write(f"  SKIP     {record.case.id}: {record.reason}")


@pytest.fixture(scope="session")
def image_results(
    request: pytest.FixtureRequest, boot_results: dict[str, CaseResult]
) -> dict[str, ImageResult]:
    """Every selected image case, and the venv harness's result for the same target (taken from
    this session's venv run when it had it, else run here: its venvs are cached)."""
    selected: dict[str, Case] = {}
    if docker_unavailable() is not None:
        return {}  # each test skips with the reason
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("image_case") if callspec is not None else None
        if isinstance(case, Case):
            selected[case.id] = case
    missing = [c for c in selected.values() if c.id not in boot_results]
    with ThreadPoolExecutor(max_workers=max(1, JOBS)) as pool:
        venv = {**boot_results, **{r.case.id: r for r in pool.map(run_case, missing)}}
        results = list(pool.map(run_image_case, selected.values()))
    for result in results:
        result.venv = venv.get(result.case.id)
    IMAGE_RECORDS.extend(results)
    return {r.case.id: r for r in results}


def _image_summary(write: Callable[[str], None]) -> None:
    records = sorted(IMAGE_RECORDS, key=lambda r: r.case.id)
    compared = [r for r in records if r.status in {"agree", "disagree"}]
    agreeing = [r for r in compared if r.status == "agree"]
    cached = sum(1 for r in compared if r.cached)
    write(f"images built and started: {len(compared)} ({cached} from the image cache); "
          f"importaudit agrees: {len(agreeing)}/{len(compared)}")
    for record in records:
        venv = record.venv
        beside = "venv: not run"
        if venv is not None:
            seen = venv.observed.outcome if venv.observed is not None else venv.reason.splitlines()[0][:70]
            beside = f"venv: {venv.status} ({seen})"
        if record.status in {"agree", "disagree"} and record.observed and record.prediction:
            write(f"  {record.status.upper():8} {record.case.id}: image {record.observed.outcome}, "
                  f"importaudit {record.prediction.verdict}; {beside}")
            for problem in record.problems:
                write(f"             - {problem}")
        else:
            write(f"  {record.status.upper():8} {record.case.id}: "
                  f"{record.reason.splitlines()[0] if record.reason else ''}; {beside}")
    if OTHER_BASES:
        write(f"not built (base image is not python:3.11*, no registry here): {len(OTHER_BASES)}")
    spent = {p: sum(r.seconds.get(p, 0.0) for r in records) for p in ("build", "boot")}
    write(f"time spent (summed over parallel cases): build {spent['build']:.0f}s, boot {spent['boot']:.0f}s")
