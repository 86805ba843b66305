"""Finding 7: the return_url and supplier host allow-lists match whole labels and refuse URLs
that a browser would read differently (a backslash, a user part, blanks)."""

from __future__ import annotations

import pytest

from punchout.errors import SupplierError
from punchout.net.outbound import check_url, host_is_listed, strict_http_url
from testkit.gateway import open_session

pytestmark = pytest.mark.usefixtures("routed_shop")

ALLOWED = (".erp2.example", "erp.example")


@pytest.mark.parametrize("host,listed", [
    ("a.erp2.example", True),
    ("a.b.erp2.example", True),
    ("erp.example", True),
    ("erp2.example", False),          # a .suffix entry names the hosts below it
    ("evilerp2.example", False),
    ("erp2.example.evil", False),
    ("evil.example\\.erp2.example", False),
    ("evil.example/.erp2.example", False),
    ("a.erp.example", False),         # an exact entry takes only itself
    ("", False),
])
def test_allow_list_matches_whole_labels(host, listed):
    assert host_is_listed(host, ALLOWED) is listed


@pytest.mark.parametrize("url", [
    "https://evil.example\\.erp2.example/done",
    "https://evil.example\\@a.erp2.example/done",
    "https://user@a.erp2.example/done",
    "https://a.erp2.example:99999/done",
    "https://a.erp2.example /done",
    "https://a.erp2.example\t/done",
    "javascript://a.erp2.example/%0aalert(1)",
    "//a.erp2.example/done",
    "https://a..erp2.example/",
])
def test_ambiguous_urls_are_refused(url):
    assert strict_http_url(url) is None
    with pytest.raises(SupplierError):
        check_url(url, ALLOWED)


def test_the_open_redirect_of_the_report_is_closed(app, seeded, gateway):
    from punchout.persistence.models import Organisation

    with gateway.session_factory() as db:
        db.get(Organisation, seeded["org_id"]).allowed_return_hosts = ".erp2.example"
        db.commit()
    r = app.test_client().post(
        "/api/v1/punchout/sessions",
        json={"supplier": seeded["supplier"], "user": "anna.buyer@kommun.example",
              "return_url": "https://evil.example\\.erp2.example/done"},
        headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 422
    assert "return_url" in r.get_json()["message"]
    # A host below an allowed suffix still works.
    sid, _ = open_session(app, seeded, return_url="https://erp.a.erp2.example/done?x=1")
    assert sid
