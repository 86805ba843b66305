"""The per-supplier cap on concurrent outbound calls: one supplier's calls are capped, another
supplier's are not affected, and a refused call is a clear 503 supplier_busy."""

from __future__ import annotations

import pytest

from punchout.errors import SupplierError
from punchout.net.supplier_slots import SupplierSlots, endpoint_key


def test_the_cap_is_per_supplier_endpoint():
    slots = SupplierSlots(limit=2, wait=0.01)
    with slots.hold("https://slow.example/setup"), slots.hold("https://SLOW.example:443/other"):
        with pytest.raises(SupplierError) as info:
            with slots.hold("https://slow.example/setup"):
                pass
        assert (info.value.kind, info.value.code, info.value.http_status) == (
            "busy", "supplier_busy", 503)
        with slots.hold("https://fast.example/setup"), slots.hold("http://slow.example/setup"):
            pass  # another host, or another scheme and port, is another supplier
    with slots.hold("https://slow.example/setup"):
        pass  # slots are given back


def test_endpoint_key_names_scheme_host_and_port():
    assert endpoint_key("https://Shop.example/a?b") == "https://shop.example:443"
    assert endpoint_key("http://shop.example:8080/") == "http://shop.example:8080"
