"""The quiz engine shared by practice and competitions.

Plain functions, no requests: drawing questions, running an attempt (exactly-once answers,
server-owned deadlines), leaderboards and cheating signals.
"""
