"""Hidden suite of assignment "applications", the models: padded batches, averaged word vectors,
sequence classifiers, a forecaster and anomaly alerts. Each test grades one function, or one
quantity it gives; the thresholds below are this module's, and tests/test_applications_margins.py
shows the reference clears each of them on five seeds while the weak solutions miss them.

pad_batch and average_embeddings are judged by their values, against the reference solution
through rnnkit.compare, on seeded inputs (texts of different lengths, one of a single word, a
pad index other than 0), with the inputs left untouched.

The classifier (build_classifier, train_classifier, predict_classes) is judged by what it
learns, the three functions together, on sentences of rnnkit.assignments.applications.data:
the suite builds the vocabulary of its training sentences, relabels the word ids by a secret
permutation (0, the padding, and 1, the unknown word, stay), pads with the reference pad_batch
and, after the notebook's ``fix_seed(seed)``, calls the student's build_classifier(V, 2, cell,
seed) (cell: the set-up cell's CELL_LSTM or CELL_GRU, see CELLS), train_classifier on the
training sentences and predict_classes on held-out sentences the student never saw (other
seeds). The words never reach the student's code, so the Spanish data serve in both languages.
Two tasks, each with the LSTM:
- sentiment: 400 reviews to train on; judged on held-out reviews that hinge on contrast or
  negation (not the plain ones). Every bag of words there comes with both labels, so averaged
  word vectors stay near 50 %; SENTIMENT_ACCURACY is needed.
- agreement: 400 sentences with gaps of 16-28 words to train on; judged on held-out sentences
  with gaps of 28-34 where both people (the subject and the attractor) are named at least
  FAR_WORDS words before the verb. A simple RNN (nn.RNN) forgets the subject over that distance
  and stays near 50 % (the twins make every bag of words useless too); AGREEMENT_ACCURACY is
  needed, with CELL_LSTM and, for build_classifier, with CELL_GRU.
Beside those: the classes must not depend on the padding (each held-out text gets the same
class in its padded batch as in a batch of texts of its own length, without padding: the state
after each text's last real word is classified, not the last column's), predict_classes returns
(N,) int64 classes, and
train_classifier reports one finite loss per epoch that goes down.

The forecaster (train_forecaster, forecast) is trained, after fix_seed, on the first
FORECAST_SPLIT steps of an index series without anomalies (data.index_series), normalised by
that part's mean and standard deviation, and forecasts the whole series; the one-step mean
squared error on the later steps (the future, never seen in training) must be below
FORECAST_RATIO times that of the naive forecast (tomorrow = today) on the same steps. forecast
must be causal: changing the series after step t leaves its predictions up to t unchanged,
checked at CAUSAL_CUTS steps t drawn (seeded, never shown) over the judged steps and one before
them. A forecast that reads the future earns nothing for its error either: otherwise returning
series[1:] itself would buy the error's points without any forecasting.

anomaly_alerts is judged on its own, whatever the student's forecaster: on held-out series with
injected anomalies, the suite passes as predictions the series' ``expected`` values (the ideal
one-step forecast had there been no anomalies, computed by the data module, no torch), both
normalised. An episode is caught in time when an alert falls on its onset or the LEAD steps
after; at least ALERT_RECALL of the episodes must be, and at least ALERT_PRECISION of the alerts
must fall on anomalous steps.

Points: pad_batch 3 (the values on two inputs, the inputs untouched); average_embeddings 3
(the same); build_classifier 7 (sentiment 2, agreement with the LSTM 2 and with the GRU 1,
classes independent of the padding 2), train_classifier 5 (sentiment 2, agreement 2, the
losses 1), predict_classes 5 (sentiment 2, agreement 2, the classes' form 1); train_forecaster
3 and forecast 5 (the error against the baseline 3 and 2, causality 3); anomaly_alerts 5
(precision 2, recall in time 2, the form with the inputs untouched 1): 36 in all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from rnnkit.assignments.applications import CELLS as CELL_CONSTANTS
from rnnkit.assignments.applications import data
from rnnkit.compare import CheckFailed, Variant, as_numeric_array, describe_kind, expect_close
from rnnkit.compare import expect_pair as expect_tuple
from rnnkit.grading.judge import copies, expect_untouched, memo
from rnnkit.i18n import say
from solutions import applications as reference

# ------------------------------------------------------------------------------ the thresholds
SENTIMENT_ACCURACY = 0.80
AGREEMENT_ACCURACY = 0.80
FORECAST_RATIO = 0.5
ALERT_PRECISION = 0.7
ALERT_RECALL = 0.8
LEAD = 2  # an episode is caught in time by an alert on its onset or the LEAD steps after

# The recurrent layers build_classifier builds, by the number the notebook's set-up cell gives
# its constants CELL_RNN, CELL_GRU and CELL_LSTM (a name cannot cross the sandbox's channel).
CELLS = {name.removeprefix("CELL_").lower(): number for name, number in CELL_CONSTANTS.items()}

# ------------------------------------------------------------------ what the experiments use
SEED = 0  # the suite's seed; tests/test_applications_margins.py tries others
PERMUTATION_SEED = 7103  # the secret relabelling of word ids
EPOCHS = 10
FAR_WORDS = 16  # judged agreement sentences name both people at least this far from the verb
FORECAST_LENGTH, FORECAST_SPLIT, CHUNK, FORECAST_EPOCHS = 1200, 800, 40, 10
# forecast's causality: the series changes after each of these steps in turn. Enough of them,
# over the judged steps, that a forecast reading the future at a good share of the steps (what
# it would take to beat the naive forecast that way) cannot slip between them.
CAUSAL_CUTS = (600, *sorted(np.random.default_rng(2034).choice(
    np.arange(FORECAST_SPLIT - 1, FORECAST_LENGTH - 2), size=16, replace=False).tolist()))
ALERT_SERIES, ALERT_LENGTH, ALERT_EPISODES = 4, 600, 6


# ----------------------------------------------------------------------------------- pad_batch

def pad_inputs(case: int) -> tuple[list[np.ndarray], int]:
    """(sequences, pad_index): case 0 has 5 texts, one of a single word, with pad index 0;
    case 1 has 3 texts, the longest first, with pad index 7."""
    rng = np.random.default_rng([case, 2031])
    lengths, pad_index = ((4, 1, 6, 6, 2), 0) if case == 0 else ((5, 3, 2), 7)
    return [rng.integers(2, 40, size=n).astype(np.int64) for n in lengths], pad_index


def pad_variants(sequences: list[np.ndarray], pad_index: int) -> dict[str, list[Variant]]:
    """The known wrong values of pad_batch, by the name of the result they spoil."""
    tokens, lengths, mask = reference.pad_batch(sequences, pad_index)
    right = np.zeros_like(tokens)
    for n, sequence in enumerate(sequences):  # aligned right instead of left
        right[n] = pad_index
        right[n, tokens.shape[1] - len(sequence):] = sequence
    return {
        "tokens": [(right, say(
            es="las palabras están alineadas a la derecha (el relleno va delante): cada texto "
               "empieza en la columna 0 y el relleno va después de su última palabra.",
            en="the words are aligned right (the padding comes first): each text starts at "
               "column 0 and the padding comes after its last word."))],
        "lengths": [(lengths - 1, say(
            es="cada longitud tiene una palabra de menos: es el número de palabras del texto, "
               "len(sequence).",
            en="each length is one word short: it is the number of words of the text, "
               "len(sequence)."))],
        "mask": [(~mask, say(es="está invertida: True en las palabras reales, False en el "
                                "relleno.",
                             en="it is inverted: True on real words, False on padding."))],
    }


@pytest.mark.grades("pad_batch", points=1)
@pytest.mark.parametrize("case", [0, 1])
def test_pad_batch_values(student, case):
    sequences, pad_index = pad_inputs(case)
    got = expect_tuple("pad_batch(...)", student.pad_batch(*copies(sequences, pad_index)), 3)
    variants = pad_variants(sequences, pad_index)
    for name, value, right in zip(("tokens", "lengths", "mask"), got,
                                  reference.pad_batch(sequences, pad_index), strict=True):
        expect_kind(name, value, right)
        if name == "mask":  # a bool array, which rnnkit.compare reads as numbers only if told
            value = value.astype(np.int64)
        expect_close(name, value, right, variants=variants[name])


@pytest.mark.grades("pad_batch", points=1)
def test_pad_batch_leaves_inputs_untouched(student):
    student.pad_batch(*pad_inputs(1))
    expect_untouched(student, "pad_batch")


def expect_kind(name: str, value: Any, right: np.ndarray) -> None:
    """Raise CheckFailed unless ``value`` is an array of the kind of ``right``: integers for
    word ids and lengths, booleans for a mask."""
    if not isinstance(value, np.ndarray):
        if right.dtype != bool:
            return  # a value that is no array at all is for expect_close to describe
    elif value.dtype.kind == right.dtype.kind:
        return
    if right.dtype == bool:
        raise CheckFailed(say(
            es="`{name}` es {kind}: una máscara es un arreglo booleano (True en las palabras "
               "reales), p. ej. `np.arange(T) < lengths[:, None]`.",
            en="`{name}` is {kind}: a mask is a boolean array (True on real words), e.g. "
               "`np.arange(T) < lengths[:, None]`.", name=name, kind=describe_kind(value)))
    raise CheckFailed(say(
        es="`{name}` es {kind}: los identificadores de palabra y las longitudes son enteros "
           "(np.int64), que es lo que nn.Embedding y pack_padded_sequence aceptan; crea el "
           "arreglo con `dtype=np.int64`.",
        en="`{name}` is {kind}: word ids and lengths are integers (np.int64), which is what "
           "nn.Embedding and pack_padded_sequence accept; create the array with "
           "`dtype=np.int64`.", name=name, kind=describe_kind(value)))


# -------------------------------------------------------------------------- average_embeddings

def embedding_inputs(case: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tokens, mask, embeddings): padded texts of different lengths (one of one word) and a
    seeded table of word vectors (V, E)."""
    rng = np.random.default_rng([case, 2032])
    lengths = (5, 2, 1, 3) if case == 0 else (1, 4, 4)
    sequences = [rng.integers(1, 9, size=n) for n in lengths]
    tokens, _, mask = reference.pad_batch(sequences)
    return tokens, mask, rng.normal(size=(9, 3 if case == 0 else 4))


