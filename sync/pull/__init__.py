"""Pulling Ozon's state into the local cache, one module per area. Each step takes the sync context
and the cycle's result, and commits every page with the bookkeeping that follows it."""
