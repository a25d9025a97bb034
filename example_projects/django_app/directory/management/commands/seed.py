"""``manage.py seed``: replace the Onyx records with the example's (``../team.seed.json``, the
same data the Flask example uses) and, given a password, create the admin's superuser."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from onyx_django import connections

SEED = Path(settings.BASE_DIR).parent / "team.seed.json"


class Command(BaseCommand):
    help = "Replace the Onyx records with the example data; create the admin superuser."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--admin-password", default=os.environ.get("TEAMDIR_ADMIN_PASSWORD"))

    def handle(self, *args: Any, **options: Any) -> None:
        db = connections.pool("default")
        records: dict[str, list[dict[str, Any]]] = json.loads(SEED.read_text())
        for table in records:
            db.from_table(table).delete()
        for table, rows in records.items():
            db.batch_save(table, rows, batch_size=100)
            self.stdout.write(f"seeded {len(rows)} {table} records")
        password = options["admin_password"]
        if password:
            model = get_user_model()
            admin = model.objects.filter(username="admin").first() or model(username="admin")
            admin.is_staff = admin.is_superuser = True
            admin.set_password(password)
            admin.save()
            self.stdout.write("admin user: admin")