def embedding_variants(tokens: np.ndarray, mask: np.ndarray, embeddings: np.ndarray
                       ) -> list[Variant]:
    vectors = embeddings[tokens]
    summed = np.einsum("nt,nte->ne", mask.astype(float), vectors)
    return [
        (vectors.mean(axis=1), say(
            es="promedia también el relleno: los vectores de la palabra 0 cuentan en textos "
               "cortos. Suma solo donde mask es True y divide entre el número de palabras "
               "reales.",
            en="it averages the padding in too: word 0's vectors count in short texts. Sum "
               "only where mask is True and divide by the number of real words.")),
        (summed / tokens.shape[1], say(
            es="divide entre T, la longitud del lote, y no entre el número de palabras reales "
               "de cada texto (mask.sum(axis=1)).",
            en="it divides by T, the batch's length, not by each text's number of real words "
               "(mask.sum(axis=1)).")),
        (summed, say(es="es la suma de los vectores, no su media.",
                     en="it is the sum of the vectors, not their mean.")),
    ]


@pytest.mark.grades("average_embeddings", points=1)
@pytest.mark.parametrize("case", [0, 1])
def test_average_embeddings_values(student, case):
    inputs = embedding_inputs(case)
    expect_close("averaged", student.average_embeddings(*copies(*inputs)),
                 reference.average_embeddings(*inputs), variants=embedding_variants(*inputs))


