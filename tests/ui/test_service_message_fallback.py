"""A service refusal whose reason lacks a value its Swedish sentence needs is still said (in the
service's own English), never a 500."""

from __future__ import annotations

from punchout.errors import NotFound, Reason
from punchout.web.messages import service_message


def test_a_reason_without_its_values_falls_back_to_the_services_text(app):
    exc = NotFound("agreement X not found", reason=Reason.AGREEMENT_NOT_FOUND)  # no params
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert service_message(exc) == "agreement X not found"


def test_a_reason_with_its_values_is_said_in_swedish(app):
    exc = NotFound("agreement X not found", reason=Reason.AGREEMENT_NOT_FOUND,
                   params={"reference": "X"})
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        said = service_message(exc)
    assert said != "agreement X not found" and "X" in said
