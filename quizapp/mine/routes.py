from flask import render_template

from quizapp.access import public
from quizapp.device import current_owner
from quizapp.mine import bp
from quizapp.mine.services import mine_page
from quizapp.shared.forms import ActionForm
from quizapp.shared.labels import GROUP_LABELS


@bp.route("/")
@public
def index():
    return render_template("mine/index.html", page=mine_page(current_owner()),
                           form=ActionForm(), groups=GROUP_LABELS)
