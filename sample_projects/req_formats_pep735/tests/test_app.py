"""Tests, run with the test group installed."""
import pytest

from app import app


@pytest.fixture()
def client():
    return app.test_client()


def test_index(client):
    assert client.get("/").json == {"service": "bookmarks", "count": 1}


def test_add_bookmark(client):
    response = client.post("/bookmarks", data={"url": "https://example.com"})
    assert response.status_code == 201
