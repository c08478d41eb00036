"""Who may see every URL, pinned here by what each page is for, and walked with every role.

``EXPECTED`` is written from the pages' purpose (README, "A short tour per role"), not read
from the views' own declarations: a view that opens itself to more roles than its line says
fails here, and so does a new endpoint without a line (add one when you add a view).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.access import ROLES, access_of

PUBLIC = "public"  # anyone, signed in or not
LOGIN = "login"  # any signed-in account
ADMIN = frozenset({"admin"})
# The statistics office's pages; admins see every section of the platform (home page).
STATISTICS = frozenset({"admin", "statistician"})
INTERVIEWER = frozenset({"interviewer"})
STATISTICIAN = frozenset({"statistician"})
# Teachers' school pages (issue 12); object-level checks give 404 for another school's things.
# Schools' teachers (and admins): every object checked against the teacher's own schools.
# Teachers' school pages (issue 12); each object also checked against the teacher's schools.
SCHOOLS = frozenset({"teacher", "admin"})
# Every role but residents' (a plan target's reporter may hold any of them).
STAFF = frozenset({"admin", "statistician", "teacher", "interviewer"})

EXPECTED: dict[str, str | frozenset[str]] = {
    # Flask's static files: CSS and the app's own scripts.
    "static": PUBLIC,
    # The platform's icon at the address browsers try by themselves.
    "favicon": PUBLIC,
    # Liveness and readiness probes for the load balancer and monitoring (no data shown).
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # Home page and the visitor's language and large-type preferences.
    "main.home": PUBLIC,
    "main.set_language": PUBLIC,
    "main.set_large_type": PUBLIC,
    # Signing in and out.
    "auth.login": PUBLIC,
    "auth.logout": LOGIN,
    # Accounts, townships, organisations and school classes: personal data, admins only.
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_toggle": ADMIN,
    "admin.townships": ADMIN,
    "admin.township_new": ADMIN,
    "admin.township_edit": ADMIN,
    "admin.organisations": ADMIN,
    "admin.organisation_new": ADMIN,
    "admin.organisation_edit": ADMIN,
    "admin.class_add": ADMIN,
    "admin.class_delete": ADMIN,
    # The question bank: content, answer keys and survey-reserved items, admins only.
    "questions.index": ADMIN,
    "questions.new": ADMIN,
    "questions.view": ADMIN,
    "questions.edit": ADMIN,
    "questions.review": ADMIN,
    "questions.activate": ADMIN,
    "questions.retire": ADMIN,
    "questions.toggle_survey": ADMIN,
    "questions.import_upload": ADMIN,
    "questions.import_confirm": ADMIN,
    "questions.export_csv": ADMIN,
    "questions.export_xlsx": ADMIN,
    "questions.template_csv": ADMIN,
    "questions.template_xlsx": ADMIN,
    # The plan's other targets, their progress report and who reports each: admins only.
    "plan.index": ADMIN,
    "plan.figure": ADMIN,
    "plan.reporter_add": ADMIN,
    "plan.reporter_remove": ADMIN,
    "plan.upload": ADMIN,
    "plan.template_xlsx": ADMIN,
    "plan.report_xlsx": ADMIN,
    "plan.report_pdf": ADMIN,
    # A plan target's reporters (any staff account an admin assigned): their own targets'
    # figures; each target checked against the account's assignments (404 for another's).
    "plan_mine.index": STAFF,
    "plan_mine.figure": STAFF,
    "plan_mine.upload": STAFF,
    "plan_mine.template_xlsx": STAFF,
    # Item statistics of the bank: the statistics office and admins.
    "questions.items": STATISTICS,
    "questions.item": STATISTICS,
    # The bank's health: coverage, difficulty against discrimination, reviews due.
    "questions.health_page": ADMIN,
    # The old address of the charting library (a public library): redirects to its static file.
    "assets.plotly_js": PUBLIC,
    # The literacy estimate (the survey estimator on an upload or the simulated survey).
    "estimates.index": STATISTICS,
    # The literacy survey's design: waves, forms, frame, allocation, sample, listings, cases.
    "surveys.index": STATISTICS,
    "surveys.new": STATISTICS,
    "surveys.wave": STATISTICS,
    "surveys.assemble_forms": STATISTICS,
    "surveys.frame": STATISTICS,
    "surveys.design_page": STATISTICS,
    "surveys.draw": STATISTICS,
    "surveys.start_fieldwork": STATISTICS,
    "surveys.summary": STATISTICS,
    "surveys.psu": STATISTICS,
    "surveys.case": STATISTICS,
    # Who works which sampled village or community.
    "surveys.interviewers": STATISTICS,
    # Interviewers' online fieldwork pages: only their own PSUs and cases (404 for any other,
    # tests/surveys_web/test_fieldwork_pages.py); the overview is on admins' home page too.
    "fieldwork.index": frozenset({"interviewer", "admin"}),
    "fieldwork.psu": INTERVIEWER,
    "fieldwork.case": INTERVIEWER,
    "fieldwork.case_adults": INTERVIEWER,
    "fieldwork.case_visit": INTERVIEWER,
    "fieldwork.case_contact": INTERVIEWER,
    # Fieldwork monitoring, the data-quality review, the paradata export and closing a wave.
    "surveys.monitoring": STATISTICS,
    "surveys.review_queue": STATISTICS,
    "surveys.review_interview": STATISTICS,
    "surveys.paradata": STATISTICS,
    "surveys.close_wave": STATISTICS,
    # Self-completion invitations: issuing codes and printing letters (the office).
    "surveys.invitation_list": STATISTICS,
    "surveys.invitation_letters": STATISTICS,
    # Weights, estimates and the respondent files (issue 11): the statisticians' own work,
    # not the admins' - they run, publish and export the figures.
    "surveys.weighting": STATISTICIAN,
    "surveys.weighting_run": STATISTICIAN,
    "surveys.weighting_download": STATISTICIAN,
    "surveys.estimate_new": STATISTICIAN,
    "surveys.estimate_run": STATISTICIAN,
    "surveys.estimate_public": STATISTICIAN,
    "surveys.estimate_publish": STATISTICIAN,
    "surveys.estimate_rerun": STATISTICIAN,
    "surveys.compare": STATISTICIAN,
    # The city literacy dashboard (issue 14): the office's version, small domains flagged;
    # the published run's report (HTML, PDF) for officials; the public version, small
    # domains suppressed.
    "surveys.city_dashboard": STATISTICS,
    # The townships ranking (issue 14): estimates by township beside participation.
    "surveys.townships_ranking": STATISTICS,
    "surveys.report_html": STATISTICS,
    "surveys.report_pdf": STATISTICS,
    "literacy.index": PUBLIC,
    # The self-completion questionnaire: anyone holding an invitation code, no account.
    "respond.enter": PUBLIC,
    "respond.questionnaire": PUBLIC,
    # The interviewer's offline app (CAPI) and its sync API: their own assigned cases only.
    "fieldwork.app": INTERVIEWER,
    "fieldwork.package": INTERVIEWER,
    "fieldwork.csrf_token": INTERVIEWER,
    "fieldwork.sync_interview": INTERVIEWER,
    "fieldwork.sync_contact": INTERVIEWER,
    # The app's service worker script: no data in it, fetched by the browser itself.
    "fieldwork.service_worker": PUBLIC,
    # Practice: anyone, no account needed.
    "practice.index": PUBLIC,
    "practice.start": PUBLIC,
    "practice.mistakes": PUBLIC,
    "practice.question": PUBLIC,
    "practice.answer": PUBLIC,
    "practice.feedback": PUBLIC,
    "practice.summary": PUBLIC,
    # Network competitions for residents: anyone, no account needed.
    "competitions.index": PUBLIC,
    "competitions.detail": PUBLIC,
    "competitions.register": PUBLIC,
    # Linking this device's anonymous registration to the signed-in account.
    "competitions.link_device": LOGIN,
    "competitions.start": PUBLIC,
    "competitions.board": PUBLIC,
    "competitions.attempt": PUBLIC,
    "competitions.answer": PUBLIC,
    "competitions.result": PUBLIC,
    "competitions.certificate": PUBLIC,
    "competitions.certificate_png": PUBLIC,
    # Anyone checks a certificate's code (masked name, competition, date, score only).
    "competitions.verify": PUBLIC,
    "competitions.check": PUBLIC,
    # 我的: the visitor's own attempts by account or device (tests/competitions/test_mine.py).
    "mine.index": PUBLIC,
    # Running competitions: rules, rounds, cheating signals, voiding, exports with names and
    # townships of participants. Admins only.
    "competition_admin.index": ADMIN,
    "competition_admin.new": ADMIN,
    "competition_admin.edit": ADMIN,
    "competition_admin.detail": ADMIN,
    "competition_admin.add_round": ADMIN,
    "competition_admin.board": ADMIN,
    "competition_admin.attempts": ADMIN,
    "competition_admin.void": ADMIN,
    "competition_admin.export": ADMIN,
    # The competitions dashboard (issue 14) and a round's report (names masked, item
    # statistics): admins; the public board (no names, no questions, small cells withheld).
    "competition_admin.dashboard_page": ADMIN,
    "competition_admin.report_html": ADMIN,
    "competition_admin.report_pdf": ADMIN,
    "competitions.public_dashboard": PUBLIC,
    # Schools: the teacher's landing page and class sizes, question sets (own and shared in
    # their schools; another school's set or class is a 404, tests/schools/test_sets_pages.py).
    "schools.index": SCHOOLS,
    "schools.class_size": SCHOOLS,
    "schools.sets": SCHOOLS,
    "schools.set_new": SCHOOLS,
    "schools.set_view": SCHOOLS,
    "schools.set_edit": SCHOOLS,
    "schools.set_items": SCHOOLS,
    "schools.set_copy": SCHOOLS,
    "schools.set_delete": SCHOOLS,
    # Live class games: the teacher's projector and controls (their own schools' games only,
    # 404 for another school's: tests/schools/test_live_access.py).
    "schools.live_games": SCHOOLS,
    "schools.live_new": SCHOOLS,
    "schools.live_host": SCHOOLS,
    "schools.live_state": SCHOOLS,
    "schools.live_action": SCHOOLS,
    "schools.live_player": SCHOOLS,
    # Students join with a code and play on a phone, no account; a seat is a cookie.
    "play.join": PUBLIC,
    "play.game": PUBLIC,
    "play.state": PUBLIC,
    "play.answer": PUBLIC,
    "play.events": PUBLIC,
    # Homework contests of a school (issue 12): its teachers (404 for another school's).
    "schools.homework": SCHOOLS,
    "schools.homework_new": SCHOOLS,
    "schools.homework_view": SCHOOLS,
    "schools.school_board": SCHOOLS,
    # Teachers' reports on their school's live games, homework contests and classes (another
    # school's: 404, tests/schools/test_reports_pages.py).
    "schools.reports_index": SCHOOLS,
    "schools.report_game": SCHOOLS,
    "schools.report_game_xlsx": SCHOOLS,
    "schools.report_homework": SCHOOLS,
    "schools.report_homework_xlsx": SCHOOLS,
    "schools.report_class": SCHOOLS,
    "schools.report_class_xlsx": SCHOOLS,
    # The schools dashboard (another school's: 404, tests/schools/test_dashboard.py).
    "schools.dashboard_page": SCHOOLS,
}
# One person's attempt: 404 to everybody else, whatever their role (404, not 403, so tokens
# reveal nothing). The sample attempt belongs to a simulated demo resident, so every visitor
# of the walk below must get 404 here.
OWNER_ONLY = {"competitions.attempt", "competitions.answer", "competitions.result",
              "competitions.certificate", "competitions.certificate_png", "practice.question",
              "practice.answer", "practice.feedback", "practice.summary", "play.state",
              "play.answer", "play.events"}

def _invitation_code(db, m) -> str:
    """An open invitation code of the demo wave (issued here if the demo has none)."""
    from quizapp.surveys import invitations

    query = select(m.SurveyInvitation.code).where(
        m.SurveyInvitation.code.is_not(None), m.SurveyInvitation.used_at.is_(None)).limit(1)
    if db.session.scalar(query) is None:
        invitations.issue_invitations(db.session.scalar(select(m.SurveyWave).limit(1)))
    return invitations.format_code(db.session.scalar(query))


# How to fill each URL argument, given the demo data.
SAMPLE_ARGS = {
    "user_id": lambda db, m: db.session.scalar(
        select(m.User.id).where(m.User.username == "resident")),
    "township_id": lambda db, m: db.session.scalar(select(m.Township.id).limit(1)),
    "organisation_id": lambda db, m: db.session.scalar(
        select(m.Organisation.id).where(m.Organisation.kind == "school").limit(1)),
    "class_id": lambda db, m: db.session.scalar(select(m.SchoolClass.id).limit(1)),
    "target_id": lambda db, m: db.session.scalar(select(m.PlanTarget.id).limit(1)),
    "filename": lambda db, m: "css/app.css",
    "question_id": lambda db, m: db.session.scalar(select(m.Question.id).limit(1)),
    "version_id": lambda db, m: db.session.scalar(select(m.QuestionVersion.id).limit(1)),
    "competition_id": lambda db, m: db.session.scalar(
        select(m.Competition.id).where(m.Competition.kind == "network").limit(1)),
    # A round of the competition <competition_id> names (the first network competition).
    "round_id": lambda db, m: db.session.scalar(
        select(m.Round.id).where(m.Round.competition_id == SAMPLE_ARGS["competition_id"](db, m))
        .order_by(m.Round.number).limit(1)),
    "homework_id": lambda db, m: db.session.scalar(
        select(m.Competition.id).where(m.Competition.kind == "homework").limit(1)),
    "school_id": lambda db, m: db.session.scalar(
        select(m.Organisation.id).where(m.Organisation.kind == "school")
        .order_by(m.Organisation.id).limit(1)),
    "slug": lambda db, m: db.session.scalar(
        select(m.Competition.slug).where(m.Competition.kind == "network").limit(1)),
    "attempt_id": lambda db, m: db.session.scalar(
        select(m.Attempt.id).where(m.Attempt.kind == "competition").limit(1)),
    "token": lambda db, m: db.session.scalar(
        select(m.Attempt.token).where(m.Attempt.kind == "competition").limit(1)),
    "position": lambda db, m: 0,
    "wave_id": lambda db, m: db.session.scalar(select(m.SurveyWave.id).limit(1)),
    "sampled_psu_id": lambda db, m: db.session.scalar(
        select(m.SurveyCase.sampled_psu_id).order_by(m.SurveyCase.id).limit(1)),
    "case_id": lambda db, m: db.session.scalar(
        select(m.SurveyCase.id).order_by(m.SurveyCase.id).limit(1)),
    "fmt": lambda db, m: "xlsx",
    "interview_id": lambda db, m: _sample_interview_id(db, m),
    "code": _invitation_code,
    "cert_code": lambda db, m: _certificate_code(db, m),
    "weighting_run_id": lambda db, m: _sample_runs(db, m)[0],
    "estimate_run_id": lambda db, m: _sample_runs(db, m)[1],
    "download": lambda db, m: "cases.csv",
    "set_id": lambda db, m: _sample_set_id(db, m),
    # A class of the demo teacher's school other than the one admin.class_delete removes.
    "school_class_id": lambda db, m: _demo_teacher(db, m).schools[0].classes[-1].id,
    "game_id": lambda db, m: _sample_game(db, m).id,
    "game_token": lambda db, m: _sample_game(db, m).token,
    "player_id": lambda db, m: _sample_game(db, m).players[0].id,
}


def _certificate_code(db, m) -> str:
    """The code of a demo resident's certificate (issued now, as its first viewer would)."""
    from quizapp.engine import certificates

    attempt = db.session.scalar(select(m.Attempt).where(
        m.Attempt.kind == "competition", m.Attempt.status.in_(("finished", "expired")))
        .order_by(m.Attempt.id).limit(1))
    return certificates.certificate_of(attempt).display_code


