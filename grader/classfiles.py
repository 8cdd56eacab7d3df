"""What a class run reads by default and writes in its output folder: the repository, the default
rubric and output folder, and the names of the class-wide files and of each submission's sources.

Light on purpose: ``grade.py`` and the class run read these before the zygotes start."""
from __future__ import annotations

from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = REPO / "rubrics" / "rnn.yaml"
DEFAULT_OUT = Path("grading-output")
SIMILARITY_CSV = "similarity.csv"
CLASS_REPORT = "report.html"
SUMMARY_REPORT = "report-without-names.html"  # grader.classreport.SUMMARY_NAME (python3 -m grader.classreport)
GRADEBOOK = "grades.csv"  # grader.report.Gradebook writes it
#: What a class run writes in its output folder beside the submissions' folders, each kept aside
#: while a run grades (``grader.unfinished``); no submission's id may be one
#: (``grader.discover.RESERVED_IDS``). ``grader.report.SCORE_CHANGES``, ``grader.upload.UPLOAD_FILES``,
#: ``grader.classreport.REPORT_NAME`` spelled here: ``grader.commands`` imports them after the zygotes start.
CLASS_FILES = (GRADEBOOK, "score-changes.csv", "moodle-worksheet.csv", "canvas-import.csv", CLASS_REPORT,
               SIMILARITY_CSV, SUMMARY_REPORT)
SOURCES_FILE = "functions.json"  # OUT/<id>/: the graded functions' sources, for the similarity check
OWN_WORK_FIELD = "own_work"  # its entry of the notebook's own work (grader.similarity.ownwork.OWN_WORK_FIELD)
