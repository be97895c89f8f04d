"""Tests, run after `pip install .[test]`."""
import pytest

from app import app


@pytest.mark.parametrize(("title", "expected"), [("Hello World", "hello-world"), ("Ça va?", "ca-va")])
def test_slug(title, expected):
    assert app.test_client().get("/slug", query_string={"title": title}).json == {"slug": expected}
