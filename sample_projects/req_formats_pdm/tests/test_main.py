"""Tests run with the test group installed (pdm install -G test): pytest and httpx are available here."""
import httpx
import pytest
from fastapi.testclient import TestClient

import main


def fake_rates(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"rates": {request.url.params["to"]: 0.5}})


@pytest.fixture()
def client(monkeypatch):
    monkeypatch.setattr(main, "upstream", httpx.Client(transport=httpx.MockTransport(fake_rates)))
    return TestClient(main.app)


def test_index(client):
    assert client.get("/").json()["service"] == "fx-rates"


def test_convert(client):
    assert client.get("/convert/eur/usd", params={"amount": 10}).json()["result"] == 5.0
