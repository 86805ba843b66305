"""Sample cXML messages shared by the codec and DTD tests (Växjö kommun buying office supplies)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from punchout.cxml import (
    Address,
    Classification,
    Contact,
    Credential,
    DeploymentMode,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PriceBasisQuantity,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
)

HEADER = Header(
    from_=(Credential("NetworkID", "VAXJO-KOMMUN"), Credential("OrgNr", "212000-0689")),
    to=(Credential("NetworkID", "KONTORSGROSSISTEN"),),
    sender=Credential("NetworkID", "VAXJO-KOMMUN", "s3cr3t-Kontor-2025"),
    user_agent="punchout 0.1",
)

PAPER = Item(
    quantity=Decimal("5"),
    item_id=ItemID("100234", '<cart id="4711"><line no="1">A4-80</line></cart>'),
    detail=ItemDetail(
        unit_price=Money(Decimal("45.90"), "SEK"),
        description="Kopieringspapper A4 80 g, 500 ark, Svanenmärkt",
        unit_of_measure="XPK",
        description_lang="sv-SE",
        short_name="Kopieringspapper A4",
        classifications=(Classification("UNSPSC", "14111507"),),
        manufacturer_part_id="NAV-A4-80",
        manufacturer_name="Navigator",
        url="https://kontorsgrossisten.example/p/100234",
        lead_time=2,
        extrinsics=(Extrinsic("Miljömärkning", "Svanen"),),
    ),
    line_number=1,
)

COFFEE = Item(
    quantity=Decimal("2.5"),
    item_id=ItemID("KAFFE-500", "pris<=189&kg"),
    detail=ItemDetail(
        unit_price=Money(Decimal("189.00"), "SEK", Decimal("16.58"), "EUR"),
        description="Bryggkaffe mellanrost, per kg",
        unit_of_measure="KGM",
        price_basis_quantity=PriceBasisQuantity(Decimal("1"), Decimal("1"), "KGM"),
        classifications=(Classification("UNSPSC", "50201706"),),
    ),
    line_number=2,
    parent_line_number=1,
)

CREATE = PunchOutSetupRequest(
    header=HEADER,
    buyer_cookie="c0ffee-5e55-1on",
    browser_form_post_url="https://inkop.vaxjo.example/punchout/return/cxml/tok.sig",
    operation=Operation.CREATE,
    extrinsics=(
        Extrinsic("UserEmail", "anna.andersson@vaxjo.example"),
        Extrinsic("CostCenter", "4410"),
    ),
    contacts=(Contact("Anna Andersson", "anna.andersson@vaxjo.example", "endUser", "sv-SE"),),
    ship_to=Address(
        address_id="VAS-4410",
        name="Vasaskolan",
        lang="sv-SE",
        deliver_to=("Anna Andersson",),
        street=("Skolgatan 12",),
        city="Växjö",
        postal_code="352 33",
    ),
)

EDIT = dataclasses.replace(
    CREATE,
    operation=Operation.EDIT,
    items_out=(PAPER, COFFEE),
    deployment_mode=DeploymentMode.TEST,
    selected_item=ItemID("100234"),
)

BASKET = PunchOutOrderMessage(
    header=HEADER,
    buyer_cookie="c0ffee-5e55-1on",
    operation_allowed=Operation.EDIT,
    total=Money(Decimal("701.00"), "SEK"),
    items=(PAPER, COFFEE),
    shipping=Money(Decimal("0.00"), "SEK"),
    tax=Money(Decimal("175.25"), "SEK"),
)
