"""What the tests share: constants, helpers that drive the gateway and the mock shop,
and the wait for a server. Tests import from here, never from conftest or each other."""
