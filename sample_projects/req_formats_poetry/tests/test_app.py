"""Tests run with the dev group installed (poetry install), so pytest and rich are available here."""
import pytest
from rich.console import Console

from app import app


@pytest.fixture()
def client():
    return app.test_client()


def test_index(client):
    response = client.get("/")
    Console().print(response.json)
    assert response.json == {"service": "invoices", "count": 1}


def test_unknown_invoice(client):
    assert client.get("/invoices/INV-404").status_code == 404
