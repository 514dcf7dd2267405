"""Seller workflows: validate an intent against the local cache, then write its local effect and
its outbox action in one transaction. They work offline; the sync engine does the rest."""
