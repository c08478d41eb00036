"""gunicorn's settings for Kexue: ``gunicorn wsgi:app`` reads this file from the working
directory (command-line options override it).

Live class games decide the worker class. Every student's phone waits for the teacher's next
question with a long poll (``play.state?v=N&wait=25``, quizapp/schools/live_watch.py), so a
class of 60 holds 60 open requests and 40 classes hold 2,400. gevent workers hold each waiting
request as a greenlet (a few KB) instead of an OS thread or a whole sync worker; the request's
database connection goes back to the pool before it waits, so the pool does not have to be as
large as the number of waiters. Measured by benchmarks/live_game.py (figures in the closing
note of issue 12, docs/live-games-benchmark.md).
"""

# (the figures behind every number: docs/live-games-benchmark.md)
worker_class = "gevent"
# One process per core on the 2-core server; a gevent worker is one core's worth of Python.
workers = 2
# Waiting phones per worker (gunicorn's default is 1,000): 40 games × 60 students spread over
# two workers, plus teachers, projectors and joins, with room for reconnects.
worker_connections = 2000
# A long poll answers after at most 25 s; the timeout is the worker's heartbeat (gevent
# workers beat while their greenlets wait), not a limit on one request.
timeout = 60
graceful_timeout = 30
# Phones poll again at once after every answer: keep their connections open between polls.
keepalive = 30
