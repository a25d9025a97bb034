"""Secrets: put, get, list (metadata only) and delete."""

from __future__ import annotations

from _seed import connect, expect

from onyx_database import OnyxNotFoundError

with connect() as db:
    db.put_secret("stripe-key", "sk_test_123", purpose="payments")
    db.put_secret("smtp-password", {"value": "hunter2", "purpose": "mail"})  # official form
    secret = db.get_secret("stripe-key")
    print(f"stripe-key purpose: {secret['purpose']}")
    expect(secret["value"], "sk_test_123", "secret value")
    keys = sorted(item["key"] for item in db.list_secrets())
    print(f"secrets: {keys}")
    expect(keys, ["smtp-password", "stripe-key"], "listed keys")
    expect(db.delete_secret("stripe-key"), True, "delete_secret")
    try:
        db.get_secret("stripe-key")
    except OnyxNotFoundError:
        print("deleted: get_secret now raises OnyxNotFoundError")
    else:
        expect("found", "OnyxNotFoundError", "get_secret after delete")
    db.delete_secret("smtp-password")
