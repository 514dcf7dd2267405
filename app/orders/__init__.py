"""The orders list and what the Orders page reads and keeps: one query for the page and the CLI."""
