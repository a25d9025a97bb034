"""Django querysets over Onyx Local: what the queryset layer costs, and deep pagination.

1. Evaluation overhead: ``list(Profile.onyx.filter(age__gte=18).order_by("id")[:100])`` against
   the same query on the raw builder (``db.from_table(Profile).where(...).order_by(...)
   .limit(100).list()``), same client, same Onyx Local, interleaved; median of ``--runs``, on a
   200-row table. Goal: at most 5% more.
2. ``Paginator(qs, 20).page(k).object_list`` for k = 1, 10, 100 on 10,000 rows: requests,
   records and bytes transferred (from ``onyx_database.record_requests``), median time; and the
   same page fetched naively (``limit(k * 20)``, skip on the client) for comparison.

    .venv/bin/python benchmarks/bench_django_queryset.py [--runs 100] [--rows 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from _harness import onyx_local

from onyx_database import asc, gte, record_requests


def setup_django(config: dict[str, Any]) -> None:
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["onyx_django"],
        DATABASES={},
        ONYX={"default": config},
        USE_TZ=True,
    )
    django.setup()


def median_seconds(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=200, help="rows for the overhead runs")
    args = parser.parse_args()

    with onyx_local() as config:
        setup_django(config)
        from django.core.paginator import Paginator

        from onyx_django import connections
        from onyx_django.models import OnyxModel

        class Profile(OnyxModel):
            id: str
            firstName: str
            lastName: str
            age: int | None = None
            bio: str | None = None
            userId: str
            createdAt: datetime

            class Meta:
                db_table = "UserProfile"
                app_label = "bench"

        db = connections["default"]
        created = datetime(2026, 1, 1, tzinfo=UTC)
        rows = [
            {"id": f"p{n:05}", "firstName": f"First {n}", "lastName": f"Last {n}",
             "age": n % 90, "bio": "x" * 200, "userId": f"u{n}", "createdAt": created}
            for n in range(args.rows)
        ]  # fmt: skip
        # the overhead is measured on a small table, where Onyx Local answers in a few
        # milliseconds (on 10,000 rows its scan dominates and hides the client's share)
        db.batch_save("UserProfile", rows[: args.small])

        # 1. evaluation overhead, interleaved so drift hits both sides alike
        scenarios: list[tuple[str, Callable[[], list[Any]], Callable[[], list[Any]]]] = [
            (
                "100 records",
                lambda: list(Profile.onyx.all()[:100]),
                lambda: db.from_table(Profile).limit(100).page_size(100).list(),
            ),
            (
                "100 records, filtered and sorted",
                lambda: list(Profile.onyx.filter(age__gte=18).order_by("id")[:100]),
                lambda: (
                    db.from_table(Profile)
                    .where(gte("age", 18))
                    .order_by(asc("id"))
                    .limit(100)
                    .page_size(100)
                    .list()
                ),
            ),
        ]
        print(f"evaluation, median of {args.runs} (queryset vs raw builder, same client):")
        for name, through_queryset, through_builder in scenarios:
            assert [p.id for p in through_queryset()] == [p.id for p in through_builder()]
            for _ in range(10):
                through_queryset()
                through_builder()
            qs_times, raw_times = [], []
            for _ in range(args.runs):
                qs_times.append(median_seconds(through_queryset, 1))
                raw_times.append(median_seconds(through_builder, 1))
            qs_median, raw_median = statistics.median(qs_times), statistics.median(raw_times)
            overhead = 100 * (qs_median / raw_median - 1)
            print(
                f"  {name:<34} queryset {qs_median * 1000:7.2f} ms   raw builder "
                f"{raw_median * 1000:7.2f} ms   overhead {overhead:+.1f}%"
            )

        # 1b. the same, without I/O: what each side does with 100 fetched records
        records = db.from_table("UserProfile").limit(100).list()
        builder = db.from_table(Profile).limit(100)
        layer = Profile.onyx.all()[:100]

        def queryset_work() -> object:
            query = Profile.onyx.filter(age__gte=18).order_by("id")[:100]
            query._final_spec()
            return layer._shaped(records)

        def builder_work() -> object:
            query = db.from_table(Profile).where(gte("age", 18)).order_by(asc("id")).limit(100)
            query.to_select_query()
            return builder._decode(records)

        cpu_qs_times, cpu_raw_times = [], []
        for _ in range(args.runs * 5):  # interleaved, as above
            cpu_qs_times.append(median_seconds(queryset_work, 1))
            cpu_raw_times.append(median_seconds(builder_work, 1))
        cpu_qs, cpu_raw = statistics.median(cpu_qs_times), statistics.median(cpu_raw_times)
        print(
            f"  {'client-side work only (no I/O)':<34} queryset {cpu_qs * 1000:7.2f} ms   raw "
            f"builder {cpu_raw * 1000:7.2f} ms   overhead {100 * (cpu_qs / cpu_raw - 1):+.1f}%"
        )

        # 2. pagination
        for start in range(args.small, len(rows), 1000):
            db.batch_save("UserProfile", rows[start : start + 1000])
        ordered = Profile.onyx.order_by("id")
        page_runs = max(5, args.runs // 10)
        print(f"\nPaginator(qs, 20).page(k) on {args.rows} rows (median of {page_runs}):")
        print(
            "  k    | requests | records | KB received | ms     || naive: requests | records "
            "| KB received | ms"
        )
        for k in (1, 10, 100):

            def page(k: int = k) -> list[Any]:
                return list(Paginator(ordered, 20).page(k).object_list)

            def naive(k: int = k) -> list[Any]:
                high = k * 20
                query = db.from_table(Profile).order_by(asc("id")).limit(high)
                count = db.from_table(Profile).count()
                assert count == args.rows
                return query.page_size(min(high, 1000)).list()[high - 20 : high]

            with record_requests() as recorded:
                got = page()
            with record_requests() as naive_recorded:
                expected = naive()
            assert [p.id for p in got] == [p.id for p in expected]
            seconds = median_seconds(page, page_runs)
            naive_seconds = median_seconds(naive, page_runs)
            print(
                f"  {k:<4} | {len(recorded):>8} | {sum(r.records or 0 for r in recorded):>7} | "
                f"{sum(r.response_bytes for r in recorded) / 1024:>11.1f} | {seconds * 1000:6.0f}"
                f" || {len(naive_recorded):>15} | "
                f"{sum(r.records or 0 for r in naive_recorded):>7} | "
                f"{sum(r.response_bytes for r in naive_recorded) / 1024:>11.1f} | "
                f"{naive_seconds * 1000:.0f}"
            )
        connections.close_all()


if __name__ == "__main__":
    main()
