"""A bonus written with PyTorch (the assignment asks for tf.keras): zero points and one sentence
that says so, not the Keras reader's advice. Each notebook is written here."""
from __future__ import annotations

import pytest

from grader.classreport import IMDB_FLAGS
from grader.imdb.score import NOT_KERAS, OTHER_FRAMEWORK
from grader.models import FAILED
from grader.runner import _grade_imdb
from tests.test_imdb_score import CONFIG, LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

_TORCH_MODEL = """import torch
import torch.nn as nn

class SentimentLSTM(nn.Module):
    def __init__(self, vocab, dim=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, batch_first=True)
        self.out = nn.Linear(dim, 1)

    def forward(self, x):
        h, _ = self.lstm(self.emb(x))
        return self.out(h[:, -1])
"""
_TORCH_TRAIN = """model = SentimentLSTM(10000)
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(3):
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    print(f"Epoch {epoch + 1}: val accuracy {evaluate(model, val_loader):.4f}")
print(f"Test Accuracy: {evaluate(model, test_loader):.4f}")
"""
_TORCH_OUT = ("Epoch 1: val accuracy 0.8012\nEpoch 2: val accuracy 0.8431\nEpoch 3: val accuracy 0.8577\n"
              "Test Accuracy: 0.8562\n",)


@pytest.mark.parametrize("load, first", [
    (("from keras.datasets import imdb\n(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)", ()),
     "cell 3"),
    (("from torchtext.legacy import datasets\ntrain_data, test_data = datasets.IMDB.splits(TEXT, LABEL)", ()),
     "cell 2"),
], ids=["keras-data", "torchtext"])
def test_a_pytorch_bonus_is_told_the_bonus_asks_for_tf_keras(load, first):
    # Before: 5 of 10 for the printed test accuracy, with "Could not tell which recurrent layers
    # ... show model.summary()" and "Only 0 distinct recurrent alternative(s)" (a torchtext
    # notebook was told "No training code with outputs was found").
    nb = notebook(("markdown", "## 6 Bonus: sentiment analysis"), ("code",) + load,
                  ("code", _TORCH_MODEL, ()), ("code", _TORCH_TRAIN, _TORCH_OUT))
    result = result_of(nb)
    assert (result.status, result.points, result.items, result.flags) == (OTHER_FRAMEWORK, 0, (), (NOT_KERAS,))
    (told,) = result.feedback
    assert "asks for tf.keras" in told and f"trains with PyTorch (torch imported in {first})" in told, told
    part = _grade_imdb(nb, CONFIG, {})
    assert (part.status, part.points, part.cases) == (FAILED, 0, ()), part
    assert NOT_KERAS in IMDB_FLAGS  # listed in the class report's bonus section


def test_keras_models_are_read_though_torch_is_imported():
    # A Keras bonus that imports torch elsewhere (a comparison, a utility) is read as before.
    fit = model_cell("model", "LSTM(32)") + "\nhistory = model.fit(x_train, y_train, epochs=1, validation_split=0.2)"
    log = ("Epoch 1/1\n625/625 [==============================] - 60s - loss: 0.4 - accuracy: 0.85 - "
           "val_loss: 0.4 - val_accuracy: 0.8408\n")
    result = result_of(notebook(("code", "import torch\n" + LOAD, LOAD_OUT), ("code", fit, (log,)),
                                ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.8613)))))
    assert result.status == "graded" and NOT_KERAS not in result.flags, result
    assert item(result, "accuracy").points == 5, item(result, "accuracy")


def test_a_notebook_without_the_bonus_that_imports_torch_is_not_attempted():
    result = result_of(notebook(("code", "import torch\nx = torch.zeros(3)", ("tensor([0., 0., 0.])",))))
    assert (result.status, result.flags) == ("absent", ()), result
