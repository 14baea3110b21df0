"""E-mail notifications through an outbox: `outbox.notify()` inside a workflow's
transaction, delivery after commit, retries with back-off. See `models`."""
