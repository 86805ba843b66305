"""Helpers the gateway tests share: drive the mock shop like a buyer's browser would."""

from __future__ import annotations

from urllib.parse import urlsplit


def start_token(start_url: str) -> str:
    path = urlsplit(start_url).path
    assert path.startswith("/punchout/start/"), start_url
    return path.rsplit("/", 1)[1]


def shop_checkout(shop_client, start_url: str, items: list[dict[str, str]]) -> dict:  # type: ignore[no-untyped-def]
    """Fill the mock shop's cart for the session behind ``start_url`` and return the
    checkout form (action, fields) the browser would post."""
    tok = start_token(start_url)
    r = shop_client.post(f"/test/sessions/{tok}/cart", json={"items": items, "replace": True})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = shop_client.get(f"/test/sessions/{tok}/checkout")
    assert r.status_code == 200, r.get_data(as_text=True)
    form = r.get_json()
    assert form["method"].lower() == "post"
    return form


def post_form_without_cookies(app, action: str, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    """The cross-site return: a fresh client, so no gateway cookie goes along."""
    parts = urlsplit(action)
    fresh = app.test_client()
    return fresh.post(parts.path, data=fields, base_url=f"{parts.scheme}://{parts.netloc}")