@pytest.mark.grades("average_embeddings", points=1)
def test_average_embeddings_leaves_inputs_untouched(student):
    student.average_embeddings(*embedding_inputs(1))
    expect_untouched(student, "average_embeddings")


# --------------------------------------------------------------------------- the classifiers

@dataclass(frozen=True)
class ClassifierTask:
    """A classification the student's classifier learns, and how it is judged.

    - name: "sentiment" or "agreement"; cell: the recurrent layer asked for.
    - train, held_out: the sentences to train on and those to judge on, from a seed.
    - judged: which held-out sentences count (a bool mask over them).
    - threshold: the accuracy needed on those.
    """

    name: str
    cell: str
    train: Callable[[int], data.Sentences]
    held_out: Callable[[int], data.Sentences]
    judged: Callable[[data.Sentences], np.ndarray]
    threshold: float


def both_people_far(sentences: data.Sentences) -> np.ndarray:
    """The agreement sentences whose last person (subject or attractor) is named at least
    FAR_WORDS words before the verb (the last word)."""
    people = data.noun_genders("es")

    def far(text: str) -> bool:
        words = text.split()
        last = max(i for i, word in enumerate(words) if word in people)
        return len(words) - 1 - last >= FAR_WORDS

    return np.array([far(text) for text in sentences.texts])


SENTIMENT = ClassifierTask(
    "sentiment", "lstm",
    train=lambda seed: data.reviews(400, 1000 + seed),
    held_out=lambda seed: data.reviews(400, 2000 + seed),
    judged=lambda sentences: np.array([kind != "plain" for kind in sentences.kinds]),
    threshold=SENTIMENT_ACCURACY)
AGREEMENT = ClassifierTask(
    "agreement", "lstm",
    train=lambda seed: data.agreement(400, (16, 28), 1000 + seed),
    held_out=lambda seed: data.agreement(300, (28, 34), 2000 + seed),
    judged=both_people_far,
    threshold=AGREEMENT_ACCURACY)
AGREEMENT_GRU = ClassifierTask("agreement", "gru", AGREEMENT.train, AGREEMENT.held_out,
                               AGREEMENT.judged, AGREEMENT_ACCURACY)
TASKS = (SENTIMENT, AGREEMENT, AGREEMENT_GRU)


@dataclass(frozen=True)
class Encoded:
    """A task's sentences as the student's functions receive them: word ids relabelled by the
    secret permutation, padded. ``held_*`` are the held-out sentences; ``judged`` marks those
    that count."""

    vocab_size: int
    tokens: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray
    held_tokens: np.ndarray
    held_lengths: np.ndarray
    held_labels: np.ndarray
    judged: np.ndarray


