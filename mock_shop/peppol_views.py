"""``GET|POST /peppol``: the shop as a Peppol BIS Punch Out 3 supplier.

The BIS leaves the transport open; like SFTI's shops, this one is started like OCI (login
parameters and ``HOOK_URL``, the same checks on both) and returns the cart, a UBL
``Catalogue``, in the hidden form field ``peppol-base64`` (or ``peppol-urlencoded`` with
``MOCK_SHOP_BASKET_ENCODING=urlencoded``) posted to HOOK_URL.
"""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from .faults import SESSION_FAULT_PARAM
from .oci_call import OciRefused, param, read_call
from .oci_shop import call_fault, refusal, start_session
from .oci_views import call_params
from .shop import current_shop
from .views import bind_browser

bp = Blueprint("peppol", __name__)


@bp.route("/peppol", methods=["GET", "POST"])
def entry() -> WerkzeugResponse:
    shop = current_shop()
    params = call_params()
    try:
        fault = call_fault(shop, params)
        call = read_call(params, shop.oci,
                         any_password=fault.accept_any_secret if fault is not None else False)
        if call.function:
            raise OciRefused(400, "function_not_supported", "Function not supported",
                             "The Peppol entry opens the shop; it takes no FUNCTION.")
    except OciRefused as exc:
        return refusal(exc)
    answer = fault.oci_session_answer() if fault is not None else None
    if answer is not None:
        return answer
    po = start_session(shop, call.context, bound=True,
                       fault_name=param(params, SESSION_FAULT_PARAM) or None)
    po.protocol = "peppol"
    bind_browser(po)
    return redirect(url_for("shop.index"), 303)

