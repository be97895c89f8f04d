import pytest

import service


def test_report():
    assert "orders" in service.report()


@pytest.mark.parametrize("key", ["orders"])
def test_keys(key):
    assert key in service.FIXTURES