def encode(task: ClassifierTask, seed: int) -> Encoded:
    train, held = task.train(seed), task.held_out(seed)
    vocab = data.word_vocabulary(train.texts)
    relabel = np.concatenate(([0, 1], 2 + np.random.default_rng(PERMUTATION_SEED).permutation(
        len(vocab) - 2))).astype(np.int64)
    tokens, lengths, _ = reference.pad_batch(
        [relabel[ids] for ids in data.encode_texts(train.texts, vocab)])
    held_tokens, held_lengths, _ = reference.pad_batch(
        [relabel[ids] for ids in data.encode_texts(held.texts, vocab)])
    return Encoded(len(vocab), tokens, lengths, train.labels, held_tokens, held_lengths,
                   held.labels, task.judged(held))


@dataclass(frozen=True)
class Learned:
    """What the student's classifier did on a task: the training losses it reported, the
    classes it gave the held-out sentences, and those it gave them without padding (rows, what
    predict_classes returned for those rows, all of one length, in a batch of that length); or
    the failure (feedback) that stopped it."""

    encoded: Encoded
    losses: Any = None
    classes: np.ndarray | None = None
    unpadded: Any = None
    failure: str | None = None

    @property
    def accuracy(self) -> float:
        right = self.classes == self.encoded.held_labels
        return float(right[self.encoded.judged].mean())


def learn(student, task: ClassifierTask, seed: int = SEED) -> Learned:
    """Build, train and run the student's classifier on ``task`` (once per grading run)."""
    def compute() -> Learned:
        e = encode(task, seed)
        try:
            student.fix_seed(seed)
            model = student.build_classifier(e.vocab_size, 2, CELLS[task.cell], seed)
            student.fix_seed(seed)
            losses = student.train_classifier(model, *copies(e.tokens, e.lengths, e.labels),
                                              EPOCHS, seed)
            classes = expect_classes(student.predict_classes(
                model, *copies(e.held_tokens, e.held_lengths)), e.held_labels)
            unpadded = [(rows, student.predict_classes(model, e.held_tokens[rows, :length],
                                                       e.held_lengths[rows]))
                        for length in np.unique(e.held_lengths)
                        for rows in [np.flatnonzero(e.held_lengths == length)]]
        except CheckFailed as failure:
            return Learned(e, failure=str(failure))
        return Learned(e, losses, classes, unpadded)

    return memo(student, ("classifier", task.name, task.cell, seed), compute)


def expect_classes(classes: Any, labels: np.ndarray) -> np.ndarray:
    """``classes`` as an int array, if it holds one class of {0, 1} per sentence; else raise
    CheckFailed saying what predict_classes returned."""
    array = as_numeric_array(classes)
    if array is None or array.shape != labels.shape or not np.all(np.isin(array, (0, 1))):
        raise CheckFailed(say(
            es="`predict_classes` debe devolver un arreglo de numpy de forma {shape} con la "
               "clase (0 o 1) de cada texto, pero devolvió {kind}. Toma el argmax de las "
               "puntuaciones y conviértelo: `.argmax(dim=1).numpy()`.",
            en="`predict_classes` must return a numpy array of shape {shape} holding the class "
               "(0 or 1) of each text, but it returned {kind}. Take the argmax of the scores "
               "and convert it: `.argmax(dim=1).numpy()`.",
            shape=labels.shape, kind=describe_kind(classes)))
    return array.astype(np.int64)


def losses_of(learned: Learned) -> np.ndarray | None:
    """The per-epoch losses train_classifier reported, as floats (None when unreadable)."""
    try:
        losses = np.asarray(learned.losses, dtype=float)
    except (TypeError, ValueError):
        return None
    return losses if losses.shape == (EPOCHS,) and np.all(np.isfinite(losses)) else None


