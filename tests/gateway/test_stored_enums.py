"""States and outcomes are StrEnums in the models too: stored as the values they always had,
read back as members, and a value outside the enum never reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from punchout.persistence.models import Protocol, PunchoutSession, SessionStatus, Supplier
from testkit.gateway import open_session

pytestmark = pytest.mark.usefixtures("routed_shop")


def test_states_come_back_as_members_and_bad_ones_are_refused(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        session = db.get(PunchoutSession, sid)
        assert session.status is SessionStatus.OPEN and session.status == "open"
        supplier = db.scalars(select(Supplier)).first()
        assert supplier.protocol is Protocol.CXML
        session.status = "half-open"
        with pytest.raises(StatementError, match="not a SessionStatus"):
            db.commit()
