"""The pure Peppol BIS codec: Punch Out 3 carts in, Order 3 documents out.

No web framework, database or network code lives here; every XML document goes through
:mod:`punchout.safexml`. OpenPEPPOL's Schematron rules run outside the request path
(``../shared/peppol/validate.py`` in the tests and certification); what they leave to the
generated cardinality rules is checked by :mod:`punchout.peppol.shape`.
"""

from punchout.peppol.basket import cart_to_basket, line_problems
from punchout.peppol.cart import is_peppol_cart, read_cart
from punchout.peppol.errors import (
    PeppolError,
    PeppolFormFieldError,
    PeppolStructureError,
    PeppolSyntaxError,
)
from punchout.peppol.form import find_cart
from punchout.peppol.model import (
    Address,
    Cart,
    CartLine,
    CartParty,
    Classification,
    Order,
    OrderLine,
    OrderParty,
    RuleBreak,
    TaxCategory,
)
from punchout.peppol.order import line_amount, order_problems, write_order
from punchout.peppol.shape import ShapeProblem, cart_shape_problems, order_shape_problems

__all__ = [
    "Address",
    "Cart",
    "CartLine",
    "CartParty",
    "Classification",
    "Order",
    "OrderLine",
    "OrderParty",
    "PeppolError",
    "PeppolFormFieldError",
    "PeppolStructureError",
    "PeppolSyntaxError",
    "RuleBreak",
    "ShapeProblem",
    "TaxCategory",
    "cart_shape_problems",
    "cart_to_basket",
    "find_cart",
    "is_peppol_cart",
    "line_amount",
    "line_problems",
    "order_problems",
    "order_shape_problems",
    "read_cart",
    "write_order",
]
