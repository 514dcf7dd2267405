"""The pack station: a scan state machine over the local cache (no Qt, no network).

A packer scans a posting's label, then every unit; the station counts, refuses what does not belong
and, when every unit is in a box, queues the ship action and the label in one transaction.

Durability: every accepted or refused scan is written (pack_progress + posting_events) in its own
short write transaction before the outcome is returned, so a crash or a power cut loses nothing;
a new station on the same database resumes the open posting, and an unacknowledged STOP.

The cancellation interlock: the cached status is checked when the posting is scanned and again
when it is completed; the caller may also hand in a fresh copy from Ozon (`recheck`, `complete(
fresh=...)`) — it runs that network call off the UI thread. A cancelled posting STOPs the desk:
every scan is refused until the STOP is acknowledged (the goods are back on the shelf).

Threading: a station is not thread-safe. The UI calls it from its single database worker only and
renders the immutable `ScanOutcome` it returns.

The package: `outcomes` (what a scan did and what the screen shows), `pack` (the posting on the desk
in memory and its pure rules), `desk` (its durable state, transactions and the STOP interlock),
`station` (`PackStation`: scanning, completing, reprinting).
"""
