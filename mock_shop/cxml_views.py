"""``POST /cxml/setup``: the server-to-server PunchOutSetupRequest endpoint."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from . import cxml_out
from .cxml_in import (
    SetupError,
    authenticate,
    parse_setup_request,
    read_punchout_request,
    requested_fault,
)
from .faults import cxml_response
from .sessions import PunchoutSession, cart_from_items, new_token
from .shop import current_shop

log = logging.getLogger(__name__)

bp = Blueprint("cxml", __name__)


@bp.post("/cxml/setup")
def setup() -> Response:
    shop = current_shop()
    host = shop.host()
    data = request.get_data(cache=False)
    fault = shop.fault
    fault_name: str | None = None
    try:
        setup_request, root = parse_setup_request(data)
        fault_name = requested_fault(root)
        try:
            fault = shop.session_fault(fault_name)
        except ValueError as exc:
            fault_name = None
            raise SetupError(400, "Bad Request", f"MockShopFault: {exc}") from None
        any_secret = fault.accept_any_secret if fault is not None else False
        identity = authenticate(setup_request, shop.buyers, any_secret=any_secret)
        read_punchout_request(setup_request, root)
    except SetupError as exc:
        log.info("setup request refused: %s %s", exc.code, exc.message)
        answer = fault.error_answer(exc.code, exc.text, exc.message, host) if fault else None
        if answer is not None:
            return answer
        return cxml_response(cxml_out.status_response(exc.code, exc.text, exc.message, host=host))

    if fault is not None:
        answer = fault.setup_answer(shop, host)
        if answer is not None:
            return answer

    lines, notices = cart_from_items(
        shop.catalogue,
        [(item.supplier_part_id, item.quantity, item.aux) for item in setup_request.items],
    )
    session = PunchoutSession(
        id=new_token(),
        start_token=new_token(),
        operation=setup_request.operation,
        buyer_cookie=setup_request.buyer_cookie,
        browser_form_post=setup_request.browser_form_post,
        buyer_credentials=setup_request.from_credentials,
        buyer_identity=identity,
        deployment_mode=setup_request.deployment_mode,
        user_email=setup_request.user_email,
        extrinsics=setup_request.extrinsics,
        selected_part_id=setup_request.selected_part_id,
        cart=lines,
        notices=setup_request.skipped_items + notices,
        fault_name=fault_name,
    )
    shop.store.add(session)
    log.info(
        "punch-out session (%s) for %s started with %d line(s)",
        session.operation,
        identity,
        len(lines),
    )
    start_url = f"{shop.base_url()}/punchout/start/{session.start_token}"
    return cxml_response(cxml_out.setup_response(start_url, host=host))
