"""Organisations, users, suppliers and API tokens: what the CLI, the demo and the API manage."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from punchout.errors import Conflict, InvalidRequest, NotFound
from punchout.persistence.models import (
    ApiToken,
    Organisation,
    Role,
    Supplier,
    User,
)
from punchout.persistence.types import utcnow
from punchout.services.api_tokens import token_digest
from punchout.services.parties import SupplierLike
from punchout.services.secrets_box import SecretBox

TOKEN_PREFIX = "pog_"
#: How a password is hashed: werkzeug's scrypt (n = 2**15, r = 8, p = 1), about a tenth of a
#: second a hash on purpose. A login reads the method from the stored hash, so a change here
#: applies to passwords set from then on. (The tests set a quick one: see tests/conftest.py.)
PASSWORD_HASH = "scrypt"
#: Hashes of a fixed password, one per method: a login for an unknown e-mail checks one, so
#: it costs as much as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH)


def _dummy_hash() -> str:
    method = PASSWORD_HASH
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASHES[method]


def create_org(db: Session, name: str, allowed_return_hosts: str = "") -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidRequest("an organisation needs a name")
    if db.scalar(select(Organisation).where(Organisation.name == name)):
        raise Conflict(f"organisation {name!r} already exists")
    org = Organisation(name=name, allowed_return_hosts=allowed_return_hosts)
    db.add(org)
    db.flush()
    return org


def find_org(db: Session, name: str | None) -> Organisation:
    """The named organisation, or the only one when no name is given."""
    if name:
        org = db.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            raise NotFound(f"organisation {name!r} not found")
        return org
    orgs = list(db.scalars(select(Organisation).limit(2)))
    if not orgs:
        raise NotFound("there is no organisation yet; create one with 'punchout orgs create NAME'")
    if len(orgs) > 1:
        raise InvalidRequest("there are several organisations; name one with --org")
    return orgs[0]


def validate_roles(roles: list[str]) -> str:
    valid = {r.value for r in Role}
    bad = [r for r in roles if r not in valid]
    if bad or not roles:
        raise InvalidRequest(f"roles must be among {', '.join(sorted(valid))}; got {roles}")
    return ",".join(sorted(set(roles)))


def create_user(db: Session, org: Organisation, email: str, password: str, roles: list[str],
                name: str = "", supplier: Supplier | None = None) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidRequest(f"{email!r} is not an e-mail address")
    if len(password) < 8:
        raise InvalidRequest("a password needs at least 8 characters")
    role_text = validate_roles(roles)
    if Role.SUPPLIER.value in role_text.split(",") and supplier is None:
        raise InvalidRequest("a supplier user must be bound to a supplier (--supplier NAME)")
    if db.scalar(select(User).where(User.email == email)):
        raise Conflict(f"user {email} already exists")
    user = User(organisation_id=org.id, email=email, name=name, roles=role_text,
                password_hash=hash_password(password),
                supplier_id=supplier.id if supplier else None)
    db.add(user)
    db.flush()
    return user


def user_for_login_id(db: Session, login_id: str) -> User | None:
    """The active user a login cookie names (``<id>.<session version>``), or None when the
    version has moved on (logged out) or the cookie is of the old form."""
    user_id, _, version = login_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 9:
        return None
    user = db.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def end_sessions(db: Session, user_id: int) -> None:
    """Invalidate every login cookie of the user (logout; a password or role change)."""
    user = db.get(User, user_id)
    if user is not None:
        user.session_version = (user.session_version or 1) + 1
        db.commit()


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def find_user(db: Session, org: Organisation, email: str) -> User:
    user = db.scalar(select(User).where(User.organisation_id == org.id,
                                        User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"user {email} not found in {org.name}")
    return user


def add_supplier(
    db: Session, box: SecretBox, org: Organisation, name: str, *, protocol: str,
    setup_url: str, from_domain: str = "NetworkID", from_identity: str = "",
    to_domain: str = "NetworkID", to_identity: str = "", sender_identity: str | None = None,
    shared_secret: str | None = None, deployment_mode: str = "production",
    settings: dict[str, object] | None = None, replace_existing: bool = False,
) -> Supplier:
    if protocol not in ("cxml", "oci", "peppol"):
        raise InvalidRequest(f"protocol must be cxml, oci or peppol, not {protocol!r}")
    if deployment_mode not in ("test", "production"):
        raise InvalidRequest("deployment mode must be test or production")
    if not setup_url.startswith(("http://", "https://")):
        raise InvalidRequest(f"the setup URL must be an http(s) URL, not {setup_url!r}")
    if protocol in ("oci", "peppol"):  # a Peppol Punch Out shop is called like OCI
        settings = _oci_settings(box, settings or {})
    if protocol == "cxml":
        if not (from_identity and to_identity):
            raise InvalidRequest("a cXML supplier needs --from-identity and --to-identity")
        if not shared_secret or shared_secret.strip().lower() == "none":
            raise InvalidRequest("a cXML supplier needs a shared secret (not empty, not 'none')")
    supplier = db.scalar(select(Supplier).where(Supplier.organisation_id == org.id,
                                                Supplier.name == name))
    if supplier is not None and not replace_existing:
        raise Conflict(f"supplier {name!r} already exists in {org.name}")
    if supplier is None:
        supplier = Supplier(organisation_id=org.id, name=name)
        db.add(supplier)
    supplier.protocol = protocol
    supplier.setup_url = setup_url
    supplier.from_domain = from_domain
    supplier.from_identity = from_identity
    supplier.to_domain = to_domain
    supplier.to_identity = to_identity
    supplier.sender_domain = from_domain
    supplier.sender_identity = sender_identity or from_identity
    supplier.shared_secret_encrypted = box.encrypt(shared_secret) if shared_secret else None
    supplier.deployment_mode = deployment_mode
    supplier.settings_json = json.dumps(settings or {})
    db.flush()
    return supplier


def find_supplier(db: Session, org: Organisation, name: str) -> Supplier:
    supplier = db.scalar(select(Supplier).where(Supplier.organisation_id == org.id,
                                                Supplier.name == name))
    if supplier is None:
        raise NotFound(f"supplier {name!r} not found in {org.name}")
    return supplier


def list_suppliers(db: Session, org: Organisation) -> list[Supplier]:
    return list(db.scalars(select(Supplier).where(Supplier.organisation_id == org.id)
                           .order_by(Supplier.name)))


def create_token(db: Session, org: Organisation, name: str,
                 expires_at: datetime | None = None) -> str:
    """Store a new API token (hashed) and return the token itself, to be shown once."""
    if db.scalar(select(ApiToken).where(ApiToken.organisation_id == org.id,
                                        ApiToken.name == name)):
        raise Conflict(f"a token named {name!r} already exists in {org.name}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(ApiToken(organisation_id=org.id, name=name, token_hash=token_digest(token),
                    prefix=token[:10], expires_at=expires_at))
    db.flush()
    return token


def list_tokens(db: Session, org: Organisation) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.organisation_id == org.id)
                           .order_by(ApiToken.name)))


def revoke_token(db: Session, org: Organisation, name: str) -> ApiToken:
    tok = db.scalar(select(ApiToken).where(ApiToken.organisation_id == org.id,
                                           ApiToken.name == name))
    if tok is None:
        raise NotFound(f"no token named {name!r} in {org.name}")
    tok.revoked_at = tok.revoked_at or utcnow()
    return tok


def _oci_settings(box: SecretBox, given: dict[str, object]) -> dict[str, object]:
    """OCI settings as stored: the parameter map (it holds the supplier's password) encrypted."""
    method = str(given.get("oci_method") or "post").lower()
    if method not in ("post", "get"):
        raise InvalidRequest(f"the OCI method must be post or get, not {method!r}")
    params = given.get("oci_params") or {}
    if not isinstance(params, dict):
        raise InvalidRequest("OCI parameters must be NAME=VALUE pairs")
    return {
        "oci_method": method,
        "oci_params_encrypted": box.encrypt(json.dumps(params)),
        "oci_charset": str(given.get("oci_charset") or "cp1252"),
        "oci_version": str(given.get("oci_version") or "4.0"),
    }


def oci_settings(box: SecretBox, supplier: SupplierLike) -> tuple[str, dict[str, str], str, str]:
    """(method, login and static parameters, charset, OCI version) of an OCI supplier."""
    stored = json.loads(supplier.settings_json or "{}")
    encrypted = stored.get("oci_params_encrypted")
    params = json.loads(box.decrypt(encrypted)) if encrypted else {}
    return (stored.get("oci_method", "post"), params, stored.get("oci_charset", "cp1252"),
            stored.get("oci_version", "4.0"))


def supplier_in_org(db: Session, organisation_id: int, supplier_id: int | None) -> Supplier | None:
    """The organisation's supplier connection with this id, or None (never another's)."""
    supplier = db.get(Supplier, supplier_id) if supplier_id else None
    if supplier is None or supplier.organisation_id != organisation_id:
        return None
    return supplier


def display_names(db: Session, user_ids: set[int]) -> dict[int, str]:
    """``{user id: name, else e-mail}`` for the users that still exist."""
    names: dict[int, str] = {}
    for user_id in user_ids:
        user = db.get(User, user_id)
        if user is not None:
            names[user_id] = user.name or user.email
    return names
