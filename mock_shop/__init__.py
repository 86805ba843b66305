"""The mock shop: punchout's bundled reference supplier.

A separate Flask app that talks to the gateway only over HTTP and the browser, as a real
supplier would. It writes its cXML and OCI independently of ``punchout.cxml`` and
``punchout.oci``.
"""

from .app import create_app

__all__ = ["create_app"]