def _demo_teacher(db, m):
    return db.session.scalar(select(m.User).where(m.User.username == "teacher"))


def _sample_set_id(db, m) -> int:
    """A set of the demo teacher (made through the set services when the demo has none, or
    when the walk has just deleted it)."""
    teacher = _demo_teacher(db, m)
    found = db.session.scalar(select(m.QuestionSet.id).where(
        m.QuestionSet.owner_id == teacher.id).order_by(m.QuestionSet.id).limit(1))
    if found is not None:
        return found
    from quizapp.schools import sets_services

    ids = [v.question_id for v in sets_services.candidate_questions(limit=3)]
    return sets_services.create_set(teacher.schools[0].id, teacher.id, "示例题集", ids).id


def _sample_game(db, m):
    """A live game of the demo teacher's school with one player (opened through the engine
    the teacher's pages use, when the demo has none)."""
    # Not finished: a phone without a seat gets the seat form (a finished game's is a 404).
    found = db.session.scalar(select(m.LiveGame).where(m.LiveGame.status != "finished")
                              .order_by(m.LiveGame.id))
    if found is not None:
        return found
    from quizapp.questions_pool import drawable_versions
    from quizapp.schools import live_players, live_state

    teacher = db.session.scalar(select(m.User).where(m.User.username == "teacher"))
    school = teacher.schools[0]
    game = live_state.create_game(drawable_versions()[:3], title="课堂竞赛",
                                  school_id=school.id, teacher_id=teacher.id,
                                  question_set_id=None)
    live_players.join(game, "样本", school.classes[0].id)
    return game


