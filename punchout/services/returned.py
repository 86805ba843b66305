"""What a protocol's return reader gives the generic return path."""

from __future__ import annotations

from dataclasses import dataclass

from punchout.domain.basket import Basket
from punchout.errors import InvalidInput


@dataclass(frozen=True)
class ReturnedBasket:
    """A returned basket as read; ``cancelled`` when the buyer came back without one (an empty
    basket, cXML status 204)."""

    basket: Basket
    cancelled: bool


class Unreadable(InvalidInput):
    """The supplier's basket could not be read; the message says why."""

    location = "returned basket"
