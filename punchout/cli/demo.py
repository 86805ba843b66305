"""``punchout demo``: seed demo data and run the gateway beside the mock shop.

The gateway listens on 127.0.0.1 and the mock shop on localhost: two different sites, so the
basket really comes back cross-site and the SameSite rules are exercised as in production.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import click
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from punchout.assortment import read_assortment
from punchout.cli.demo_history import HistoryArticle, seed_history
from punchout.config import Settings, load_settings
from punchout.persistence import db as dbmod
from punchout.persistence.models import Organisation, Supplier, User
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements, org_details, supplier_orders
from punchout.services.assortment_import import import_assortment
from punchout.services.context import Gateway

DEMO_ORG = "Demo kommun"
DEMO_BUYER = ("buyer@demo.example", "demo-buyer")
DEMO_APPROVER = ("approver@demo.example", "demo-approver")
DEMO_ADMIN = ("admin@demo.example", "demo-admin")
DEMO_SUPPLIER_USER = ("supplier@demo.example", "demo-supplier")
DEMO_PROCUREMENT = ("procurement@demo.example", "demo-procurement")
DEMO_IDENTITY = "punchout-demo"
DEMO_SHOP_IDENTITY = "mock-shop"
DEMO_SHARED_SECRET = "demo-secret"


def _instance_folder(database_url: str) -> Path:
    """The folder of the demo's SQLite file (``instance`` for any other database)."""
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        return Path(database_url[len("sqlite:///"):]).parent
    if database_url.startswith("sqlite:////"):
        return Path(database_url[len("sqlite:///"):]).parent
    return Path("instance")


def _demo_keys(database_url: str) -> dict[str, str]:
    """Keys kept beside the demo database so a restart can still decrypt what it stored."""
    path = Path("instance") / "demo-keys.json"
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        path = Path(database_url[len("sqlite:///"):]).parent / "demo-keys.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    keys = {"secret_key": os.urandom(32).hex(), "encryption_key": Fernet.generate_key().decode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys))
    path.chmod(0o600)
    return keys


def demo_settings(port: int, shop_port: int) -> Settings:
    base = load_settings(relaxed=True)
    env = os.environ
    keys = _demo_keys(base.database_url)
    return base.with_overrides(
        secret_key=env.get("PUNCHOUT_SECRET_KEY") or keys["secret_key"],
        encryption_key=env.get("PUNCHOUT_ENCRYPTION_KEY") or keys["encryption_key"],
        base_url=base.base_url or f"http://127.0.0.1:{port}",
        allowed_supplier_hosts=base.allowed_supplier_hosts or ("localhost",),
        # The Peppol supplier's orders land here, as an access point would pick them up.
        peppol_outbox=base.peppol_outbox or Path(DEMO_PEPPOL_OUTBOX),
    )


DEMO_ORDER_EMAIL = "order@skolmaterialbolaget.example"
DEMO_PEPPOL_OUTBOX = "instance/peppol-outbox"
DEMO_ORG_DETAILS: dict[str, str | None] = {
    # A valid Swedish organisation number (Luhn): Peppol documents are checked for it
    # (PEPPOL-COMMON-R049).
    "code": "DEMO", "legal_name": "Demo kommun", "org_number": "2120009994",
    "peppol_id": "0007:2120009994", "buyer_reference": "Kommunstyrelsen 4410",
    "invoice_street": "Box 1000", "invoice_postcode": "100 00", "invoice_city": "Demostad",
    "invoice_country": "SE", "delivery_street": "Stadshusgatan 1",
    "delivery_postcode": "100 01", "delivery_city": "Demostad", "delivery_country": "SE"}


def _seed_orders(db: Session, org: Organisation, cxml_supplier: Supplier,
                 oci_supplier: Supplier, shop_url: str) -> None:
    """Orders out: the cXML supplier takes OrderRequests at the mock shop, the OCI supplier
    takes orders by e-mail (the demo's SMTP sink); the organisation's details fill them."""
    if org.code is None:
        org_details.update_details(db, org, DEMO_ORG_DETAILS)
    supplier_orders.save_order_settings(db, cxml_supplier, supplier_orders.OrderSettings(
        "cxml", order_url=f"{shop_url}/cxml/order"))
    supplier_orders.save_order_settings(db, oci_supplier, supplier_orders.OrderSettings(
        "email", order_email=DEMO_ORDER_EMAIL))


