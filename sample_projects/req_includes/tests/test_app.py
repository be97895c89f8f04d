"""Tests, run after `pip install -r requirements/dev.txt`."""
import pytest

from app import app


@pytest.mark.parametrize(("name", "status"), [("docs", 302), ("nope", 404)])
def test_go(name, status):
    assert app.test_client().get(f"/go/{name}").status_code == status
