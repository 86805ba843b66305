"""A Peppol Punch Out 3 cart in whatever the return endpoint or an integrator received.

DESIGN.md: a cart is recognised by content, whatever the supplier's protocol says
(:func:`punchout.peppol.find_cart`). It is read even when it breaks BIS rules; the breaks
travel as the basket's ``bis_rule`` warnings.
"""

from __future__ import annotations

from punchout.domain.basket import Basket
from punchout.peppol import PeppolError, cart_to_basket, find_cart, read_cart
from punchout.persistence.models import PunchoutSession
from punchout.services.context import Gateway
from punchout.services.returned import ReturnedBasket, Unreadable


def read_peppol_basket(xml: bytes, *, max_bytes: int) -> Basket:
    """The domain basket of a cart; raises :class:`~punchout.peppol.PeppolError`."""
    return cart_to_basket(read_cart(xml, max_bytes=max_bytes))


def carries_cart(body: bytes, content_type: str | None) -> bool:
    """Whether a return carries a Peppol cart (also one whose ``peppol-*`` field is broken:
    the Peppol reader then says what is wrong with it)."""
    try:
        return find_cart(body, content_type) is not None
    except PeppolError:
        return True


def read_return(gw: Gateway, session: PunchoutSession, body: bytes,
                content_type: str | None) -> ReturnedBasket:
    """The basket of a Peppol Punch Out 3 return; its trust comes from the session token (a
    cart carries no BuyerCookie), as for OCI."""
    try:
        cart = find_cart(body, content_type)
        if cart is None:
            raise Unreadable("no Peppol Punch Out 3 cart: expected a UBL Catalogue as the body "
                             "or in a peppol-base64/peppol-urlencoded form field")
        basket = read_peppol_basket(cart, max_bytes=gw.settings.max_body)
    except PeppolError as exc:
        raise Unreadable(str(exc)) from None
    return ReturnedBasket(basket, cancelled=basket.is_empty)