def _sample_runs(db, m) -> tuple[int, int]:
    """A weighting run and an estimate run of the demo wave (made, without raking, through the
    services the statistician's pages use, when the demo has none), published: only a
    published run has a report."""
    found = db.session.scalar(select(m.SurveyEstimateRun).order_by(m.SurveyEstimateRun.id))
    if found is not None:
        return found.weighting_run_id, found.id
    import surveys
    from quizapp.surveys import estimate_runs, weighting_runs

    _sample_interview_id(db, m)
    wave = db.session.scalar(select(m.SurveyWave).order_by(m.SurveyWave.id).limit(1))
    run = weighting_runs.run_weighting(wave, None, surveys.WeightingSettings(), None)
    estimate = estimate_runs.run_estimate(run, surveys.EstimateSettings(), None)
    estimate_runs.publish(estimate, None)
    return run.id, estimate.id


def _sample_interview_id(db, m) -> int | None:
    """An interview of the demo wave; when the demo has none, one recorded on a screened demo
    case through the same service the interviewers' pages use."""
    found = db.session.scalar(select(m.SurveyInterview.id).limit(1))
    if found is not None:
        return found
    from quizapp.surveys.interviews import record_interview
    from tests.surveys_web.conftest import interview_submission

    case = db.session.scalar(select(m.SurveyCase).where(m.SurveyCase.status == "ready")
                             .order_by(m.SurveyCase.id).limit(1))
    if case is None:
        return None
    interview, _created = record_interview(case, interview_submission(case, "matrix-sample-1"))
    return interview.id


