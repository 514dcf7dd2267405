"""Queries in, domain dataclasses out. ORM rows never leave this package."""
