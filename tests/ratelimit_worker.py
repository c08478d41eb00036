"""One gunicorn-like worker process for the rate-limit tests: failed sign-ins, statuses out.

``python -m tests.ratelimit_worker DATABASE_URL INSTANCE_PATH REDIS_URL|memory COUNT`` builds
the app as production does (``QUIZAPP_ENV=production``), posts COUNT wrong passwords from one
address and prints the response codes as JSON.
"""

from __future__ import annotations

import json
import sys

from tests.conftest import make_app
from tests.support import csrf_token


def main(database_url: str, instance_path: str, storage: str, count: int) -> list[int]:
    settings = ({"RATELIMIT_ALLOW_MEMORY": "1"} if storage == "memory"
                else {"REDIS_URL": storage})
    app = make_app(database_url, instance_path, QUIZAPP_ENV="production", **settings)
    statuses = []
    with app.app_context():
        client = app.test_client()
        for _ in range(count):
            page = client.get("/login")
            statuses.append(client.post("/login", data={
                "username": "x", "password": "y",
                "csrf_token": csrf_token(page.text)}).status_code)
    return statuses


if __name__ == "__main__":
    database, instance, storage_uri, attempts = sys.argv[1:5]
    print(json.dumps(main(database, instance, storage_uri, int(attempts))))