# Visited last: they change who is signed in.
LAST = {"auth.logout", "auth.login"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def _rules(app):
    rules = [r for r in app.url_map.iter_rules()]
    return sorted(rules, key=lambda r: (r.endpoint in LAST, "GET" not in r.methods, r.rule))


def _url(app, rule) -> str:
    from quizapp import models
    from quizapp.extensions import db

    values = {}
    for argument in rule.arguments:
        assert argument in SAMPLE_ARGS, f"add a sample value for <{argument}> ({rule.rule})"
        values[argument] = SAMPLE_ARGS[argument](db, models)
        assert values[argument] is not None, f"the demo data has nothing for <{argument}>"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _may_see(expected: str | frozenset[str], role: str | None) -> bool:
    if expected == PUBLIC:
        return True
    if role is None:
        return False
    return expected == LOGIN or role in expected


def test_every_endpoint_has_a_line_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(EXPECTED)) == [], "add a line to EXPECTED for each new view"
    assert sorted(set(EXPECTED) - endpoints) == [], "EXPECTED lists views that no longer exist"
    assert all(EXPECTED[endpoint] == PUBLIC for endpoint in OWNER_ONLY)


def test_every_view_declares_the_access_its_line_says(app):
    """A readable diff when a declaration and the table disagree (the walk below decides)."""
    wrong = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = access_of(app.view_functions[rule.endpoint])
        declared = None if access is None else (
            access.kind if access.kind != "roles" else access.roles)
        if declared != EXPECTED.get(rule.endpoint):
            wrong[rule.endpoint] = declared
    assert wrong == {}, "views whose @public/@login_required/@roles_required differ from EXPECTED"


