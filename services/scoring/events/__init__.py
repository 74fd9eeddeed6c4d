"""Events of scoring (`review.completed`, `review.finalized`, `placement.calibrated`, `succession.changed`), written
into the outbox in the transaction of the change and served at /v1/events."""
