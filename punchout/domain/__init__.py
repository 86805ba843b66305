"""Protocol-neutral domain: baskets, money, and (later) agreement rules and verdicts."""