def seed(gw: Gateway, shop_url: str) -> None:
    """Create (or refresh) the demo organisation, users and supplier. Safe to run again."""
    with gw.session_factory() as db:
        org = db.scalar(select(Organisation).where(Organisation.name == DEMO_ORG))
        if org is None:
            org = accounts.create_org(db, DEMO_ORG)
        for (email, password), roles in ((DEMO_BUYER, ["buyer"]),
                                         (DEMO_APPROVER, ["approver", "buyer"]),
                                         (DEMO_ADMIN, ["admin"])):
            if db.scalar(select(User).where(User.email == email)) is None:
                accounts.create_user(db, org, email, password, roles,
                                     name=email.split("@")[0].title())
        supplier = accounts.add_supplier(
            db, gw.box, org, "Kontorsgrossisten (mock shop, cXML)", protocol="cxml",
            setup_url=f"{shop_url}/cxml/setup", from_identity=DEMO_IDENTITY,
            to_identity=DEMO_SHOP_IDENTITY, shared_secret=DEMO_SHARED_SECRET,
            deployment_mode="test", replace_existing=True)
        _seed_agreement(gw, db, org, supplier, DEMO_AGREEMENT)
        oci = accounts.add_supplier(
            db, gw.box, org, "Skolmaterialbolaget (mock shop, OCI)", protocol="oci",
            setup_url=f"{shop_url}/oci", deployment_mode="test", replace_existing=True,
            settings={"oci_method": "post",
                      "oci_params": {"USERNAME": DEMO_OCI_USER, "PASSWORD": DEMO_OCI_PASSWORD}})
        _seed_agreement(gw, db, org, oci, DEMO_OCI_AGREEMENT)
        peppol = accounts.add_supplier(
            db, gw.box, org, "Västkontor (mock shop, Peppol)", protocol="peppol",
            setup_url=f"{shop_url}/peppol", deployment_mode="test", replace_existing=True,
            settings={"oci_method": "post",
                      "oci_params": {"USERNAME": DEMO_OCI_USER, "PASSWORD": DEMO_OCI_PASSWORD}})
        _seed_agreement(gw, db, org, peppol, DEMO_PEPPOL_AGREEMENT)

        supplier_orders.save_order_settings(db, peppol, supplier_orders.OrderSettings(
            "peppol", peppol_id="0007:5560000001"))
        _seed_orders(db, org, supplier, oci, shop_url)
        if db.scalar(select(User).where(User.email == DEMO_SUPPLIER_USER[0])) is None:
            accounts.create_user(db, org, *DEMO_SUPPLIER_USER, ["supplier"], name="Leverantör",
                                 supplier=supplier)
        if db.scalar(select(User).where(User.email == DEMO_PROCUREMENT[0])) is None:
            accounts.create_user(db, org, *DEMO_PROCUREMENT, ["procurement"],
                                 name="Upphandlare")
        db.commit()
        _seed_history(gw, db, org, [(supplier, DEMO_AGREEMENT), (oci, DEMO_OCI_AGREEMENT)])
        db.commit()


#: How far back the seeded purchasing history reaches.
HISTORY_MONTHS = 5


def _seed_history(gw: Gateway, db, org: Organisation, shops) -> None:
    """A few months of requisitions, most of them ordered, so the statistics show something."""
    from mock_shop.catalogue import load_catalogue  # lazy: see demo()

    articles = [HistoryArticle(a.supplier_part_id, a.unit, a.price, a.description, a.unspsc,
                               a.price_basis_quantity)
                for a in load_catalogue().articles if not a.supplier_part_auxiliary_id]
    by_ref = {a.reference: a for a in agreements.list_for(db, org.id)}
    buyer = db.scalar(select(User).where(User.email == DEMO_BUYER[0]))
    approver = db.scalar(select(User).where(User.email == DEMO_APPROVER[0]))
    seed_history(db, buyer=buyer, approver=approver,
                 shops=[(supplier, by_ref[ref], articles) for supplier, ref in shops],
                 today=utcnow(), months=HISTORY_MONTHS, tz=gw.settings.tz)


DEMO_AGREEMENT = "RAM-2026-017"
DEMO_OCI_AGREEMENT = "RAM-2026-018"
#: The mock shop's Peppol carts refer to this agreement (MOCK_SHOP_PEPPOL_CONTRACT).
DEMO_PEPPOL_AGREEMENT = "RAM-2026-019"
DEMO_OCI_USER = "punchout-demo"
DEMO_OCI_PASSWORD = "demo-oci-pass"
#: Articles whose agreed price is below the shop's, so the demo shows a price verdict.
DEMO_LOWER_PRICES = {"KG-1003": "199.00", "KG-1301": "189.00"}
#: Categories the demo agreement does not cover, so the demo shows off-assortment lines.
DEMO_EXCLUDED_CATEGORY = "Fika och förbrukning"


