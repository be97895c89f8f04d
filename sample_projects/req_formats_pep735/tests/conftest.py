"""Test helpers: PYTEST_IPDB=1 opens ipdb (dev group, included by the test group) on a failing test."""
import os

import ipdb


def pytest_exception_interact(node, call, report):
    if os.environ.get("PYTEST_IPDB") == "1" and call.excinfo is not None:
        ipdb.post_mortem(call.excinfo.tb)
