"""Reference pipeline of the IMDB bonus: three recurrent alternatives, trained and reported.

    python3 -m solution.imdb --data PATH/imdb.npz --out imdb_report.json [--epochs N] [--quick]

Steps of the assignment's section 6, in order:

1. load IMDB with the real loader, ``keras.datasets.imdb.load_data``;
2. build one model per alternative (Embedding -> recurrent layer -> Dense(1, sigmoid));
3. hold out ``validation_split`` (20%) of the *training* data as validation;
4. train, then evaluate once on the test set;
5. report the best validation accuracy and the test accuracy of each alternative,
   in ``imdb_report.json`` (the format `grader.imdb` reads) and on stdout.

``--data`` points the loader at a local ``imdb.npz`` (machines without internet).
Keras 3 looks a file name up in ``$KERAS_HOME/datasets/`` only (the directory is read
once at import), and a file there whose sha256 differs from the official data set is
deleted after a failed download.  So a local file is given to the real loader by
answering its one ``get_file`` call with the local path, for the duration of that
call only; the file's sha256 is compared with the hash the loader asked for, and the
report says whether the data is the official IMDB file.

When the data cannot be had (no file, unreadable file, no network), the command
prints one line to stderr and exits with status 2, without a traceback.

TensorFlow is imported inside the functions that need it (it takes about 5 s), so
``--help`` and the data checks are quick; `grader/` never imports this module.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Iterator, Sequence

__all__ = ["Settings", "DataUnavailable", "load_imdb", "build_model", "run", "main",
           "ALTERNATIVES", "EXIT_OK", "EXIT_NO_DATA", "EXIT_USAGE", "EXIT_NO_KERAS"]

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_NO_DATA = 2
EXIT_NO_KERAS = 3

ALTERNATIVES = ("SimpleRNN", "LSTM", "GRU")


@dataclass(frozen=True)
class Settings:
    """Hyper-parameters of the pipeline (the defaults follow the Keras IMDB examples' scale)."""

    num_words: int = 10000
    maxlen: int = 200
    embedding_dim: int = 32
    units: int = 32
    epochs: int = 3
    batch_size: int = 128
    validation_split: float = 0.2
    seed: int = 0
    alternatives: tuple[str, ...] = ALTERNATIVES


# Small enough for CI on two CPU cores with a synthetic data set of a few hundred reviews.
QUICK = Settings(num_words=300, maxlen=48, embedding_dim=16, units=16, epochs=4, batch_size=32)


class DataUnavailable(Exception):
    """The IMDB data cannot be had; the message is one line for the user."""


def _sha256(path: str) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _local_file_for(loader: Any, path: str, seen: dict[str, Any]) -> Iterator[None]:
    """While active, the loader's ``get_file`` answers with ``path`` (no cache, no download).

    ``seen`` receives the file name and hash the loader asked for.  The original
    function is restored on exit, so nothing else in the process is affected.
    """
    module = importlib.import_module(loader.__module__)
    original = getattr(module, "get_file", None)
    if original is None:
        raise DataUnavailable(f"this Keras ({module.__name__}) loads IMDB without get_file; "
                              f"copy {path} to $KERAS_HOME/datasets/imdb.npz instead")

    def answer(fname: Any = None, origin: Any = None, file_hash: Any = None, **kwargs: Any) -> str:
        """Stand-in for ``get_file``: note what was asked for, answer with the local path."""
        seen.update(fname=fname, origin=origin, file_hash=file_hash or kwargs.get("md5_hash"))
        return path

    setattr(module, "get_file", answer)
    try:
        yield
    finally:
        setattr(module, "get_file", original)


def load_imdb(*, data: str | None, num_words: int) -> tuple[tuple[Any, Any], tuple[Any, Any], dict[str, Any]]:
    """``(x_train, y_train), (x_test, y_test), provenance`` through ``keras.datasets.imdb.load_data``.

    ``data``: a local ``imdb.npz`` (same format as the official file: ``x_*`` object
    arrays of Python lists of ints, ``y_*`` integer arrays), or ``None`` to let Keras
    download (or reuse) the official file.  Raises `DataUnavailable`.
    """
    if data is not None and not os.path.isfile(data):
        raise DataUnavailable(f"IMDB data file not found: {data}")
    import keras  # noqa: PLC0415  (TensorFlow only when the data is there)

    loader = keras.datasets.imdb.load_data
    provenance: dict[str, Any] = {"path": data, "loader": f"{loader.__module__}.load_data"}
    try:
        if data is None:
            (xtr, ytr), (xte, yte) = loader(num_words=num_words)
            provenance["source"] = "downloaded or cached by Keras"
        else:
            seen: dict[str, Any] = {}
            with _local_file_for(loader, os.path.abspath(data), seen):
                (xtr, ytr), (xte, yte) = loader(num_words=num_words)
            if "fname" not in seen:
                raise DataUnavailable("keras.datasets.imdb.load_data did not ask for its file; "
                                      f"this Keras version is not supported with --data ({keras.__version__})")
            sha = _sha256(data)
            provenance.update(sha256=sha, official=bool(seen.get("file_hash")) and sha == seen["file_hash"],
                              source="local file")
    except DataUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001  the loader raises plain Exception on network failure
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if "scalar" in first and data is not None:
            first += " (the x_* arrays must hold lists of Python ints, not numpy integers)"
        where = data or "the Keras download (no network? use --data PATH/imdb.npz)"
        raise DataUnavailable(f"cannot load IMDB from {where}: {type(exc).__name__}: {first}") from None
    provenance.update(train=len(xtr), test=len(xte))
    return (xtr, ytr), (xte, yte), provenance


def build_model(alternative: str, settings: Settings) -> Any:
    """A compiled Keras model: Embedding -> ``alternative`` -> Dense(1, sigmoid).

    ``alternative``: ``"SimpleRNN"``, ``"LSTM"``, ``"GRU"`` or ``"Bidirectional(LSTM)"``.
    Input shape ``(batch, maxlen)`` of word indices; output ``(batch, 1)`` probabilities.
    """
    import keras  # noqa: PLC0415
    from keras import layers  # noqa: PLC0415

    recurrent = {"SimpleRNN": layers.SimpleRNN, "LSTM": layers.LSTM, "GRU": layers.GRU}
    if alternative in recurrent:
        core = recurrent[alternative](settings.units)
    elif alternative == "Bidirectional(LSTM)":
        core = layers.Bidirectional(layers.LSTM(settings.units))
    else:
        raise ValueError(f"unknown alternative {alternative!r}")
    model = keras.Sequential([
        keras.Input(shape=(settings.maxlen,), dtype="int32"),
        layers.Embedding(settings.num_words, settings.embedding_dim),
        core,
        layers.Dense(1, activation="sigmoid"),
    ], name=alternative.replace("(", "_").replace(")", "").lower())
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(*, data: str | None, settings: Settings, out: str | None, stream: Any = None) -> dict[str, Any]:
    """Load, train every alternative, evaluate on the test set; return (and write) the report."""
    stream = stream or sys.stdout
    (xtr, ytr), (xte, yte), provenance = load_imdb(data=data, num_words=settings.num_words)
    import numpy as np  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415
    import keras  # noqa: PLC0415

    keras.utils.set_random_seed(settings.seed)
    tf.config.experimental.enable_op_determinism()
    pad = keras.utils.pad_sequences
    x_train = pad(xtr, maxlen=settings.maxlen)
    x_test = pad(xte, maxlen=settings.maxlen)
    y_train = np.asarray(ytr, dtype="float32")
    y_test = np.asarray(yte, dtype="float32")
    held_out = int(round(len(x_train) * settings.validation_split))
    print(f"{len(x_train)} training reviews ({len(x_train) - held_out} for training, {held_out} "
          f"held out for validation: validation_split={settings.validation_split}); "
          f"{len(x_test)} test reviews", file=stream, flush=True)
    models = []
    for k, alternative in enumerate(settings.alternatives, 1):
        keras.utils.set_random_seed(settings.seed + k)
        model = build_model(alternative, settings)
        print(f"\n=== Alternative {k}/{len(settings.alternatives)}: {alternative} ===", file=stream, flush=True)
        model.summary(print_fn=lambda line, *a, **kw: print(line, file=stream))
        started = time.perf_counter()
        with contextlib.redirect_stdout(stream):
            history = model.fit(x_train, y_train, epochs=settings.epochs, batch_size=settings.batch_size,
                                validation_split=settings.validation_split, verbose=2)
            loss, accuracy = model.evaluate(x_test, y_test, batch_size=settings.batch_size, verbose=2)
        val = [float(v) for v in history.history["val_accuracy"]]
        best_epoch = int(np.argmax(val)) + 1
        entry = {"alternative": alternative, "epochs": settings.epochs,
                 "best_val_accuracy": round(max(val), 4), "best_val_epoch": best_epoch,
                 "test_accuracy": round(float(accuracy), 4), "test_loss": round(float(loss), 4),
                 "params": int(model.count_params()), "seconds": round(time.perf_counter() - started, 1)}
        models.append(entry)
        print(f"{alternative} → best validation accuracy: {max(val):.4f} (epoch {best_epoch}); "
              f"test accuracy: {float(accuracy):.4f}", file=stream, flush=True)
    best = max(models, key=lambda m: m["test_accuracy"])
    report = {
        "format": "imdb_report/1",
        "validation": {"split": settings.validation_split, "from": "training data"},
        "models": models,
        "best": {"alternative": best["alternative"], "test_accuracy": best["test_accuracy"]},
        "data": provenance,
        "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
    }
    print(f"\nBest: {best['alternative']} with test accuracy {best['test_accuracy']:.4f}", file=stream, flush=True)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
            handle.write("\n")
    return report


def _parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="python3 -m solution.imdb", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", metavar="PATH", help="local imdb.npz (default: let Keras download it)")
    p.add_argument("--out", metavar="FILE", default="imdb_report.json", help="report to write (JSON)")
    p.add_argument("--epochs", type=int, help="epochs per alternative (default 3, or 4 with --quick)")
    p.add_argument("--quick", action="store_true", help="small models for a small (synthetic) data set")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--alternatives", help="comma-separated, from SimpleRNN, LSTM, GRU, Bidirectional(LSTM)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry; returns the exit status (2 when the data cannot be had)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; 2 here means "no data"
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    settings = QUICK if args.quick else Settings()
    settings = replace(settings, seed=args.seed)
    if args.epochs is not None:
        if args.epochs < 1:
            print("solution.imdb: --epochs must be >= 1", file=sys.stderr)
            return EXIT_USAGE
        settings = replace(settings, epochs=args.epochs)
    if args.alternatives:
        names = tuple(a.strip() for a in args.alternatives.split(",") if a.strip())
        bad = [a for a in names if a not in ALTERNATIVES + ("Bidirectional(LSTM)",)]
        if bad or not names:
            print(f"solution.imdb: unknown alternative(s): {', '.join(bad) or '(none given)'}", file=sys.stderr)
            return EXIT_USAGE
        settings = replace(settings, alternatives=names)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ log lines
    try:
        run(data=args.data, settings=settings, out=args.out)
    except DataUnavailable as exc:
        print(f"solution.imdb: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except ImportError as exc:
        print(f"solution.imdb: TensorFlow/Keras is needed ({exc}); pip install -r requirements-dev.txt",
              file=sys.stderr)
        return EXIT_NO_KERAS
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
