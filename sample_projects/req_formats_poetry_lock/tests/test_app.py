"""Tests run with the dev group installed (poetry install), so pytest is available here."""
import pytest

from app import app


@pytest.fixture()
def client():
    return app.test_client()


def test_index(client):
    assert client.get("/").json == {"service": "shortlinks", "links": ["docs"]}


def test_follow(client):
    assert client.get("/docs").status_code == 302
    assert client.get("/nope").status_code == 404