def _seed_agreement(gw: Gateway, db, org: Organisation, supplier,
                    reference: str) -> None:
    """A framework agreement over most of the mock shop's catalogue (once)."""
    from mock_shop.catalogue import load_catalogue  # lazy: see demo()

    if any(a.reference == reference for a in agreements.list_for(db, org.id)):
        return
    year = date.today().year
    # Valid long enough back for the seeded history (see demo_history) to be on agreement.
    start = min(date(year, 1, 1), date.today() - timedelta(days=HISTORY_MONTHS * 31 + 1))
    agreement = agreements.create(db, org, supplier, reference, currency="SEK",
                                  valid_from=start, valid_to=date(year + 1, 12, 31),
                                  policy="flag")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["supplier_part_id", "unit", "price", "supplier_part_auxiliary_id",
                     "description", "unspsc"])
    for article in load_catalogue().articles:
        if article.category == DEMO_EXCLUDED_CATEGORY:
            continue  # coffee is outside the agreement
        # The assortment file has no price basis: an article the shop prices per 100 is
        # agreed per piece (189.00 per 100 -> 1.89).
        unit_price = article.price / (article.price_basis_quantity or 1)
        price = DEMO_LOWER_PRICES.get(article.supplier_part_id, format(unit_price, "f"))
        writer.writerow([article.supplier_part_id, article.unit, price,
                         article.supplier_part_auxiliary_id or "", article.description,
                         article.unspsc])
    parsed = read_assortment(out.getvalue().encode(), "csv")
    import_assortment(db, agreement, parsed, effective_from=start,
                      today=date.today(), source_name="demo assortment")


def _serve(app, host: str, port: int) -> threading.Thread:
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name=f"{host}:{port}")
    thread.start()
    return thread


@click.command()
@click.option("--port", default=5000, show_default=True, help="gateway port (127.0.0.1)")
@click.option("--shop-port", default=5001, show_default=True, help="mock shop port (localhost)")
@click.option("--seed-only", is_flag=True, help="seed the demo data and exit")
def demo(port: int, shop_port: int, seed_only: bool) -> None:
    """Seed demo data, start the gateway and the mock shop, print the URL and a login."""
    # Lazy, as the only imports of the CLI that are: the web stack, the mock shop and the demo's
    # mail sink serve `punchout demo` alone, and importing them costs every other command about
    # a second at start (python -X importtime, on this 2-core machine under load).
    from mock_shop import create_app as create_shop
    from punchout.app import create_app
    from punchout.cli import demo_services

    settings = demo_settings(port, shop_port)
    mail_port = demo_services.free_loopback_port()
    maildir = _instance_folder(settings.database_url) / "demo-mail"
    settings = settings.with_overrides(
        smtp_url=settings.smtp_url or f"smtp://127.0.0.1:{mail_port}",
        mail_from=settings.mail_from or "inkop@demo-kommun.example",
        # Retries within seconds, so that a fault mode's retries can be watched.
        order_backoff=int(os.environ.get("PUNCHOUT_ORDER_BACKOFF") or 2))
    dbmod.upgrade(settings.database_url)
    gw = Gateway.from_settings(settings)
    shop_url = f"http://localhost:{shop_port}"
    seed(gw, shop_url)
    if seed_only:
        click.echo(f"demo data seeded into {settings.database_url}")
        return
    sink = demo_services.start_mail_sink(maildir, mail_port)
    demo_services.start_worker(gw)
    shop = create_shop({"MOCK_SHOP_BUYERS": f"{DEMO_IDENTITY}:{DEMO_SHARED_SECRET}",
                        "MOCK_SHOP_IDENTITY": DEMO_SHOP_IDENTITY,
                        "MOCK_SHOP_MAILDIR": str(maildir),
                        "MOCK_SHOP_OCI_USERS": f"{DEMO_OCI_USER}:{DEMO_OCI_PASSWORD}"})
    app = create_app(gateway=gw)
    try:
        _serve(shop, "localhost", shop_port)
        _serve(app, "127.0.0.1", port)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen ({exc.strerror}); choose other ports with --port/--shop-port"
        ) from None
    sink_note = (f"(SMTP sink {settings.smtp_url})" if sink else
                 "(no SMTP sink: install the demo extra, pip install '.[demo]')")
    click.echo(f"""
punchout demo is running.

  Gateway:   {settings.base_url}/
  Mock shop: {shop_url}/  (the supplier, on another site)

  Log in as  {DEMO_BUYER[0]}  password  {DEMO_BUYER[1]}
  (approver: {DEMO_APPROVER[0]} / {DEMO_APPROVER[1]},
   admin: {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]},
   procurement officer, for the statistics: {DEMO_PROCUREMENT[0]} / {DEMO_PROCUREMENT[1]},
   supplier, to certify the mock shop: {DEMO_SUPPLIER_USER[0]} / {DEMO_SUPPLIER_USER[1]})

  Orders:    a worker sends approved orders; cXML orders and e-mail orders
             {sink_note}
             are listed at {shop_url}/orders
  Database:  {settings.database_url}
Press Ctrl+C to stop.
""")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")
