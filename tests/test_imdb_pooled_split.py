"""The bonus's validation when the notebook pools every review and splits them itself with
``train_test_split`` (`grader.imdb.source._Walker.split_origins`): that split is the notebook's
train/test split, so validation split from its training part is held out of the training data,
and validation on its held-out part is on the test set. Each notebook is written here."""
from __future__ import annotations

import pytest

from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

_LOG = ("Epoch 1/2\n625/625 [==============================] - 60s - loss: 0.6 - accuracy: 0.70 - val_loss: 0.5"
        " - val_accuracy: 0.78\nEpoch 2/2\n625/625 [==============================] - 60s - loss: 0.4 - "
        "accuracy: 0.85 - val_loss: 0.4 - val_accuracy: 0.8408\n")
_POOLED = ("X = np.concatenate((x_train, x_test))\nY = np.concatenate((y_train, y_test))\n"
           "X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.2)\n")
# A CSV of the 50,000 reviews (no Keras loader): the notebook's names are all the grader has.
_CSV_HEAD = ("import numpy as np\nimport pandas as pd\nfrom tensorflow.keras.models import Sequential\n"
             "from tensorflow.keras.layers import Embedding, LSTM, Dense\nmax_features = 10000\n"
             "data = pd.read_csv('IMDB_Dataset.csv')\n")
_CSV_SPLIT = ("x_train_weight = vectorizer.fit_transform(data['review']).toarray()\n"
              "train_sentiment, test_sentiment, train_review, test_review = train_test_split(\n"
              "    x_train_weight, labels, test_size=0.2, random_state=0)\n"
              "x_train = np.array(train_sentiment).reshape((train_sentiment.shape[0], -1, 1))\n"
              "x_test = np.array(test_sentiment).reshape((test_sentiment.shape[0], -1, 1))\n")


def _scored(head: str, split: str, fit: str, evaluate: str):
    """The result, the validation item and the one model of a notebook that splits in its second
    cell, fits an LSTM in its third and evaluates in its fourth."""
    result = result_of(notebook(("code", head, LOAD_OUT),
                                ("code", "from sklearn.model_selection import train_test_split\n" + split, ()),
                                ("code", model_cell("model", "LSTM(32)") + "\n" + fit, (_LOG,)),
                                ("code", evaluate, tuple(keras3_eval(0.8213)))))
    (model,) = result.models
    return result, item(result, "validation"), model


def test_validation_split_from_the_training_part_of_pooled_reviews_is_held_out():
    # Before: the second split's parts kept the pooled origin (training and test), read as
    # validation on the test set: 0 / 2 for a notebook that kept its test part unseen.
    result, validation, model = _scored(
        LOAD, _POOLED + "X_tr, X_val, Y_tr, Y_val = train_test_split(X_tr, Y_tr, test_size=0.1)",
        "history = model.fit(X_tr, Y_tr, epochs=2, validation_data=(X_val, Y_val))", "model.evaluate(X_te, Y_te)")
    assert (model.validation_source, model.validation_fraction) == ("train", 0.1), model
    assert validation.points == 2, validation
    assert "validates on the test set" not in result.flags


@pytest.mark.parametrize("head, split, fit, words", [
    # a CSV of every review, its held-out part named test data and used as validation (read as
    # 20 % of the training data held out, 2 / 2, before: the data's name says train)
    (_CSV_HEAD, _CSV_SPLIT, "model.fit(x_train, train_review, epochs=2, validation_data=(x_test, test_review))",
     "as your test data"),
    # the training and test arrays pooled, validation on the part the split held out
    (LOAD, _POOLED, "history = model.fit(X_tr, Y_tr, epochs=2, validation_data=(X_te, Y_te))",
     "of the training and test reviews pooled"),
], ids=["csv-named-test", "arrays-pooled"])
def test_validation_on_the_part_a_pooled_split_held_out_is_on_the_test_set(head, split, fit, words):
    result, validation, model = _scored(head, split, fit, "print('done')")
    assert model.validation_source == "test", model
    assert validation.points == 0, validation
    assert "validates on the test set" in result.flags
    told = next(line for line in result.feedback if line.startswith("Validation uses the test set"))
    assert f"the part train_test_split held out {words}" in told, told
    assert "Take it from the training part of that split" in told, told


@pytest.mark.parametrize("split, fit", [
    # the pooled CSV split into training and test parts, validation_split on the training part
    (_CSV_SPLIT, "model.fit(x_train, train_review, epochs=2, validation_split=0.2)"),
    # Keras's training arrays split, the held-out part named test by the student: still training data
    ("x_tr, x_test2, y_tr, y_test2 = train_test_split(x_train, y_train, test_size=0.2)",
     "history = model.fit(x_tr, y_tr, epochs=2, validation_data=(x_test2, y_test2))"),
], ids=["csv-training-part", "keras-training-named-test"])
def test_validation_from_training_data_keeps_its_points(split, fit):
    head = _CSV_HEAD if "x_train_weight" in split else LOAD
    result, validation, model = _scored(head, split, fit, "print('done')")
    assert (model.validation_source, model.validation_fraction) == ("train", 0.2), model
    assert validation.points == 2, validation
    assert not any("held out" in line and "Validation uses" in line for line in result.feedback), result.feedback
