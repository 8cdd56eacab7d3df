"""A rubric, its fixtures and the bonus's configuration loaded as the ``GradingContext`` every command
grades with (``load_context``); a command that cannot load them raises ``CommandError``."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from grader.exits import CommandError


def load_context(rubric_path: Path, *, visibilities: tuple[str, ...] = ("public", "hidden"),
                 fixture_cache: bool = False, bonus: bool = True):
    """Rubric + fixtures (+ the bonus's config) -> ``GradingContext``; raises CommandError.

    ``fixture_cache``: read the rubric and decode the fixtures through their caches
    (``grader.rubriccache``, ``grader.fixturecache``), as a class run does: the same rubric and
    fixtures, without the YAML's reading and the JSON's decoding after the first run.
    ``bonus``: False leaves the bonus's configuration out (``imdb_config`` None), for
    ``with_bonus`` to add: a class run configures its zygotes in between.
    """
    from grader.fixtures import FixtureError, load_fixtures
    from grader.rubric import RubricError, load_rubric
    from grader.runner import GradingContext

    try:
        rubric = load_rubric(rubric_path, cache=fixture_cache)
    except (RubricError, OSError) as exc:
        raise CommandError(str(exc)) from None
    if tuple(visibilities) == ("public",):
        rubric = rubric.only("public")
    elif (empty := next((part for part in rubric.parts if not part.cases), None)) is not None:
        # `cases: []` (with withheld_points) is a student kit's rubric's: a part graded on hidden
        # cases it does not hold. Graded by a class run it was a 0 column and a total short by its
        # points, without a word (thirty-eighth session).
        raise CommandError(f"{rubric.path}:{empty.line}: {empty.function} has no cases (`cases: []`), "
                           f"which only a student kit's rubric may say (a part graded on hidden cases "
                           f"it does not hold): a rubric that grades needs the part's cases; give it "
                           f"its cases, or grade with the course's rubric, not the kit's")
    try:
        fixtures = load_fixtures(rubric, visibilities=tuple(visibilities), cache=fixture_cache)
    except (FixtureError, OSError) as exc:
        raise CommandError(str(exc)) from None
    context = GradingContext(rubric=rubric, fixtures=fixtures,
                             mutant_messages=_mutant_messages(fixtures))
    return with_bonus(context) if bonus else context


def with_bonus(context):
    """``context`` with the bonus's configuration its rubric names (``load_context(...,
    bonus=False)`` left it out); ``context`` itself when the rubric has no bonus. Raises
    CommandError with the rubric's name and line."""
    rubric = context.rubric
    if rubric.imdb is None or context.imdb_config is not None:
        return context
    from grader.imdb import load_imdb_config

    try:
        imdb_config = load_imdb_config(rubric.imdb)
    except Exception as exc:  # noqa: BLE001 - reported with the rubric's name and line
        raise CommandError(f"{rubric.path}:{rubric.imdb_line}: {exc}") from None
    return replace(context, imdb_config=imdb_config)


def _mutant_messages(fixtures) -> dict:
    messages = getattr(fixtures, "mutant_messages", None)
    return dict(messages) if messages else {}
