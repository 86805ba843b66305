"""Services: punch-out sessions, returns, requisitions. They know nothing of HTTP requests."""
