"""The question bank as files: YAML questions, their rules, and the spreadsheet reader.

No Flask and no database here: ``python -m question_bank check|stats`` runs on the files alone.
The web app's side of questions is ``quizapp/questions/`` (admin pages, loading these files into
the database, import/export), ``quizapp/questions_pool.py`` (what may be drawn) and
``quizapp/models/questions.py`` (the tables).
"""
