"""What rnnkit writes for the world beyond nbgrader, one module per job:

- ``lms``: an assignment's grades as a CSV Moodle or Canvas imports as it is;
- ``kit`` and ``gradescope``: a Gradescope autograder zip that grades with rnnkit;
- ``junit`` and ``github/grade.yml``: JUnit XML of one graded notebook, and a GitHub Actions
  workflow that grades a student repository;
- ``class_report``: one HTML page on a whole class, for the instructor;
- ``student_feedback``: nbgrader's feedback pages, with the grader's notes on the notebook.
"""
