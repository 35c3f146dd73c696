"""The instructor kit: what only the kit's checkout holds, never the students' wheel. The
commands that work on a course (commands.py), the course folder (course.py), LMS downloads
(collect.py), the demo class (demo.py), the gate for text from submissions (untrusted.py) and
where the kit's files are (paths.py); beside it, the grader (rnnkit.grading), the sandbox
(rnnkit.sandbox), notebook reading (rnnkit.nb) and what grading writes for others
(rnnkit.outputs)."""
