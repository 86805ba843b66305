"""Who takes part in a punch-out start, read in one Core query as plain frozen values.

A start reads an organisation, one of its suppliers, one of its users and the supplier's
agreements, and changes none of them. Loading them as ORM objects (an ORM session, the unit of
work, four mapped instances) was about a sixth of an API start's CPU (issue 8); a start now
reads them with one SELECT on a connection that commits each statement (one round trip on
PostgreSQL) and works on the values. Each value's fields are the columns the query reads.

:class:`SupplierLike` is what the OCI helpers shared by a start (with a :class:`SupplierRef`)
and a return or a VALIDATE call (with the mapped ``Supplier``) read of a supplier.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Engine, Label, Row, Table, and_, bindparam, select

from punchout.errors import NotFound
from punchout.persistence.db import autocommit
from punchout.persistence.models import (
    Agreement,
    Organisation,
    Role,
    Supplier,
    User,
    roles_include,
)


class SupplierLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def organisation_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def setup_url(self) -> str: ...
    @property
    def settings_json(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    id: int
    name: str
    allowed_return_hosts: str


@dataclass(frozen=True, slots=True)
class SupplierRef:
    id: int
    organisation_id: int
    name: str
    protocol: str
    setup_url: str
    from_domain: str
    from_identity: str
    to_domain: str
    to_identity: str
    sender_domain: str
    sender_identity: str
    shared_secret_encrypted: str | None
    deployment_mode: str
    settings_json: str


@dataclass(frozen=True, slots=True)
class UserRef:
    id: int
    organisation_id: int
    email: str
    name: str
    roles: str
    active: bool

    def has_role(self, role: Role | str) -> bool:
        return roles_include(self.roles, role)


@dataclass(frozen=True, slots=True)
class AgreementRef:
    id: int
    reference: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class StartParties:
    """The organisation, its supplier and its user, and the supplier's agreements (by
    reference) that the session may be bound to."""

    organisation: OrganisationRef
    supplier: SupplierRef
    user: UserRef
    agreements: tuple[AgreementRef, ...]


def _columns(table: Table, ref: type, prefix: str) -> list[Label[Any]]:
    return [table.c[f.name].label(prefix + f.name) for f in fields(ref)]


def _value(ref: type, prefix: str, row: Row[Any]) -> Any:
    mapping = row._mapping
    return ref(*(mapping[prefix + f.name] for f in fields(ref)))


_ORGS = cast(Table, Organisation.__table__)
_SUPPLIERS = cast(Table, Supplier.__table__)
_USERS = cast(Table, User.__table__)
_AGREEMENTS = cast(Table, Agreement.__table__)
#: (table, value type, label prefix) of each party, in the order of StartParties.
_PARTS = ((_ORGS, OrganisationRef, "o_"), (_SUPPLIERS, SupplierRef, "s_"),
          (_USERS, UserRef, "u_"), (_AGREEMENTS, AgreementRef, "a_"))
_SELECT = (
    select(*(column for table, ref, prefix in _PARTS for column in _columns(table, ref, prefix)))
    .select_from(
        _ORGS.join(_SUPPLIERS, _SUPPLIERS.c.organisation_id == _ORGS.c.id)
        .join(_USERS, _USERS.c.organisation_id == _ORGS.c.id)
        .outerjoin(_AGREEMENTS, and_(_AGREEMENTS.c.supplier_id == _SUPPLIERS.c.id,
                                     _AGREEMENTS.c.organisation_id == _ORGS.c.id)))
    .order_by(_AGREEMENTS.c.reference)
)
#: Built once each (a statement built per call cost a third of the query in cache-key work):
#: by supplier name and user e-mail (the API), by ids (the buyer's page).
_BY_NAME = _SELECT.where(_ORGS.c.id == bindparam("org"), _SUPPLIERS.c.name == bindparam("supplier"),
                         _USERS.c.email == bindparam("user"))
_BY_ID = _SELECT.where(_ORGS.c.id == bindparam("org"), _SUPPLIERS.c.id == bindparam("supplier"),
                       _USERS.c.id == bindparam("user"))


def start_parties(engine: Engine, org_id: int, *, supplier: str | int, user: str | int
                  ) -> StartParties:
    """The parties of a start: ``supplier`` by name (the API) or id (the buyer's page),
    ``user`` by e-mail address or id. NotFound names what is missing."""
    by_id = isinstance(supplier, int)
    if by_id != isinstance(user, int):
        raise TypeError("name the supplier and the user both by id or both by name")
    params = {"org": org_id, "supplier": supplier,
              "user": user if isinstance(user, int) else user.strip().lower()}
    with autocommit(engine) as conn:
        rows = conn.execute(_BY_ID if by_id else _BY_NAME, params).all()
        if not rows:
            raise NotFound(_missing(conn, params, by_id))
    first = rows[0]
    return StartParties(
        _value(OrganisationRef, "o_", first), _value(SupplierRef, "s_", first),
        _value(UserRef, "u_", first),
        tuple(_value(AgreementRef, "a_", row) for row in rows if row.a_id is not None))


def _missing(conn: Connection, params: dict[str, Any], by_id: bool) -> str:
    org_id, supplier = params["org"], params["supplier"]
    name = conn.scalar(select(_ORGS.c.name).where(_ORGS.c.id == org_id))
    if name is None:
        return f"organisation {org_id} not found"
    column = _SUPPLIERS.c.id if by_id else _SUPPLIERS.c.name
    if conn.scalar(select(_SUPPLIERS.c.id).where(_SUPPLIERS.c.organisation_id == org_id,
                                                 column == supplier)) is None:
        return f"supplier {supplier!r} not found in {name}"
    return f"user {params['user']} not found in {name}"