def training_diagnosis(learned: Learned, task: ClassifierTask) -> str:
    """Why a classifier may fall short on ``task``: what its training losses say, then what
    the task needs."""
    losses = losses_of(learned)
    if losses is None:
        trained = ""
    elif losses[-1] < 0.9 * losses[0]:
        trained = say(es="Su pérdida de entrenamiento pasó de {first:.3f} a {last:.3f}. ",
                      en="Its training loss went from {first:.3f} to {last:.3f}. ",
                      first=losses[0], last=losses[-1])
    else:
        trained = say(
            es="Su pérdida de entrenamiento pasó de {first:.3f} a {last:.3f}: apenas aprendió "
               "las frases de entrenamiento. O train_classifier no actualiza los pesos (en cada "
               "minilote zero_grad, backward y step; Adam con una tasa de aprendizaje de "
               "alrededor de 1e-2), o el modelo no puede ajustarlas. ",
            en="Its training loss went from {first:.3f} to {last:.3f}: it barely learned the "
               "training sentences. Either train_classifier does not update the weights "
               "(zero_grad, backward and step in every mini-batch; Adam with a learning rate "
               "around 1e-2), or the model cannot fit them. ",
            first=losses[0], last=losses[-1])
    if task.name == "sentiment":
        return trained + say(
            es="Un modelo que ignora el orden de las palabras (vectores promediados) se queda "
               "cerca del 50 % aquí, porque cada bolsa de palabras llega con las dos "
               "etiquetas. El clasificador debe leer las palabras en orden con la capa "
               "recurrente y clasificar el estado tras la última palabra real.",
            en="A model that ignores word order (averaged vectors) stays near 50 % here, since "
               "every bag of words comes with both labels. The classifier must read the words "
               "in order with its recurrent layer and classify the state after the last real "
               "word.")
    return trained + say(
        es="A esa distancia una RNN simple (nn.RNN) olvida el sujeto y se queda cerca del "
           "50 %, como un modelo que ignora el orden. Con cell=CELL_{cell}, build_classifier "
           "debe usar nn.{layer}, cuyas puertas guardan el sujeto todo el camino, y "
           "clasificar el estado tras la última palabra real.",
        en="Over that distance a simple RNN (nn.RNN) forgets the subject and stays near 50 %, "
           "as does a model that ignores word order. With cell=CELL_{cell}, build_classifier "
           "must use nn.{layer}, whose gates keep the subject all the way, and classify the "
           "state after the last real word.", cell=task.cell.upper(), layer=task.cell.upper())


def expect_accuracy(learned: Learned, task: ClassifierTask) -> None:
    """Raise CheckFailed unless the classifier reached the task's threshold."""
    if learned.failure is not None:
        raise CheckFailed(learned.failure)
    if learned.accuracy >= task.threshold:
        return
    n = int(learned.encoded.judged.sum())
    if task.name == "sentiment":
        where = say(es="en {n} reseñas nuevas cuyo sentido depende de un contraste o una "
                       "negación",
                    en="on {n} new reviews whose sentiment hinges on contrast or negation", n=n)
    else:
        where = say(es="en {n} frases nuevas de concordancia con el sujeto y la otra persona "
                       "nombrados al menos {far} palabras antes del verbo",
                    en="on {n} new agreement sentences naming the subject and the other "
                       "person at least {far} words before the verb", n=n, far=FAR_WORDS)
    raise CheckFailed(say(
        es="Con cell=CELL_{cell}, tu clasificador acierta el {acc:.0%} {where}; debe llegar al "
           "{need:.0%}. {why}",
        en="With cell=CELL_{cell}, your classifier is right on {acc:.0%} {where}; it must reach "
           "{need:.0%}. {why}",
        cell=task.cell.upper(), acc=learned.accuracy, where=where, need=task.threshold,
        why=training_diagnosis(learned, task)))


CLASSIFIER = ("build_classifier", "train_classifier", "predict_classes")


@pytest.mark.parametrize("task", [SENTIMENT, AGREEMENT], ids=lambda task: task.name)
@pytest.mark.parametrize("function", [
    pytest.param(function, marks=pytest.mark.grades(function, points=2), id=function)
    for function in CLASSIFIER])
def test_classifier_accuracy(student, function, task):
    expect_accuracy(learn(student, task), task)


@pytest.mark.grades("build_classifier", points=1)
def test_classifier_gru_agreement(student):
    expect_accuracy(learn(student, AGREEMENT_GRU), AGREEMENT_GRU)


@pytest.mark.grades("build_classifier", points=2)
def test_classes_ignore_padding(student):
    learned = learn(student, SENTIMENT)
    if learned.failure is not None:
        raise CheckFailed(learned.failure)
    changed = 0
    for rows, classes in learned.unpadded:
        alone = as_numeric_array(classes)
        right = learned.classes[rows]
        changed += len(rows) if alone is None or alone.shape != right.shape else int(
            np.sum(alone != right))
    if changed:
        raise CheckFailed(say(
            es="{k} de {n} textos cambiaron de clase entre su lote con relleno y un lote de "
               "textos de su misma longitud, sin relleno: la clase de un texto no debe depender "
               "del relleno. Clasifica el estado tras la última palabra real de cada texto "
               "(pack_padded_sequence con las longitudes), no el de la última columna.",
            en="{k} of {n} texts changed class between their padded batch and a batch of texts "
               "of their own length, without padding: the class of a text must not depend on "
               "the padding. Classify the state after each text's last real word "
               "(pack_padded_sequence with the lengths), not that of the last column.",
            k=changed, n=len(learned.classes)))


