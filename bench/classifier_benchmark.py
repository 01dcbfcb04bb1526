"""Accuracy, triage rate and speed of the free-text ticket classifier on the labelled tickets.

Run: `.venv/bin/python bench/classifier_benchmark.py [--show-dev-errors]`. Prints the holdout half (the figures
that count) and the dev half (for reference: synonyms and the threshold were tuned on it), and writes
bench/results/classifier.json. Holdout mistakes are deliberately never printed: tune only on dev.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from services.contracts.catalog import load_catalog
from services.router.ticket_classifier import DEFAULT_CONFIDENCE_THRESHOLD, TicketClassifier

BENCH_DIR = Path(__file__).resolve().parent
TICKETS = BENCH_DIR / "data" / "labelled_tickets.jsonl"
RESULTS = BENCH_DIR / "results" / "classifier.json"
WARM_UP_ROUNDS = 2
TIMED_ROUNDS = 5


@dataclass(frozen=True)
class SplitReport:
    """What the benchmark measures on one half of the labelled tickets."""

    split: str
    tickets: int
    top1_accuracy: float
    triage_rate: float
    non_triaged_accuracy: float
    runner_up_accuracy: float
    p50_ms: float
    p99_ms: float
    p99_all_passes_ms: float


def load_tickets(path: Path = TICKETS) -> list[dict[str, str]]:
    """The labelled tickets, one JSON object a line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(classifier: TicketClassifier, tickets: list[dict[str, str]], split: str) -> SplitReport:
    """Accuracy and per-ticket classification time (ms, after warm-up) on one split."""
    results = [classifier.classify(t["title"], t["description"]) for t in tickets]
    correct = [r.item == t["item"] for r, t in zip(results, tickets, strict=True)]
    kept = [ok for r, ok in zip(results, correct, strict=True) if r.confident]
    in_top2 = [r.item == t["item"] or r.runner_up == t["item"] for r, t in zip(results, tickets, strict=True)]
    for _ in range(WARM_UP_ROUNDS):
        for t in tickets:
            classifier.classify(t["title"], t["description"])
    passes: list[list[float]] = []
    for _ in range(TIMED_ROUNDS):
        timings: list[float] = []
        for t in tickets:
            start = time.perf_counter()
            classifier.classify(t["title"], t["description"])
            timings.append((time.perf_counter() - start) * 1000)
        passes.append(timings)
    # Other processes on a shared machine add stalls of several ms to single calls; like timeit, report the
    # quietest pass as the classifier's own cost, and the p99 over every pass alongside it.
    best = min(passes, key=_p99)
    return SplitReport(
        split=split,
        tickets=len(tickets),
        top1_accuracy=sum(correct) / len(tickets),
        triage_rate=1 - len(kept) / len(tickets),
        non_triaged_accuracy=sum(kept) / len(kept) if kept else 0.0,
        runner_up_accuracy=sum(in_top2) / len(tickets),
        p50_ms=statistics.median(best),
        p99_ms=_p99(best),
        p99_all_passes_ms=_p99([ms for timings in passes for ms in timings]),
    )


def _p99(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=100, method="inclusive")[98]


def say(line: str) -> None:
    """One line of the report on standard output (this is a command-line report, not service logging)."""
    sys.stdout.write(line + "\n")


def print_dev_errors(classifier: TicketClassifier, tickets: list[dict[str, str]]) -> None:
    """The dev tickets the classifier gets wrong, to tune the synonym data against."""
    for t in tickets:
        result = classifier.classify(t["title"], t["description"])
        if result.item != t["item"]:
            say(f"  {t['id']} expected {t['item']} got {result.item} ({result.confidence:.2f}): {t['title']}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-dev-errors", action="store_true", help="list misclassified dev tickets")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    classifier = TicketClassifier(load_catalog())
    build_seconds = time.perf_counter() - started
    tickets = load_tickets()
    reports = [evaluate(classifier, [t for t in tickets if t["split"] == split], split) for split in ("holdout", "dev")]
    say(f"classifier built in {build_seconds:.2f} s; confidence threshold {DEFAULT_CONFIDENCE_THRESHOLD}")
    say(
        f"{'split':8} {'n':>4} {'top-1':>7} {'top-2':>7} {'triage':>7} {'acc≥thr':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'p99 all':>8}"
    )
    for r in reports:
        say(
            f"{r.split:8} {r.tickets:4d} {r.top1_accuracy:7.3f} {r.runner_up_accuracy:7.3f} {r.triage_rate:7.3f} "
            f"{r.non_triaged_accuracy:8.3f} {r.p50_ms:7.3f} {r.p99_ms:7.3f} {r.p99_all_passes_ms:8.3f}"
        )
    if args.show_dev_errors:
        say("dev errors:")
        print_dev_errors(classifier, [t for t in tickets if t["split"] == "dev"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "confidence_threshold": DEFAULT_CONFIDENCE_THRESHOLD,
        "catalog_version": classifier.catalog_version,
        "build_seconds": round(build_seconds, 3),
        "splits": {r.split: asdict(r) for r in reports},
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    say(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
