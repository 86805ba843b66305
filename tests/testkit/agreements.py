"""An agreement with a small assortment for the gateway tests."""

from __future__ import annotations

from datetime import date, timedelta

from punchout.assortment import read_assortment
from punchout.services import accounts, agreements
from punchout.services.assortment_import import import_assortment

TODAY = date.today()
CSV = (b"supplier_part_id;unit;price;max_quantity;unspsc\n"
       b"KG-1001;XPK;42,50;100;14111507\n"
       b"KG-1003;XBX;200,00;;14111507\n"
       b"KG-1006;XPK;96,00;;14111530\n")


def add_agreement(gateway, ref: str = "RAM-2026-017", csv: bytes = CSV, *,
                  valid_from: date | None = None, valid_to: date | None = None,
                  policy: str = "reject", effective_from: date | None = None) -> None:
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        existing = {a.reference: a for a in agreements.list_for(db, org.id)}
        agreement = existing.get(ref) or agreements.create(
            db, org, supplier, ref, currency="SEK",
            valid_from=valid_from or TODAY - timedelta(days=30),
            valid_to=valid_to or TODAY + timedelta(days=365), policy=policy)
        import_assortment(db, agreement, read_assortment(csv, "csv"),
                          effective_from=effective_from, today=TODAY)
        db.commit()