@pytest.mark.grades("predict_classes", points=1)
def test_classes_are_int64(student):
    learned = learn(student, SENTIMENT)
    if learned.failure is not None:
        raise CheckFailed(learned.failure)
    classes = learned.unpadded[0][1]
    if not isinstance(classes, np.ndarray) or classes.dtype != np.int64:
        raise CheckFailed(say(
            es="`predict_classes` devolvió {kind}; debe devolver las clases como enteros "
               "(np.int64), como las etiquetas: `.numpy().astype(np.int64)`.",
            en="`predict_classes` returned {kind}; it must return the classes as integers "
               "(np.int64), like the labels: `.numpy().astype(np.int64)`.",
            kind=describe_kind(classes)))


@pytest.mark.grades("train_classifier", points=1)
def test_training_losses(student):
    learned = learn(student, SENTIMENT)
    if learned.failure is not None:
        raise CheckFailed(learned.failure)
    losses = losses_of(learned)
    if losses is None:
        raise CheckFailed(say(
            es="`train_classifier` debe devolver una lista de {epochs} números finitos, la "
               "pérdida media de cada época (`loss.item()`), pero devolvió {kind}.",
            en="`train_classifier` must return a list of {epochs} finite numbers, the mean "
               "loss of each epoch (`loss.item()`), but it returned {kind}.",
            epochs=EPOCHS, kind=describe_kind(learned.losses)))
    if not losses[-1] < losses[0]:
        raise CheckFailed(say(
            es="La pérdida que devuelve `train_classifier` no baja: {first:.3f} en la primera "
               "época y {last:.3f} en la última. ¿Se llama a optimizer.step() tras "
               "loss.backward() en cada minilote?",
            en="The loss `train_classifier` returns does not go down: {first:.3f} in the "
               "first epoch and {last:.3f} in the last. Is optimizer.step() called after "
               "loss.backward() in every mini-batch?", first=losses[0], last=losses[-1]))


# ------------------------------------------------------------------------------ the forecaster

@dataclass(frozen=True)
class Forecasted:
    """The student's forecaster on the suite's series: its predictions of the whole series
    (normalised), the first look into the future found (None when it is causal at every one of
    CAUSAL_CUTS), and the ratio of its error on the steps after FORECAST_SPLIT to the naive
    forecast's; or the failure that stopped it."""

    series: np.ndarray
    predictions: np.ndarray | None = None
    peek: str | None = None
    ratio: float = float("nan")
    failure: str | None = None


def forecast_series(seed: int) -> np.ndarray:
    """The suite's series, normalised by its training part's mean and standard deviation."""
    values = data.index_series(FORECAST_LENGTH, 3000 + seed, anomalies=0).values
    seen = values[:FORECAST_SPLIT]
    return (values - seen.mean()) / seen.std()


def changed_after(series: np.ndarray, step: int) -> np.ndarray:
    """The series with every value after ``step`` moved (seeded)."""
    moved = series.copy()
    moved[step + 1:] += np.random.default_rng(2033).normal(size=len(series) - step - 1)
    return moved


def naive_ratio(series: np.ndarray, predictions: np.ndarray) -> float:
    """Mean squared error of ``predictions`` (of series[1:]) over the steps after the training
    part, divided by the naive forecast's (the last value) over the same steps."""
    later = slice(FORECAST_SPLIT - 1, None)
    error = np.mean((predictions[later] - series[1:][later]) ** 2)
    return float(error / np.mean((series[:-1][later] - series[1:][later]) ** 2))


def run_forecaster(student, seed: int = SEED) -> Forecasted:
    """Train the student's forecaster and forecast with it (once per grading run)."""
    def compute() -> Forecasted:
        series = forecast_series(seed)
        try:
            student.fix_seed(seed)
            model = student.train_forecaster(series[:FORECAST_SPLIT], CHUNK, FORECAST_EPOCHS,
                                             seed)
            predictions = expect_predictions(student.forecast(model, series.copy()), series)
            peek = next(filter(None, (
                peek_at(cut, predictions, student.forecast(model, changed_after(series, cut)))
                for cut in CAUSAL_CUTS)), None)
        except CheckFailed as failure:
            return Forecasted(series, failure=str(failure))
        return Forecasted(series, predictions, peek, naive_ratio(series, predictions))

    return memo(student, ("forecaster", seed), compute)


