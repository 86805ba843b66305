"""Schemathesis (4.x) against /api/v1/openapi.json with a valid token: every route, generated
requests, no 5xx and no answer that breaks the schema. Bounded examples so that it runs in the
normal suite."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from testkit.agreements import add_agreement


def test_the_api_keeps_its_schema(app, seeded, gateway, routed_shop):  # type: ignore[no-untyped-def]
    """Each operation in turn (schemathesis' pytest plugin does not work with this pytest, so
    the operations are driven with hypothesis directly)."""
    add_agreement(gateway)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    bearer = {"Authorization": f"Bearer {seeded['token']}"}
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):  # type: ignore[no-untyped-def]
            statuses.append(case.call_and_validate(headers=bearer, checks=checks).status_code)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: "
                            f"{str(exc).strip()[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 2 * len(operations)  # the examples ran
    assert {200, 201} & set(statuses) and {400, 404, 422} & set(statuses)
