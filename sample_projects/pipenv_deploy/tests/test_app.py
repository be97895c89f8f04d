"""Route tests; pytest comes from [dev-packages], like Faker."""
import pytest

from app import app


@pytest.fixture()
def client():
    return app.test_client()


def test_index_lists_the_sample_books(client):
    assert len(client.get("/").get_json()["books"]) == 5


def test_unknown_book_is_404(client):
    assert client.get("/books/999").status_code == 404
