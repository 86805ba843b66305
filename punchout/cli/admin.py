"""Administration commands: database, organisations, users, suppliers, tokens, keys."""

from __future__ import annotations

import os

import click
from cryptography.fernet import Fernet

from punchout.cli.common import secret, session, settings
from punchout.persistence import db as dbmod
from punchout.services import accounts, org_details, supplier_orders


def supplier_credential_options(f):
    """The credential options shared by ``suppliers add`` and ``certify`` (DESIGN.md)."""
    options = [
        click.option("--from-domain", default="NetworkID", show_default=True),
        click.option("--from-identity", default=""),
        click.option("--to-domain", default="NetworkID", show_default=True),
        click.option("--to-identity", default=""),
        click.option("--sender-identity", default=None, help="default: the from identity"),
        click.option("--shared-secret", default=None,
                     help="default: $PUNCHOUT_SHARED_SECRET, else a hidden prompt"),
        click.option("--deployment-mode", type=click.Choice(["test", "production"]),
                     default="production", show_default=True),
        click.option("--oci-method", type=click.Choice(["post", "get"]), default="post",
                     show_default=True),
        click.option("--oci-param", "oci_params", multiple=True, metavar="NAME=VALUE",
                     help="OCI login/static parameter; VALUE 'env:VAR' reads $VAR"),
        click.option("--oci-charset", default="cp1252", show_default=True,
                     help="charset of baskets that are not UTF-8 (iso-8859-1 means cp1252)"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def register(main: click.Group) -> None:
    main.add_command(db_group)
    main.add_command(orgs)
    main.add_command(users)
    main.add_command(suppliers)
    main.add_command(tokens)
    main.add_command(keys)


@click.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    url = settings().database_url
    dbmod.upgrade(url)
    click.echo(f"database at {url.split('@')[-1]} is up to date")


@click.group()
def orgs() -> None:
    """Organisations (the tenants)."""


@orgs.command("create")
@click.argument("name")
@click.option("--allowed-return-hosts", default="",
              help="comma list of hosts an embedding system's return_url may point to")
def orgs_create(name: str, allowed_return_hosts: str) -> None:
    with session() as (_gw, db):
        org = accounts.create_org(db, name, allowed_return_hosts)
        click.echo(f"organisation {org.name!r} created (id {org.id})")


@orgs.command("update")
@click.argument("name")
@click.option("--code", default=None, help="short code used in order numbers (CODE-42)")
@click.option("--legal-name", default=None)
@click.option("--org-number", default=None)
@click.option("--peppol-id", default=None, help="0007:<organisation number>")
@click.option("--buyer-reference", default=None, help="the buyer's reference for invoices")
@click.option("--invoice-street", default=None)
@click.option("--invoice-postcode", default=None)
@click.option("--invoice-city", default=None)
@click.option("--invoice-country", default=None)
@click.option("--delivery-street", default=None)
@click.option("--delivery-postcode", default=None)
@click.option("--delivery-city", default=None)
@click.option("--delivery-country", default=None)
def orgs_update(name: str, **details: str | None) -> None:
    """The organisation's details used in orders (an empty value clears one)."""
    with session() as (_gw, db):
        org = accounts.find_org(db, name)
        changed = org_details.update_details(db, org, details)
        click.echo(f"organisation {org.name!r}: " + (", ".join(changed) + " updated"
                                                      if changed else "nothing changed"))


@click.group()
def users() -> None:
    """Users of an organisation."""


@users.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["buyer", "approver", "admin", "supplier", "procurement"]))
@click.option("--supplier", "supplier_name", default=None, help="for --role supplier")
@click.option("--password", default=None, help="default: $PUNCHOUT_PASSWORD, else a prompt")
@click.option("--name", default="")
@click.option("--org", "org_name", default=None)
def users_create(email: str, roles: tuple[str, ...], supplier_name: str | None,
                 password: str | None, name: str, org_name: str | None) -> None:
    pw = secret(password, env="PUNCHOUT_PASSWORD", prompt="Password")
    assert pw is not None
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        supplier = accounts.find_supplier(db, org, supplier_name) if supplier_name else None
        user = accounts.create_user(db, org, email, pw, list(roles), name=name,
                                    supplier=supplier)
        click.echo(f"user {user.email} created in {org.name} ({user.roles})")