def peek_at(cut: int, predictions: np.ndarray, changed_predictions: Any) -> str | None:
    """What shows that ``forecast`` looked into the future, given its predictions on the
    series and on the series changed after step ``cut``; None when those up to ``cut`` are
    unchanged, as they must be (predictions[t] may read series[:t + 1] only)."""
    changed = as_numeric_array(changed_predictions)
    if changed is None or changed.shape != predictions.shape:
        return say(es="`forecast` devolvió {kind} para otra serie de la misma longitud.",
                   en="`forecast` returned {kind} for another series of the same length.",
                   kind=describe_kind(changed_predictions))
    known = slice(0, cut + 1)
    moved = np.flatnonzero(~np.isclose(changed[known], predictions[known], rtol=1e-5,
                                       atol=1e-6))
    if not moved.size:
        return None
    return say(
        es="`forecast` mira el futuro: al cambiar la serie después del paso {t}, cambió "
           "predictions[{i}], que predice series[{next}] y solo puede usar series[:{next}]. "
           "Cada predicción debe salir de los valores hasta su paso (la red lee series[:-1] y "
           "su salida en t predice series[t+1]).",
        en="`forecast` looks into the future: changing the series after step {t} changed "
           "predictions[{i}], which predicts series[{next}] and may use series[:{next}] only. "
           "Each prediction must come from the values up to its step (the network reads "
           "series[:-1] and its output at t predicts series[t+1]).",
        t=cut, i=int(moved[0]), next=int(moved[0]) + 1)


def expect_predictions(predictions: Any, series: np.ndarray) -> np.ndarray:
    """``predictions`` as a float array, if it holds L-1 finite numbers; else CheckFailed."""
    array = as_numeric_array(predictions)
    if array is None or array.shape != (len(series) - 1,) or not np.all(np.isfinite(array)):
        raise CheckFailed(say(
            es="`forecast` debe devolver un arreglo de numpy de forma ({n},), números finitos: "
               "las predicciones de series[1:] (L = {L}), pero devolvió {kind}.",
            en="`forecast` must return a numpy array of shape ({n},) of finite numbers: the "
               "predictions of series[1:] (L = {L}), but it returned {kind}.",
            n=len(series) - 1, L=len(series), kind=describe_kind(predictions)))
    return array


@pytest.mark.parametrize("function", [
    pytest.param("train_forecaster", marks=pytest.mark.grades("train_forecaster", points=3),
                 id="train_forecaster"),
    pytest.param("forecast", marks=pytest.mark.grades("forecast", points=2), id="forecast")])
def test_forecast_beats_naive(student, function):
    done = run_forecaster(student)
    if done.failure is not None:
        raise CheckFailed(done.failure)
    if done.peek is not None:
        raise CheckFailed(done.peek + say(
            es=" Un error medido así no cuenta: tus predicciones leen los valores que predicen.",
            en=" An error measured that way does not count: your predictions read the values "
               "they predict."))
    if done.ratio < FORECAST_RATIO:
        return
    raise CheckFailed(say(
        es="En los {n} pasos posteriores a los de entrenamiento (el futuro), el error "
           "cuadrático medio de tus predicciones es {ratio:.2f} veces el del pronóstico "
           "ingenuo (mañana = hoy); debe quedar por debajo de {need:.2f}. Una red que lee los "
           "niveles de la serie tiene que extrapolar a niveles que nunca vio: dale los cambios "
           "de un paso al siguiente y que prediga el cambio siguiente, que se suma al último "
           "valor. Comprueba también que train_forecaster entrena (la pérdida baja) y arrastra "
           "el estado de un trozo al siguiente.",
        en="On the {n} steps after the training ones (the future), the mean squared error of "
           "your predictions is {ratio:.2f} times that of the naive forecast (tomorrow = "
           "today); it must be below {need:.2f}. A network that reads the series' levels must "
           "extrapolate to levels it never saw: give it the changes from one step to the next "
           "and have it predict the next change, added to the last value. Check too that "
           "train_forecaster trains (the loss goes down) and carries the state from one chunk "
           "to the next.",
        n=FORECAST_LENGTH - FORECAST_SPLIT, ratio=done.ratio, need=FORECAST_RATIO))


@pytest.mark.grades("forecast", points=3)
def test_forecast_is_causal(student):
    done = run_forecaster(student)
    if done.failure is not None:
        raise CheckFailed(done.failure)
    if done.peek is not None:
        raise CheckFailed(done.peek)


# ------------------------------------------------------------------------------ anomaly_alerts

def alert_inputs(seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray, data.Series]]:
    """(series, predictions, the Series) for each held-out series: values and predictions (the
    ideal forecast without anomalies) normalised by the values' mean and deviation."""
    inputs = []
    for k in range(ALERT_SERIES):
        s = data.index_series(ALERT_LENGTH, 4000 + 10 * seed + k, anomalies=ALERT_EPISODES)
        center, scale = s.values.mean(), s.values.std()
        inputs.append(((s.values - center) / scale, (s.expected[1:] - center) / scale, s))
    return inputs


