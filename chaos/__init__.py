"""The fault suite: kill each component under load, restart it, and reconcile from the outside.

`make chaos` (`python -m chaos [--components a,b] [--rate n] [--seed n]`) kills intake, router, workflows worker,
notifier, nats-server, the Temporal server, the records service and PostgreSQL in turn with SIGKILL, on a system of
its own on loopback, prints a table and writes `bench/results/chaos.json`; it exits 1 if a target is missed.
`tests/integration/test_fault_suite.py` runs a smaller version (a worker kill and a NATS restart) in `make test`,
and `tests/integration/test_records_faults.py` one of the records and PostgreSQL.

Modules: `tickets` (what is sent), `load` (the steady load and every answer), `components` (kill and restart),
`deadline_probes` (deadlines due during an outage), `deliveries` (the receivers' log), `observations` (Temporal
visibility; the JetStream backlog is `tests/support/backlog.py`), `reconcile` (lost and duplicated, pure),
`records` (the case event log and the records' rows) and `records_reconcile` (each case and event recorded once,
pure), `phases`, `suite` (the run), `results` (targets), `report` (table and JSON).
"""
