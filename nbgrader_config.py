"""nbgrader configuration: the course directory is the repository root."""

from nbgrader.converters import GenerateAssignment

from rnnkit.nb.language import SelectLanguage

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "rnnkit"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_assignments = [{"name": "rnn"}, {"name": "lstm"}]

# Releases are generated in one language from the bilingual source (see source/README.md).
# SelectLanguage runs again after ClearSolutions, which inserts the bilingual code stub below.
_stock = GenerateAssignment.class_traits()["preprocessors"].default()
_after_stub = [step.__name__ for step in _stock].index("ClearSolutions") + 1
c.GenerateAssignment.preprocessors = [
    SelectLanguage, *_stock[:_after_stub], SelectLanguage, *_stock[_after_stub:]
]
c.ClearSolutions.code_stub = {
    "python": "# [es] TU CÓDIGO AQUÍ\n# [en] YOUR CODE HERE\nraise NotImplementedError()"
}
# Students' notebooks may hold an infinite loop: nbgrader must not wait forever.
c.ExecutePreprocessor.timeout = 60