@dataclass(frozen=True)
class AlertScore:
    """Alerts pooled over the held-out series: how many, how many on anomalous steps, how
    many episodes were caught in time (an alert on the onset or LEAD steps after), of how
    many; or the failure that stopped them."""

    alerts: int = 0
    on_anomalies: int = 0
    caught: int = 0
    episodes: int = 0
    failure: str | None = None

    @property
    def precision(self) -> float:
        return self.on_anomalies / self.alerts if self.alerts else 0.0

    @property
    def recall(self) -> float:
        return self.caught / self.episodes


def score_alerts(student, seed: int = SEED) -> AlertScore:
    """The student's alerts on the held-out series, scored (once per grading run)."""
    def compute() -> AlertScore:
        alerts = on_anomalies = caught = episodes = 0
        for values, predictions, s in alert_inputs(seed):
            try:
                got = expect_alerts(student.anomaly_alerts(values, predictions), values)
            except CheckFailed as failure:
                return AlertScore(failure=str(failure))
            steps = np.flatnonzero(got) + 1  # alerts[t] is about step t + 1
            alerts += len(steps)
            on_anomalies += int(s.anomalous[steps].sum())
            caught += sum(bool(got[onset - 1:onset + LEAD].any()) for onset in s.onsets)
            episodes += len(s.onsets)
        return AlertScore(alerts, on_anomalies, caught, episodes)

    return memo(student, ("alerts", seed), compute)


def expect_alerts(alerts: Any, series: np.ndarray) -> np.ndarray:
    """``alerts`` if it is a bool array (L-1,); else CheckFailed."""
    if not (isinstance(alerts, np.ndarray) and alerts.dtype == bool
            and alerts.shape == (len(series) - 1,)):
        raise CheckFailed(say(
            es="`anomaly_alerts` debe devolver un arreglo booleano de forma ({n},), una "
               "alerta por predicción de series[1:], pero devolvió {kind}.",
            en="`anomaly_alerts` must return a boolean array of shape ({n},), one alert per "
               "prediction of series[1:], but it returned {kind}.",
            n=len(series) - 1, kind=describe_kind(alerts)))
    return alerts


def alert_context(score: AlertScore) -> str:
    return say(
        es="En {k} series nuevas con {e} episodios anómalos, con predicciones ideales (sin "
           "anomalías), diste {a} alertas, {on} en pasos anómalos, y avisaste a tiempo (en el "
           "inicio o {lead} pasos después) de {c} episodios.",
        en="On {k} new series with {e} anomalous episodes, given ideal predictions (without "
           "anomalies), you raised {a} alerts, {on} on anomalous steps, and caught {c} "
           "episodes in time (at the onset or {lead} steps after).",
        k=ALERT_SERIES, e=score.episodes, a=score.alerts, on=score.on_anomalies, c=score.caught,
        lead=LEAD)


@pytest.mark.grades("anomaly_alerts", points=2)
def test_alerts_precision(student):
    score = score_alerts(student)
    if score.failure is not None:
        raise CheckFailed(score.failure)
    if score.precision < ALERT_PRECISION:
        raise CheckFailed(alert_context(score) + " " + say(
            es="Solo el {p:.0%} de tus alertas son anomalías; deben ser al menos el {need:.0%}. "
               "Alerta donde el error de predicción (series[1:] - predictions) es grande frente "
               "a su dispersión habitual (p. ej. más de 3.5 desviaciones robustas, con la "
               "mediana y la MAD), no donde la serie misma es alta o baja.",
            en="Only {p:.0%} of your alerts are anomalies; at least {need:.0%} must be. Alert "
               "where the prediction error (series[1:] - predictions) is large against its "
               "usual spread (e.g. above 3.5 robust deviations, from the median and the MAD), "
               "not where the series itself is high or low.",
            p=score.precision, need=ALERT_PRECISION))


@pytest.mark.grades("anomaly_alerts", points=2)
def test_alerts_recall_in_time(student):
    score = score_alerts(student)
    if score.failure is not None:
        raise CheckFailed(score.failure)
    if score.recall < ALERT_RECALL:
        raise CheckFailed(alert_context(score) + " " + say(
            es="Avisaste a tiempo del {r:.0%} de los episodios; debe ser al menos el {need:.0%}. "
               "Los episodios saltan hacia arriba o hacia abajo: mira el tamaño del error "
               "(su valor absoluto), no solo su signo, y un umbral que no sea demasiado alto.",
            en="You caught {r:.0%} of the episodes in time; at least {need:.0%} must be. "
               "Episodes jump up or down: look at the size of the error (its absolute value), "
               "not its sign only, with a threshold that is not too high.",
            r=score.recall, need=ALERT_RECALL))


@pytest.mark.grades("anomaly_alerts", points=1)
def test_alerts_leave_inputs_untouched(student):
    values, predictions, _ = alert_inputs()[0]
    expect_alerts(student.anomaly_alerts(values, predictions), values)
    expect_untouched(student, "anomaly_alerts")
