"""The IMDB sentiment bonus: scored from the notebook's text and stored outputs, never run.

Public API::

    config = load_imdb_config("rubrics/imdb.yaml")     # or the `imdb:` mapping of a rubric
    result = score_imdb(notebook, config=config, extra_files={"imdb_report.json": b"..."})

`grader.imdb` never imports TensorFlow or Keras.  See docs/imdb.md.
"""

from grader.imdb.claims import Claim, Statement
from grader.imdb.config import Band, ImdbConfig, ImdbConfigError, load_imdb_config
from grader.imdb.score import ImdbResult, ModelEvidence, ScoreItem, score_imdb

__all__ = ["Band", "Claim", "ImdbConfig", "ImdbConfigError", "ImdbResult", "ModelEvidence", "ScoreItem",
           "Statement", "load_imdb_config", "score_imdb"]
