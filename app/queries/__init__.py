"""Reads a screen runs on the database worker, each in its own short transaction."""
