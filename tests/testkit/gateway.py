"""Helpers the gateway tests share: drive the mock shop like a buyer's browser would."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD


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


def open_session(app, seeded, **body):  # type: ignore[no-untyped-def]
    """Open a punch-out session through the API; returns (session id, start_url)."""
    payload = {"supplier": seeded["supplier"], "user": "anna.buyer@kommun.example"}
    payload.update(body)
    r = app.test_client().post("/api/v1/punchout/sessions", json=payload,
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    return data["id"], data["start_url"]


def session_return(gateway, session_id: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(return URL path, BuyerCookie) of a session, as the supplier got them."""
    from punchout.persistence.models import PunchoutSession

    with gateway.session_factory() as db:
        s = db.get(PunchoutSession, session_id)
        token = gateway.signer.dumps({"s": s.id, "u": s.user_id, "p": s.supplier_id})
        return f"/punchout/return/{token}", s.buyer_cookie


def basket_xml(buyer_cookie: str, lines: list[tuple[str, str, str, str]], *,
               total: str | None = None, status: int = 200, currency: str = "SEK") -> bytes:
    """A PunchOutOrderMessage with (part ID, quantity, unit price, unit) lines."""
    from decimal import Decimal

    from punchout.cxml import (
        Classification,
        Credential,
        Header,
        Item,
        ItemDetail,
        ItemID,
        Money,
        Operation,
        PunchOutOrderMessage,
        Status,
        build_order_message,
    )

    items = tuple(
        Item(quantity=Decimal(q), line_number=n,
             item_id=ItemID(part),
             detail=ItemDetail(unit_price=Money(Decimal(p), currency),
                               description=f"Artikel {part}", unit_of_measure=unit,
                               classifications=(Classification("UNSPSC", "14111507"),)))
        for n, (part, q, p, unit) in enumerate(lines, start=1)
    )
    if total is None:
        total = str(sum((Decimal(q) * Decimal(p) for _, q, p, _ in lines), Decimal(0)))
    shop = Credential("NetworkID", "mock-shop")
    return build_order_message(PunchOutOrderMessage(
        header=Header(from_=(shop,), to=(Credential("NetworkID", "buyer"),), sender=shop),
        buyer_cookie=buyer_cookie, operation_allowed=Operation.EDIT,
        total=Money(Decimal(total), currency), items=items,
        status=Status(status, "OK" if status == 200 else "No Content")))


def b64_form(xml: bytes, field: str = "cxml-base64") -> dict[str, str]:
    import base64

    return {field: base64.b64encode(xml).decode()}


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client, email: str = BUYER_EMAIL, password: str = BUYER_PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the real login form (with its CSRF token)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})
