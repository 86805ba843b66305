"""gunicorn settings for the gateway (``gunicorn -c gunicorn.conf.py wsgi:app``)."""

import os

bind = os.environ.get("PUNCHOUT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PUNCHOUT_WORKERS", "2"))
threads = int(os.environ.get("PUNCHOUT_THREADS", "4"))
# An OCI basket returned with GET travels in the request line; gunicorn's default is 4094.
# 8190 is the most gunicorn allows; larger baskets must be posted.
limit_request_line = 8190
limit_request_field_size = 8190
# Setup calls wait for the supplier (PUNCHOUT_SUPPLIER_TIMEOUT, default 15 s).
timeout = 60
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
