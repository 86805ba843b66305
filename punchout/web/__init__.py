"""Flask blueprints: buyer pages, the return endpoint, the JSON API, health."""
