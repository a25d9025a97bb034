"""Aggregates with grouping: users per ``isActive``, and the average age of profiles."""

from __future__ import annotations

from _seed import connect, expect, seed_profiles, seed_users

from onyx_database import avg, count, max, min

with connect() as db:
    seed_users(db)
    seed_profiles(db)
    groups = db.select("isActive", count("id")).from_table("User").group_by("isActive").list()
    per_state = {row["isActive"]: row["count(id)"] for row in groups}
    print(f"users per isActive: {per_state}")
    expect(per_state, {True: 3, False: 2}, "count(id) grouped by isActive")

    stats = db.select(avg("age"), min("age"), max("age")).from_table("UserProfile").list()
    print(f"profile ages: {stats[0]}")
    # ages 36, 28, 41, 33, 25: sum 163 / 5 = 32.6, cast back to Int -> 32
    expect(stats, [{"avg(age)": 32, "min(age)": 25, "max(age)": 41}], "avg/min/max of age")
