"""What the gateway really sends (the archived setup requests of create and edit sessions)
validates against the cXML 1.2.063 DTD."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from punchout.persistence.models import Message
from punchout.safexml import parse_untrusted
from testkit.dtd import require_cxml_dtd
from testkit.gateway import open_session, post_form_without_cookies, shop_checkout

pytestmark = [
    pytest.mark.usefixtures("routed_shop"),
]


def test_gateway_setup_requests_validate(app, seeded, shop_client, gateway):
    _sid, start = open_session(app, seeded)
    form = shop_checkout(shop_client, start, [{"supplier_part_id": "KG-1310", "quantity": "2"},
                                              {"supplier_part_id": "KG-1001", "quantity": "1"}])
    back = post_form_without_cookies(app, form["action"], form["fields"])
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    open_session(app, seeded, operation="edit", requisition=req_id)
    dtd = etree.DTD(str(require_cxml_dtd()))
    with gateway.session_factory() as db:
        sent = list(db.scalars(select(Message).where(Message.kind == "setup_request")))
    assert len(sent) == 2
    for msg in sent:
        tree = parse_untrusted(msg.body)
        assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert b"<ItemOut" in sent[1].body


def test_rotated_secret_key_still_accepts_old_return_links(settings):
    from punchout.services.signing import Signer

    old = Signer("old-key")
    token = old.dumps({"s": 1})
    rotated = Signer("new-key", fallbacks=("old-key",))
    assert rotated.loads(token, max_age=60) == {"s": 1}
    from punchout.services.signing import TokenInvalid

    with pytest.raises(TokenInvalid):
        Signer("new-key").loads(token, max_age=60)
