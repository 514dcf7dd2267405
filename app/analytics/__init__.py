"""Analytics from the local cache, offline: one module per figure family, each a pure function of
(session, Period) that aggregates in SQL and returns small frozen dataclasses (see README, Analytics).
"""
