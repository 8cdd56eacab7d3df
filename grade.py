#!/usr/bin/env python3
"""Command line of the grader: argument parsing only; the work is in ``grader.commands``.

    python3 grade.py SUBMISSIONS [--out DIR] [--rubric RUBRIC] [--jobs N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade.py",
        description="Grade recurrent-network notebooks: gradebook, results and feedback per student.")
    parser.add_argument("submissions", type=Path,
                        help="a folder of notebooks (or of folders holding one notebook each), "
                             "or one notebook")
    parser.add_argument("--out", type=Path, default=commands.DEFAULT_OUT,
                        help="output folder (default: %(default)s)")
    parser.add_argument("--rubric", type=Path, default=commands.DEFAULT_RUBRIC,
                        help="rubric YAML (default: rubrics/rnn.yaml)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="parallel workers (default: the machine's cores)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands.grade_class(args.submissions, out_dir=args.out, rubric=args.rubric,
                             jobs=args.jobs)
    except commands.CommandError as exc:
        print(f"grade.py: {exc}", file=sys.stderr)
        return commands.EXIT_USAGE
    return commands.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
