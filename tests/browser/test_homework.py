"""A student on a 360 px phone takes the demo school's homework contest (name and class, the
whole set, one attempt), then the teacher's class board counts them."""

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.answering import submit_answer
from tests.browser.conftest import PHONE


def _demo_homework(live_server):
    from quizapp.extensions import db
    from quizapp.models import Competition

    with live_server.app.app_context():
        contest = db.session.scalar(select(Competition).where(Competition.kind == "homework"))
        return contest.id, contest.slug, contest.question_count


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_student_takes_homework_and_the_teacher_sees_it(phone, browser, live_server):
    homework_id, slug, questions = _demo_homework(live_server)
    teacher = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  viewport={"width": 1024, "height": 800})
    board = teacher.new_page()
    board.goto("/login")
    board.fill("input[name=username]", "teacher")
    board.fill("input[name=password]", live_server.passwords["teacher"])
    board.click("main button.primary")
    board.goto(f"/schools/homework/{homework_id}")
    row = board.locator("[data-test=class-board] tr", has_text="7 年级 1班")
    before = int(row.locator("td").nth(3).inner_text())

    phone.goto(f"/competitions/{slug}")
    _fits(phone)
    assert phone.locator("[data-test=board-link]").count() == 0  # no public board
    phone.fill("input[name=name]", "浏览器同学")
    phone.select_option("select[name=school_class_id]", label="7 年级 1班")
    phone.click("[data-test=register]")
    expect(phone.locator(".flash")).to_contain_text("报名成功")
    phone.click("[data-test=start]")

    answered = 0
    while "/result" not in phone.url:
        expect(phone.locator(".question")).to_be_visible()
        _fits(phone)
        phone.locator("label.option").nth(0).click()
        submit_answer(phone)
        answered += 1
        assert answered <= questions
    assert answered == questions
    expect(phone.locator("[data-test=score]")).to_be_visible()
    _fits(phone)

    phone.goto(f"/competitions/{slug}")
    expect(phone.locator("[data-test=done]")).to_contain_text("每人只能答一次")
    assert phone.locator("[data-test=start]").count() == 0

    board.reload()
    row = board.locator("[data-test=class-board] tr", has_text="7 年级 1班")
    expect(row.locator("td").nth(3)).to_have_text(str(before + 1))
    expect(board.locator("[data-test=ranking-rule]")).to_contain_text("参与率")
    board.locator("[data-test=class-tabs] a", has_text="7 年级 1班").click()
    expect(board.locator("[data-test=students]")).to_contain_text("浏览器同学")
    teacher.close()


def test_teacher_pages_fit_a_phone(browser, live_server):
    homework_id, _slug, _questions = _demo_homework(live_server)
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "teacher")
    page.fill("input[name=password]", live_server.passwords["teacher"])
    page.click("main button.primary")
    for url in ("/schools/homework/", f"/schools/homework/{homework_id}",
                "/schools/homework/new"):
        page.goto(url)
        _fits(page)
    page.goto("/schools/homework/")
    page.locator("[data-test=school-board-link]").first.click()
    expect(page.locator("[data-test=class-board]")).to_contain_text("7 年级 1班")
    _fits(page)
    context.close()
