"""gunicorn's settings for Kexue: ``gunicorn wsgi:app`` reads this file from the working
directory (command-line options override it).

Live class games decide the worker class. Every student's phone holds one server-sent-events
stream (``play.events``, quizapp/schools/live_push.py) for the whole game, so a class of 60
holds 60 open requests and 40 classes hold 2,400. gevent workers hold each stream as a
greenlet (a few KB) instead of an OS thread or a whole sync worker; a stream gives its
database connection back to the pool while it waits, so the pool does not have to be as large
as the number of phones. Measured by benchmarks/live_game.py (figures in
docs/live-games-benchmark.md).
"""

# (the figures behind every number: docs/live-games-benchmark.md)
worker_class = "gevent"
# One process per core on the 2-core server; a gevent worker is one core's worth of Python.
workers = 2
# Waiting phones per worker (gunicorn's default is 1,000): 40 games × 60 students spread over
# two workers, plus teachers, projectors and joins, with room for reconnects.
worker_connections = 2000
# A stream lasts up to 5 minutes (a long poll 25 s); the timeout is the worker's heartbeat
# (gevent workers beat while their greenlets wait), not a limit on one request.
timeout = 60
graceful_timeout = 30
# Phones answer every few seconds: keep their connections open between answers.
keepalive = 30
