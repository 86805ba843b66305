"""The gateway for a WSGI server: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from punchout.app import create_app

app = application = create_app()
