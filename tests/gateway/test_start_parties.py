"""A start reads its parties (organisation, supplier, user, the supplier's agreements) as plain
values in one query, and writes its session on connections of its own, none of them held while
the supplier answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from punchout.errors import NotFound
from punchout.persistence.models import PunchoutSession, SessionStatus
from punchout.services import agreements, cxml_flow
from punchout.services.parties import AgreementRef, start_parties
from testkit.constants import BUYER_EMAIL
from testkit.gateway import open_session

TODAY = date.today()


def _add_agreement(gateway, seeded, reference: str) -> None:  # type: ignore[no-untyped-def]
    from punchout.persistence.models import Organisation, Supplier

    with gateway.session_factory() as db:
        org = db.get(Organisation, seeded["org_id"])
        supplier = db.get(Supplier, seeded["supplier_id"])
        agreements.create(db, org, supplier, reference, currency="SEK",
                          valid_from=TODAY - timedelta(days=1),
                          valid_to=TODAY + timedelta(days=30))
        db.commit()


def test_by_name_and_by_id_the_same_parties_with_the_agreements_by_reference(gateway, seeded):
    _add_agreement(gateway, seeded, "RAM-B")
    _add_agreement(gateway, seeded, "RAM-A")
    by_name = start_parties(gateway.engine, seeded["org_id"], supplier="Kontorsgrossisten",
                            user="  Anna.Buyer@Kommun.Example ")
    by_id = start_parties(gateway.engine, seeded["org_id"], supplier=seeded["supplier_id"],
                          user=seeded["buyer_id"])
    assert by_name == by_id
    assert by_name.organisation.name == "Testkommun"
    assert by_name.organisation.allowed_return_hosts == "erp.kommun.example"
    assert by_name.supplier.id == seeded["supplier_id"]
    assert by_name.supplier.protocol == "cxml"
    assert by_name.user.email == BUYER_EMAIL and by_name.user.has_role("buyer")
    assert not by_name.user.has_role("approver")
    assert [a.reference for a in by_name.agreements] == ["RAM-A", "RAM-B"]
    assert all(isinstance(a, AgreementRef) and a.valid_from <= TODAY <= a.valid_to
               for a in by_name.agreements)


def test_a_supplier_without_agreements_has_none(gateway, seeded):
    parties = start_parties(gateway.engine, seeded["org_id"], supplier="Kontorsgrossisten",
                            user=BUYER_EMAIL)
    assert parties.agreements == ()


@pytest.mark.parametrize(("org", "supplier", "user", "message"), [
    (None, "Kontorsgrossisten", BUYER_EMAIL, "organisation 999999 not found"),
    ("org", "Nobody AB", BUYER_EMAIL, "supplier 'Nobody AB' not found in Testkommun"),
    ("org", "Kontorsgrossisten", "nobody@kommun.example",
     "user nobody@kommun.example not found in Testkommun"),
])
def test_what_is_missing_is_named(gateway, seeded, org, supplier, user, message):
    org_id = seeded["org_id"] if org else 999999
    with pytest.raises(NotFound) as caught:
        start_parties(gateway.engine, org_id, supplier=supplier, user=user)
    assert caught.value.message == message


def test_no_pooled_connection_is_held_while_the_supplier_answers(app, seeded, gateway,
                                                                 routed_shop, monkeypatch):
    """A supplier that takes its time must not hold a database connection per waiting start
    (the pool would run dry long before the supplier slots do)."""
    held: list[int] = []
    send = cxml_flow.send_setup

    def watching(*args, **kwargs):  # type: ignore[no-untyped-def]
        held.append(gateway.engine.pool.checkedout())
        return send(*args, **kwargs)

    monkeypatch.setattr(cxml_flow, "send_setup", watching)
    session_id, start_url = open_session(app, seeded)
    assert held == [0]
    with gateway.session_factory() as db:
        session = db.get(PunchoutSession, session_id)
        assert session is not None
        assert session.status == SessionStatus.OPEN.value and session.start_url == start_url
