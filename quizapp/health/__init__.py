"""``/healthz`` and ``/readyz``: what a load balancer, systemd or a monitor asks of a worker.

``/healthz`` says the process answers (it touches nothing else: a database outage must not get
every worker restarted). ``/readyz`` says the worker can serve: the database answers
``SELECT 1`` and, when ``REDIS_URL`` is set (rate limits shared by every worker), Redis
answers ``PING``. Both are public, JSON, never cached, and exempt from the rate limits.
"""

from flask import Blueprint

bp = Blueprint("health", __name__)

from quizapp.health import routes  # noqa: E402,F401
