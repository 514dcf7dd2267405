"""Outbox action handlers, one module per family. A handler takes the sync context and the outbox
entry; it returns when the action took effect and raises `outcomes.Conflict` / `outcomes.NotReady`
(or an Ozon error) otherwise — `sync.push` settles the entry accordingly."""