def parse_oci_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--oci-param")
        if value.startswith("env:"):
            var = value[4:]
            if var not in os.environ:
                raise click.BadParameter(f"environment variable {var} is not set",
                                         param_hint="--oci-param")
            value = os.environ[var]
        params[name] = value
    return params


@click.group()
def suppliers() -> None:
    """Supplier punch-out connections."""


@suppliers.command("add")
@click.argument("name")
@click.option("--protocol", type=click.Choice(["cxml", "oci", "peppol"]), required=True,
              help="peppol: a Peppol BIS Punch Out 3 shop, started like OCI (the --oci-* "
                   "options and HOOK_URL), returning a UBL cart")
@click.option("--setup-url", required=True)
@supplier_credential_options
@click.option("--org", "org_name", default=None)
@click.option("--replace", "replace_existing", is_flag=True, help="update an existing supplier")
@click.option("--order-channel", type=click.Choice(["cxml", "email", "peppol", "none"]),
              default=None, help="default: cxml when a cXML supplier has --order-url, else none")
@click.option("--order-url", default=None, help="the cXML OrderRequest endpoint")
@click.option("--order-email", default=None, help="where e-mail orders go")
@click.option("--peppol-id", default=None, help="the supplier's Peppol ID (scheme:id)")
def suppliers_add(name: str, protocol: str, setup_url: str, from_domain: str,
                  from_identity: str, to_domain: str, to_identity: str,
                  sender_identity: str | None, shared_secret: str | None, deployment_mode: str,
                  oci_method: str, oci_params: tuple[str, ...], oci_charset: str,
                  org_name: str | None, replace_existing: bool, order_channel: str | None,
                  order_url: str | None, order_email: str | None,
                  peppol_id: str | None) -> None:
    if protocol == "cxml":
        shared_secret = secret(shared_secret, env="PUNCHOUT_SHARED_SECRET",
                               prompt="Shared secret")
    extra: dict[str, object] = {
        "oci_method": oci_method, "oci_params": parse_oci_params(oci_params),
        "oci_charset": oci_charset} if protocol in ("oci", "peppol") else {}
    with session(need_keys=True) as (gw, db):
        org = accounts.find_org(db, org_name)
        supplier = accounts.add_supplier(
            db, gw.box, org, name, protocol=protocol, setup_url=setup_url,
            from_domain=from_domain, from_identity=from_identity, to_domain=to_domain,
            to_identity=to_identity, sender_identity=sender_identity,
            shared_secret=shared_secret, deployment_mode=deployment_mode, settings=extra,
            replace_existing=replace_existing)
        supplier_orders.save_order_settings(db, supplier, supplier_orders.OrderSettings(
            order_channel, order_url, order_email, peppol_id))
        click.echo(f"supplier {supplier.name!r} ({protocol}) saved in {org.name}; orders: "
                   f"{supplier.order_channel}")


@suppliers.command("list")
@click.option("--org", "org_name", default=None)
def suppliers_list(org_name: str | None) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        for s in accounts.list_suppliers(db, org):
            click.echo(f"{s.name}\t{s.protocol}\t{s.deployment_mode}\t{s.setup_url}")


@click.group()
def tokens() -> None:
    """API tokens for integrators."""


@tokens.command("create")
@click.argument("name")
@click.option("--org", "org_name", default=None)
def tokens_create(name: str, org_name: str | None) -> None:
    """Print a new token alone on standard output, once."""
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        token = accounts.create_token(db, org, name)
    click.echo(token)


@tokens.command("list")
@click.option("--org", "org_name", default=None)
def tokens_list(org_name: str | None) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        for t in accounts.list_tokens(db, org):
            state = "revoked" if t.revoked_at else "active"
            used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
            click.echo(f"{t.name}\t{t.prefix}…\t{state}\tcreated "
                       f"{t.created_at.isoformat(timespec='seconds')}\tlast used {used}")


@tokens.command("revoke")
@click.argument("name")
@click.option("--org", "org_name", default=None)
def tokens_revoke(name: str, org_name: str | None) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        accounts.revoke_token(db, org, name)
        click.echo(f"token {name!r} revoked")


@click.group()
def keys() -> None:
    """Keys."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new PUNCHOUT_ENCRYPTION_KEY (a Fernet key)."""
    click.echo(Fernet.generate_key().decode())
