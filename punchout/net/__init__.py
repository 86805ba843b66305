"""Outbound HTTP to supplier-given URLs: the SSRF rules (allow-list, public addresses only),
TLS, time-outs, size caps, and connections pinned to the address that passed the check.

Below ``services`` and ``certify``, which both call suppliers; knows nothing of either."""
