"""Certification runs from the gateway: the suite against a supplier connection's endpoint,
with the gateway's own capture endpoint, and every run kept with its report."""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from punchout.certify import SuiteConfig, render_html, run_suite
from punchout.certify.capture import CapturedPost as SuitePost
from punchout.certify.model import Protocol, Report
from punchout.cxml.model import DeploymentMode
from punchout.domain.basket import Basket
from punchout.domain.verdicts import BasketVerdict
from punchout.oci.call import OciMethod
from punchout.persistence.models import CapturedPost, CertificationRun, Supplier, User
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements
from punchout.services.basket_check import check_basket_against
from punchout.services.context import Gateway
from punchout.services.signing import Signer, TokenInvalid

CAPTURE_PATH = "/certify/capture/"
CAPTURE_SALT = "punchout.certify-capture.v1"
#: How long a run's capture URL takes posts (a CLI run may wait for a person).
CAPTURE_TTL = 6 * 3600
POLL_SECONDS = 0.1


class GatewayCapture:
    """The suite's capture endpoint served by the gateway itself (any of its processes): posts
    to ``CAPTURE_PATH + token`` are stored in the database, and :meth:`wait` reads them."""

    def __init__(self, base_url: str, gw: Gateway):
        # Signed, so the endpoint stores posts only for tokens it handed out itself.
        self.token = capture_signer(gw).dumps({"c": secrets.token_urlsafe(12)})
        self._base = base_url.rstrip("/")
        self._sessions = gw.session_factory
        self._seen = 0

    @property
    def url(self) -> str:
        return self._base + CAPTURE_PATH + self.token

    def wait(self, timeout: float) -> SuitePost | None:
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            with self._sessions() as db:
                row = db.scalar(select(CapturedPost).where(CapturedPost.token == self.token,
                                                           CapturedPost.id > self._seen)
                                .order_by(CapturedPost.id).limit(1))
            if row is not None:
                self._seen = row.id
                method = "GET" if row.content_type == "GET" else "POST"
                return SuitePost(method=method, path=CAPTURE_PATH + self.token,
                                 query=row.body.decode("latin-1") if method == "GET" else "",
                                 content_type="" if method == "GET" else (row.content_type or ""),
                                 body=row.body,
                                 received_at=row.received_at.astimezone(UTC).isoformat())
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_SECONDS)

    def host_page(self, html_text: str) -> str | None:
        return None  # the gateway hosts no pages for a run

    def close(self) -> None:
        """Forget what arrived for this run (the report keeps the evidence)."""
        with self._sessions() as db:
            db.execute(delete(CapturedPost).where(CapturedPost.token == self.token))
            db.commit()


def capture_signer(gw: Gateway) -> Signer:
    return Signer(gw.settings.secret_key, gw.settings.secret_key_fallbacks, salt=CAPTURE_SALT)


def capture_token_valid(gw: Gateway, token: str) -> bool:
    try:
        capture_signer(gw).loads(token, max_age=CAPTURE_TTL)
    except TokenInvalid:
        return False
    return True


def store_capture(session_factory: sessionmaker[Session], token: str, body: bytes,
                  content_type: str | None) -> None:
    with session_factory() as db:
        db.add(CapturedPost(token=token, body=body, content_type=content_type))
        db.commit()


def config_for(gw: Gateway, db: Session, supplier: Supplier) -> SuiteConfig:
    """A run against a supplier connection as configured in the gateway."""
    agreement_check = None
    agreement_reference = None
    today = agreements.local_day(utcnow(), gw.settings.tz)
    valid = [a for a in agreements.list_for(db, supplier.organisation_id, supplier.id)
             if a.valid_from <= today <= a.valid_to]
    if len(valid) == 1:
        reference, org_id = valid[0].reference, supplier.organisation_id
        agreement_reference = reference
        factory, tz = gw.session_factory, gw.settings.tz

        def agreement_check(basket: Basket) -> BasketVerdict:
            with factory() as session:
                return check_basket_against(session.connection(), org_id, reference, basket, tz=tz,
                                            day=today).verdict

    common = {"url": supplier.setup_url, "allowed_hosts": gw.settings.allowed_supplier_hosts,
              "timeout": float(gw.settings.supplier_timeout),
              "agreement_check": agreement_check, "agreement_reference": agreement_reference}
    if supplier.protocol in ("oci", "peppol"):
        method, params, charset, _version = accounts.oci_settings(gw.box, supplier)
        return SuiteConfig(protocol=Protocol(supplier.protocol), oci_method=OciMethod(method),
                           oci_params=tuple(params.items()), oci_charset=charset,
                           **common)  # type: ignore[arg-type]
    secret = gw.box.decrypt(supplier.shared_secret_encrypted) \
        if supplier.shared_secret_encrypted else None
    dtd = gw.settings.cxml_dtd
    return SuiteConfig(protocol=Protocol.CXML, from_domain=supplier.from_domain,
                       dtd_path=dtd if dtd is not None and dtd.is_file() else None,
                       from_identity=supplier.from_identity, to_domain=supplier.to_domain,
                       to_identity=supplier.to_identity,
                       sender_identity=supplier.sender_identity, shared_secret=secret,
                       deployment_mode=DeploymentMode.TEST, **common)  # type: ignore[arg-type]


def run_for_supplier(gw: Gateway, db: Session, supplier: Supplier, user: User | None,
                     base_url: str) -> CertificationRun:
    """Run the suite now and keep the run (its report is already free of secrets)."""
    run = CertificationRun(organisation_id=supplier.organisation_id, supplier_id=supplier.id,
                           user_id=user.id if user else None, protocol=supplier.protocol,
                           target_url=supplier.setup_url)
    db.add(run)
    db.commit()
    capture = GatewayCapture(base_url, gw)
    try:
        report: Report = run_suite(config_for(gw, db, supplier), capture=capture)
    finally:
        capture.close()
    data = report.to_dict()
    summary = data.get("summary", {})
    run.finished_at = utcnow()
    run.exit_code = report.exit_code
    run.passed = int(summary.get("passed", 0))
    run.failed = int(summary.get("failed", 0))
    run.skipped = int(summary.get("skipped", 0))
    run.report_json = json.dumps(data)
    run.report_html = render_html(report)
    db.commit()
    return run


def runs_for(db: Session, organisation_id: int, supplier_id: int | None) -> list[CertificationRun]:
    q = select(CertificationRun).where(CertificationRun.organisation_id == organisation_id)
    if supplier_id is not None:
        q = q.where(CertificationRun.supplier_id == supplier_id)
    return list(db.scalars(q.order_by(CertificationRun.id.desc()).limit(100)))
