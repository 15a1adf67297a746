"""Helpers for the API's bearer tokens."""

from __future__ import annotations

from django.test import Client

from tests.factories.organisations import PASSWORD


def token_for(client: Client, username: str) -> str:
    response = client.post("/api/v1/auth/token", {"username": username, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
