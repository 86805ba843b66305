""""Check this basket against agreement REF today": one orchestration for the JSON API, the CLI
and the certification suite (read the input, find the agreement, the day in the gateway's time
zone, the two indexed queries, the pure check, the verdict answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine

from punchout.domain.basket import Basket
from punchout.domain.json_basket import verdict_answer
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import InvalidRequest
from punchout.persistence.db import autocommit
from punchout.persistence.types import utcnow
from punchout.services import agreements
from punchout.services.basket_input import read_basket


@dataclass(frozen=True)
class CheckedBasket:
    reference: str
    basket: Basket
    verdict: BasketVerdict
    day: date

    def answer(self) -> dict[str, Any]:
        """The verdict answer of DESIGN.md (JSON API, ``baskets check --json``)."""
        return verdict_answer(self.basket, self.verdict, self.reference)

    @property
    def all_ok(self) -> bool:
        return all(line.action.value == "ok" for line in self.verdict.lines)


def check_basket_against(conn: Connection, organisation_id: int, reference: str,
                         basket: Basket, *, tz: tzinfo, day: date | None = None
                         ) -> CheckedBasket:
    """Verdicts for ``basket`` against the organisation's agreement ``reference`` on ``day``
    (default: today in ``tz``). Raises NotFound for an unknown reference."""
    on = day if day is not None else agreements.local_day(utcnow(), tz)
    result = agreements.check_by_reference(conn, organisation_id, reference, basket, on)
    return CheckedBasket(result.reference, basket, result.verdict, on)


def check_basket_input(engine: Engine, organisation_id: int, data: bytes,
                       content_type: str | None = None, *, tz: tzinfo,
                       reference: str | None = None, day: date | None = None,
                       max_bytes: int = 20 * 1024 * 1024) -> CheckedBasket:
    """Like :func:`check_basket_against`, from the bytes an integrator has (JSON, cXML, a form
    body, OCI fields). The reference given wins over one named in a JSON basket. The input is
    read first; only the check takes a connection (one SELECT on a connection that commits each
    statement, so PostgreSQL hears no BEGIN and ROLLBACK; no ORM session: its unit of work was
    a tenth of an API check).

    Raises BasketUnreadable (an InvalidInput) for input that is no basket, InvalidRequest when no
    agreement is named, NotFound for an unknown one."""
    basket_in = read_basket(data, content_type, max_bytes=max_bytes)
    chosen = reference or basket_in.agreement
    if not chosen:
        raise InvalidRequest("name the agreement: ?agreement=REF or \"agreement\" in the JSON")
    with autocommit(engine) as conn:
        return check_basket_against(conn, organisation_id, chosen, basket_in.basket, tz=tz,
                                    day=day)
