"""The organisation's details that orders carry (``punchout orgs update``)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from punchout.errors import InvalidRequest
from punchout.persistence.models import Organisation

#: Column -> longest value.
FIELDS = {"code": 20, "legal_name": 200, "org_number": 20, "peppol_id": 60,
          "buyer_reference": 200, "invoice_street": 200, "invoice_postcode": 20,
          "invoice_city": 100, "invoice_country": 2, "delivery_street": 200,
          "delivery_postcode": 20, "delivery_city": 100, "delivery_country": 2}
CODE = re.compile(r"[A-Za-z0-9ÅÄÖåäö_]{1,20}")


def update_details(db: Session, org: Organisation, values: dict[str, str | None]) -> list[str]:
    """Set the given details (an empty string clears one); returns what changed."""
    changed = []
    for name, raw in values.items():
        if raw is None:
            continue
        if name not in FIELDS:
            raise InvalidRequest(f"unknown organisation detail {name!r}")
        value: str | None = raw.strip() or None
        if name.endswith("_country") and value is not None:
            value = value.upper()
            if not (len(value) == 2 and value.isalpha()):
                raise InvalidRequest(f"{name} is a two-letter ISO code such as SE")
        if value is not None and len(value) > FIELDS[name]:
            raise InvalidRequest(f"{name} is at most {FIELDS[name]} characters")
        if name == "code" and value is not None and not CODE.fullmatch(value):
            raise InvalidRequest(f"the code is letters and digits (it goes into order numbers "
                                 f"such as {value[:8].upper()}-42), not {value!r}")
        if name == "peppol_id" and value is not None and not re.fullmatch(r"\d{4}:\S+", value):
            raise InvalidRequest("a Peppol ID is scheme:identifier such as 0007:2120001234")
        if getattr(org, name) != value:
            setattr(org, name, value)
            changed.append(name)
    db.flush()
    return changed
