"""nbgrader configuration: the kit's checkout is itself a course, released in Spanish.

To teach in English (or under another course id), make a course of your own with
`rnnkit init COURSE --lang en`: its nbgrader_config.py calls the same configure().
"""

from rnnkit.kit.course import configure

configure(get_config(), course_id="rnnkit", language="es")  # noqa: F821 (given by traitlets)
