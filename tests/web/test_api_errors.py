"""A refused value answers `{"detail": "<param>: <reason>"}`, never pydantic's list, in the
language Accept-Language names (English when it names none)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

REFUSED = [
    ("/api/v1/export?ws=acme&format=pdf", "format: pdf is not accepted; accepted values: csv"),
    ("/api/v1/series?ws=acme&bucket=minute", "bucket: minute is not accepted; accepted values:"),
    ("/api/v1/alerts?ws=acme&state=bogus", "state: bogus is not accepted; accepted values: open"),
    ("/api/v1/signals?ws=acme&limit=0", "limit: 0 is too small; at least 1"),
    ("/reports/hebdo/download?ws=acme&format=doc", "format: doc is not accepted"),
]


@pytest.mark.parametrize(("url", "said"), REFUSED)
def test_a_refused_value_is_one_sentence_naming_the_parameter(
    client: TestClient, url: str, said: str
) -> None:
    answer = client.get(url)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and detail.startswith(said), detail
    assert "Input should" not in detail


def test_the_api_answers_in_the_language_accept_language_names(client: TestClient) -> None:
    french = client.get("/api/v1/signals?ws=acme&limit=0", headers={"Accept-Language": "fr-FR"})
    assert french.json() == {"detail": "limit : 0 est trop petit ; au moins 1"}
    english = client.get("/api/v1/signals?ws=acme&limit=0", headers={"Accept-Language": "de, en"})
    assert english.json() == {"detail": "limit: 0 is too small; at least 1"}
    word = client.get("/api/v1/signals?ws=acme&limit=ten", headers={"Accept-Language": "fr"})
    assert word.json() == {"detail": "limit : ten n'est pas un nombre entier"}


def test_a_page_names_the_reason_too(client: TestClient) -> None:
    page = client.get("/?flag=rude", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert page.status_code == 422
    assert "Valeur inattendue pour : flag." in page.text and "valeurs acceptées" in page.text
