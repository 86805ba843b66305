"""The ``punchout`` command line. It works from any directory: migrations and templates are
found from the package, the database from PUNCHOUT_DATABASE_URL."""

from __future__ import annotations

import sys

import click

from punchout.cli import admin, agreements, archive, certify, demo, orders, stats


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="punchout")
def main() -> None:
    """punchout: a punch-out catalog gateway for public-sector e-procurement."""


admin.register(main)
agreements.register(main)
orders.register(main)
main.add_command(demo.demo)
main.add_command(certify.certify)
main.add_command(stats.stats)
main.add_command(archive.archive)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