def _assign_the_sample_psu_to_the_demo_interviewer() -> None:
    """The interviewer's pages answer 404 for PSUs not assigned to them: give the demo
    interviewer the sample PSU, so the walk sees their pages as they do."""
    from quizapp import models
    from quizapp.extensions import db

    psu = db.session.get(models.SurveySampledPSU, SAMPLE_ARGS["sampled_psu_id"](db, models))
    psu.interviewer_id = db.session.scalar(
        select(models.User.id).where(models.User.username == "interviewer"))
    db.session.commit()


def _make_every_staff_account_report_the_sample_target() -> None:
    """The reporters' pages answer 404 for targets not assigned to the account: give every
    demo staff account the sample target, so the walk sees the pages as a reporter does."""
    from quizapp import models
    from quizapp.extensions import db

    target = db.session.get(models.PlanTarget, SAMPLE_ARGS["target_id"](db, models))
    for username in sorted(STAFF):
        user = db.session.scalar(select(models.User).where(models.User.username == username))
        if user not in target.reporters:
            target.reporters.append(user)
    db.session.commit()


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_matrix(app, client, auth, role):
    from quizapp.demo import load_demo
    from quizapp.extensions import db

    passwords = load_demo()
    _assign_the_sample_psu_to_the_demo_interviewer()
    _make_every_staff_account_report_the_sample_target()
    db.session.remove()
    if role is not None:
        assert auth.login(role, passwords[role]).status_code == 302

    failures = []
    for rule in _rules(app):
        url = _url(app, rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        response.close()  # static files are streamed from an open file
        if not _may_see(EXPECTED[rule.endpoint], role):
            if role is None:
                ok = response.status_code == 302 and "/login" in response.headers["Location"]
            else:
                ok = response.status_code == 403
        elif rule.endpoint in OWNER_ONLY:
            ok = response.status_code == 404
        else:
            allowed = {200, 302}
            if method == "POST":
                allowed.add(400)  # the view ran and refused the empty form
            ok = response.status_code in allowed
        if not ok:
            failures.append(f"{method} {url} as {role}: {response.status_code}")
        if rule.endpoint == "auth.logout" and role is not None:
            break
    assert failures == []
