"""The typical mistakes of assignment "applications", each written once (see rnnkit.mistakes):
those of the character-level language model (its output layer, loss, training and sampling).

Inputs follow the student contract: hidden states h (T, H, N), scores (T, V, N), targets y
(T, N) int, mask (T, N) bool, one-hot inputs x (T, V, N), h0 (H, N), params with the RNN's
W_xh (H, V), W_hh (H, H), b_h (H, 1) and the output layer's W_hy (V, H), b_y (V, 1). A mistake
takes the inputs of the function it spoils, in the student's order, and gives:

- output_forward ``(h, W_hy, b_y)``: the wrong scores;
- softmax_loss ``(scores, y, mask)``: a dict with "loss" and "dscores", those it changes;
- output_backward ``(dscores, h, W_hy)``: a dict with "dh", "dW_hy", "db_y", those it changes;
- char_lm_loss ``(x, y, mask, h0, params)``: a dict with "loss" and the gradients by parameter
  name ("W_xh", ..., "b_y"), those it changes;
- train_char_lm ``(x, y, mask, params, steps, learning_rate, max_norm)``: the losses, one per
  step, that the mistaken training reports (the hidden suite runs a few steps of it: they tell
  the mistake, however long the student's training ran);
- sample_chars ``(params, first_index, drawn)``: what a sampler drawing ``drawn`` (an int
  array (L,)) with this mistake drew each character from: an array (L, V) whose row t is that
  distribution, given the characters drawn before it. Samples cannot be compared with
  values; the hidden suite and the public check ask which distributions the draws fit
  (:func:`draws_fit`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

from rnnkit.compare import close
from rnnkit.mistakes import Mistake, MistakeBook

Array = np.ndarray
Params = Mapping[str, Array]

LOSS = "loss = −(1/N) Σ_{t,n} mask[t, n] · log p[t, y[t, n], n]"

BINS = 10
MAX_CHI2 = 40.0  # 10 bins, 9 degrees of freedom: a right sampler exceeds 40 with P ≈ 1e-5
MAX_Z = 5.0
FIT_SEED = 2034  # the draws that randomise the probability integral transform


def draws_fit(drawn: Array, q: Array) -> bool:
    """Whether the characters ``drawn`` (L,) fit the distributions ``q`` (L, V) they should have
    been drawn from, row t given the characters drawn before t, whatever way of drawing was
    used.

    Two tests, each failed by a right sampler with a probability of about 1e-5: the randomised
    probability integral transforms u_t = F_t(drawn_t − 1) + w_t · q_t(drawn_t), w_t uniform,
    which are independent and uniform on [0, 1) exactly when each draw follows its row, must
    fill BINS equal bins evenly (chi-square ≤ MAX_CHI2); and the total surprise
    −Σ_t log q_t(drawn_t) must be within MAX_Z standard deviations of its expectation, the sum
    of the rows' entropies. A draw of probability 0 fails at once.
    """
    rows = np.arange(len(drawn))
    chance = q[rows, drawn]
    if np.any(chance <= 1e-12):
        return False
    below = np.cumsum(q, axis=1)[rows, drawn] - chance
    u = below + np.random.default_rng(FIT_SEED).random(len(drawn)) * chance
    counts = np.bincount(np.minimum((u * BINS).astype(int), BINS - 1), minlength=BINS)
    expected = len(drawn) / BINS
    chi2 = float(np.sum((counts - expected) ** 2) / expected)
    log_q = np.log(np.where(q > 0, q, 1.0))
    entropy = -np.sum(q * log_q, axis=1)
    spread = float(np.sqrt(np.sum(np.sum(q * log_q**2, axis=1) - entropy**2)))
    excess = float(np.sum(-np.log(chance) - entropy))
    z = excess / spread if spread > 1e-12 else (0.0 if abs(excess) < 1e-9 else np.inf)
    return chi2 <= MAX_CHI2 and abs(z) <= MAX_Z


class Oracle(Protocol):
    """The right computations of the language model that the mistakes below depart from."""

    def probabilities(self, scores: Array, axis: int = 1) -> Array:
        """The softmax of ``scores`` along ``axis`` (1, the vocabulary, is the right one)."""

    def states(self, x: Array, h0: Array, params: Params) -> Array:
        """h (T, H, N): the RNN's states h_1 … h_T from h0."""

    def rnn_grads(self, dh: Array, x: Array, h0: Array, params: Params) -> dict[str, Array]:
        """The gradients of sum(h * dh), h = states(x, h0, params), with respect to W_xh,
        W_hh and b_h (keyed by those names)."""

    def next_char_probabilities(self, params: Params, inputs: Array, *,
                                carry: bool = True) -> Array:
        """(L, V): row t is the model's distribution of the next character after reading
        inputs[0] … inputs[t] one-hot from h0 = 0; with ``carry`` False, every step starts
        again from h = 0."""

    def train_losses(self, x: Array, y: Array, mask: Array, params: Params, steps: int,
                     learning_rate: float, max_norm: float, *, direction: float = 1.0,
                     clip: str = "global") -> Array:
        """(steps,): the loss before each step of full-batch gradient descent from h0 = 0,
        p <- p - direction · learning_rate · grad, with the gradients clipped by their global
        norm ("global"), entry by entry to [-max_norm, max_norm] ("entries"), or not
        ("none")."""


# ---------------------------------------------------------------------------------- helpers

def _scores(h: Array, W_hy: Array, b_y: Array) -> Array:
    return W_hy @ h + b_y


def _loss(o: Oracle, scores: Array, y: Array, mask: Array, *, axis: int = 1,
          divisor: float | None = None, masked_loss: bool = True, masked_grad: bool = True,
          target: bool = True, sign: float = 1.0) -> dict[str, Array]:
    """softmax_loss with knobs: the softmax along ``axis``; loss and gradient divided by
    ``divisor`` (None: N); padding counted in the loss or the gradient; the target's −1 in the
    gradient; the gradient's sign."""
    N = scores.shape[2]
    divisor = N if divisor is None else divisor
    p = o.probabilities(scores, axis)
    right = np.arange(scores.shape[1])[None, :, None] == y[:, None, :]
    kept = mask[:, None, :].astype(float)
    everywhere = np.ones_like(kept)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_p = np.log(p)
        loss = -np.sum(np.where(right, log_p, 0.0) * (kept if masked_loss else everywhere))
    dscores = sign * (p - right * float(target)) * (kept if masked_grad else everywhere)
    return {"loss": np.asarray(loss / divisor), "dscores": dscores / divisor}


def _char_lm(o: Oracle, x: Array, y: Array, mask: Array, h0: Array, p: Params, *,
             only_last_dh: bool = False) -> dict[str, Array]:
    """char_lm_loss's loss and gradients, from h0, with ``only_last_dh``: rnn_backward
    receives the output layer's gradient into the last state only."""
    h = o.states(x, h0, p)
    made = _loss(o, _scores(h, p["W_hy"], p["b_y"]), y, mask)
    dscores = made["dscores"]
    dh = p["W_hy"].T @ dscores
    if only_last_dh:
        dh = np.concatenate((np.zeros_like(dh[:-1]), dh[-1:]))
    return {"loss": made["loss"], **o.rnn_grads(dh, x, h0, p),
            "W_hy": np.einsum("tvn,thn->vh", dscores, h),
            "b_y": dscores.sum(axis=(0, 2))[:, None]}


def _one_hot(indices: Array, V: int) -> Array:
    return (np.asarray(indices)[:, None] == np.arange(V)[None, :]).astype(float)


def _drawn_from(o: Oracle, p: Params, first_index: int, drawn: Array, *,
                carry: bool = True, fed: str = "drawn") -> Array:
    """The distributions a sampler drew ``drawn`` from, reading first_index and then what
    ``fed`` says: "drawn" (each character drawn), "first" (first_index every time)."""
    inputs = [first_index, *drawn[:-1]] if fed == "drawn" else [first_index] * len(drawn)
    return o.next_char_probabilities(p, np.asarray(inputs, dtype=np.int64), carry=carry)


# -------------------------------------------------------------------------- output_forward

_OUTPUT_FORWARD = [
    Mistake(
        "output_forward.no_bias", "output_forward",
        es="falta sumar el sesgo b_y: scores[t] = W_hy h[t] + b_y.",
        en="the bias b_y is missing: scores[t] = W_hy h[t] + b_y.",
        wrong=lambda o, h, W_hy, b_y: W_hy @ h),
    Mistake(
        "output_forward.softmax", "output_forward",
        es="devuelves probabilidades: output_forward da las puntuaciones W_hy h[t] + b_y, sin "
           "normalizar; la softmax la aplica softmax_loss (y sample_chars).",
        en="you return probabilities: output_forward gives the scores W_hy h[t] + b_y, "
           "unnormalised; softmax_loss (and sample_chars) apply the softmax.",
        wrong=lambda o, h, W_hy, b_y: o.probabilities(_scores(h, W_hy, b_y))),
    Mistake(
        "output_forward.tanh", "output_forward",
        es="aplicas tanh a las puntuaciones: la capa de salida es lineal, W_hy h[t] + b_y; la "
           "única no linealidad que sigue es la softmax de la pérdida.",
        en="you apply tanh to the scores: the output layer is linear, W_hy h[t] + b_y; the "
           "only nonlinearity after it is the loss's softmax.",
        wrong=lambda o, h, W_hy, b_y: np.tanh(_scores(h, W_hy, b_y))),
]


# ---------------------------------------------------------------------------- softmax_loss

_SOFTMAX_LOSS = [
    Mistake(
        "softmax_loss.no_mask", "softmax_loss",
        es="cuentas también los pasos de relleno (mask False), que siguen al final de cada "
           f"palabra: multiplica por la máscara, {LOSS}, y dscores es cero allí.",
        en="you also count the padding steps (mask False) that follow the end of each word: "
           f"multiply by the mask, {LOSS}, and dscores is zero there.",
        wrong=lambda o, s, y, m: _loss(o, s, y, m, masked_loss=False, masked_grad=False)),
    Mistake(
        "softmax_loss.mean_over_characters", "softmax_loss",
        es="divides entre el número de caracteres reales (mask.sum()); la pérdida se suma en "
           f"el tiempo y se promedia en el lote: divide entre N, {LOSS}.",
        en="you divide by the number of real characters (mask.sum()); the loss is summed over "
           f"time and averaged over the batch: divide by N, {LOSS}.",
        wrong=lambda o, s, y, m: _loss(o, s, y, m, divisor=float(m.sum()))),
    Mistake(
        "softmax_loss.no_batch_average", "softmax_loss",
        es=f"falta dividir entre N, el tamaño del lote: {LOSS}; dscores se divide igual.",
        en=f"the division by N, the batch size, is missing: {LOSS}; dscores is divided too.",
        wrong=lambda o, s, y, m: _loss(o, s, y, m, divisor=1.0)),
    Mistake(
        "softmax_loss.softmax_over_time", "softmax_loss",
        es="la softmax normaliza el eje 0, el del tiempo; las puntuaciones son (T, V, N) y cada "
           "distribución recorre el vocabulario, el eje 1: p = exp(s) / exp(s).sum(axis=1, "
           "keepdims=True).",
        en="the softmax normalises axis 0, time; the scores are (T, V, N) and each "
           "distribution runs over the vocabulary, axis 1: p = exp(s) / exp(s).sum(axis=1, "
           "keepdims=True).",
        wrong=lambda o, s, y, m: _loss(o, s, y, m, axis=0)),
    Mistake(
        "softmax_loss.dscores_without_target", "softmax_loss",
        es="a dscores le falta restar 1 en el carácter correcto: dscores = (p − onehot(y)) · "
           "mask / N.",
        en="dscores is missing the −1 at the right character: dscores = (p − onehot(y)) · "
           "mask / N.",
        wrong=lambda o, s, y, m: {"dscores": _loss(o, s, y, m, target=False)["dscores"]}),
    Mistake(
        "softmax_loss.dscores_sign", "softmax_loss",
        es="dscores tiene el signo cambiado: la pérdida baja al subir la puntuación del carácter "
           "correcto, así que dscores = (p − onehot(y)) · mask / N.",
        en="dscores has the wrong sign: the loss goes down as the right character's score goes "
           "up, so dscores = (p − onehot(y)) · mask / N.",
        wrong=lambda o, s, y, m: {"dscores": _loss(o, s, y, m, sign=-1.0)["dscores"]}),
    Mistake(
        "softmax_loss.dscores_not_averaged", "softmax_loss",
        es="dscores es N veces mayor: la pérdida se divide entre N, y su gradiente también.",
        en="dscores is N times too large: the loss is divided by N, and so is its gradient.",
        wrong=lambda o, s, y, m: {"dscores": _loss(o, s, y, m, divisor=1.0)["dscores"]}),
    Mistake(
        "softmax_loss.dscores_on_padding", "softmax_loss",
        es="dscores no es cero en el relleno (mask False): esos pasos no cuentan en la pérdida, "
           "así que multiplica el gradiente también por la máscara.",
        en="dscores is not zero on padding (mask False): those steps do not count in the loss, "
           "so multiply the gradient by the mask too.",
        wrong=lambda o, s, y, m: {"dscores": _loss(o, s, y, m, masked_grad=False)["dscores"]}),
]


# ------------------------------------------------------------------------- output_backward

def _output_grads(dscores: Array, h: Array) -> dict[str, Array]:
    return {"dW_hy": np.einsum("tvn,thn->vh", dscores, h),
            "db_y": dscores.sum(axis=(0, 2))[:, None]}


_OUTPUT_BACKWARD = [
    Mistake(
        "output_backward.assigns_param_grads", "output_backward",
        es="dW_hy y db_y solo tienen la contribución del último paso: asignas en cada paso en "
           "vez de acumular (+=); W_hy y b_y se comparten en el tiempo, así que sus gradientes "
           "suman todos los pasos.",
        en="dW_hy and db_y hold the last step's contribution alone: you assign at each step "
           "instead of accumulating (+=); W_hy and b_y are shared over time, so their "
           "gradients add up every step.",
        wrong=lambda o, ds, h, W_hy: _output_grads(ds[-1:], h[-1:])),
    Mistake(
        "output_backward.bias_averaged", "output_backward",
        es="promedias db_y sobre el lote: b_y se suma a cada ejemplo de cada paso, así que "
           "db_y = dscores.sum(axis=(0, 2)) con forma (V, 1).",
        en="you average db_y over the batch: b_y is added to every example at every step, so "
           "db_y = dscores.sum(axis=(0, 2)), shaped (V, 1).",
        wrong=lambda o, ds, h, W_hy: {"db_y": ds.sum(axis=0).mean(axis=1, keepdims=True)}),
    Mistake(
        "output_backward.dh_only_last_step", "output_backward",
        es="dh solo llega al último estado: cada paso tiene su salida, así que dh[t] = "
           "W_hyᵀ dscores[t] en todos los pasos (es muchos a muchos, no muchos a uno).",
        en="dh reaches the last state alone: every step has its output, so dh[t] = "
           "W_hyᵀ dscores[t] at every step (this is many-to-many, not many-to-one).",
        wrong=lambda o, ds, h, W_hy: {"dh": np.concatenate(
            (np.zeros_like(h[:-1]), W_hy.T @ ds[-1:]))}),
]


# ---------------------------------------------------------------------------- char_lm_loss

_CHAR_LM_LOSS = [
    Mistake(
        "char_lm_loss.only_last_dh", "char_lm_loss",
        es="a rnn_backward solo le pasas el gradiente del último estado: en un modelo de "
           "lenguaje cada paso tiene su salida, así que pásale todo dh (T, H, N), el que da "
           "output_backward.",
        en="you pass rnn_backward the gradient of the last state alone: in a language model "
           "every step has its output, so pass it all of dh (T, H, N), as output_backward "
           "gives it.",
        wrong=lambda o, x, y, m, h0, p: _char_lm(o, x, y, m, h0, p, only_last_dh=True)),
    Mistake(
        "char_lm_loss.ignores_h0", "char_lm_loss",
        es="ignora h0: la red empieza desde ceros en vez del estado inicial dado; pásale h0 a "
           "rnn_forward.",
        en="it ignores h0: the network starts from zeros instead of the given initial state; "
           "pass h0 to rnn_forward.",
        wrong=lambda o, x, y, m, h0, p: _char_lm(o, x, y, m, np.zeros_like(h0), p)),
]


# --------------------------------------------------------------------------- train_char_lm

_TRAIN_CHAR_LM = [
    Mistake(
        "train_char_lm.no_clipping", "train_char_lm",
        es="no recortas los gradientes: con esta tasa de aprendizaje un paso sin recortar "
           "salta demasiado lejos y la pérdida se dispara; pasa los gradientes por "
           "clip_gradients(grads, max_norm) antes de cada paso.",
        en="you do not clip the gradients: at this learning rate an unclipped step jumps too "
           "far and the loss blows up; pass the gradients through "
           "clip_gradients(grads, max_norm) before every step.",
        wrong=lambda o, x, y, m, p, steps, lr, c: o.train_losses(x, y, m, p, steps, lr, c,
                                                                 clip="none")),
    Mistake(
        "train_char_lm.clips_entries", "train_char_lm",
        es="recortas cada entrada del gradiente por separado (np.clip): eso cambia su "
           "dirección; clip_gradients escala todos los gradientes por un mismo factor, según "
           "su norma global.",
        en="you clip each entry of the gradient on its own (np.clip): that changes its "
           "direction; clip_gradients scales all the gradients by one factor, from their "
           "global norm.",
        wrong=lambda o, x, y, m, p, steps, lr, c: o.train_losses(x, y, m, p, steps, lr, c,
                                                                 clip="entries")),
    Mistake(
        "train_char_lm.gradient_ascent", "train_char_lm",
        es="la pérdida sube: mueves los parámetros a favor del gradiente; el descenso va en "
           "contra, p ← p − learning_rate · grad.",
        en="the loss goes up: you move the parameters along the gradient; descent goes "
           "against it, p ← p − learning_rate · grad.",
        wrong=lambda o, x, y, m, p, steps, lr, c: o.train_losses(x, y, m, p, steps, lr, c,
                                                                 direction=-1.0)),
    Mistake(
        "train_char_lm.no_update", "train_char_lm",
        es="la pérdida no cambia de un paso a otro: los parámetros no se actualizan (¿guardas "
           "el resultado de p − learning_rate · grad en el diccionario que usa el paso "
           "siguiente?).",
        en="the loss does not change from one step to the next: the parameters are not "
           "updated (do you store p − learning_rate · grad in the dict the next step uses?).",
        wrong=lambda o, x, y, m, p, steps, lr, c: o.train_losses(x, y, m, p, steps, lr, c,
                                                                 direction=0.0)),
]


# ---------------------------------------------------------------------------- sample_chars

def _argmax_of(o: Oracle, p: Params, first_index: int, drawn: Array) -> Array:
    right = _drawn_from(o, p, first_index, drawn)
    return _one_hot(right.argmax(axis=1), right.shape[1])


def _first_returned(o: Oracle, p: Params, first_index: int, drawn: Array) -> Array:
    """drawn[0] is first_index itself, and each later character is drawn after reading all
    the ones before it."""
    V = p["W_hy"].shape[0]
    later = o.next_char_probabilities(p, np.asarray(drawn[:-1], dtype=np.int64))
    return np.concatenate((_one_hot([first_index], V), later))


_SAMPLE_CHARS = [
    Mistake(
        "sample_chars.argmax", "sample_chars",
        es="siempre tomas el carácter más probable (argmax): así el modelo escribe siempre lo "
           "mismo; muestrear es sortear cada carácter con su probabilidad, p. ej. "
           "rng.choice(V, p=p).",
        en="you always take the most likely character (argmax): the model then always writes "
           "the same; sampling draws each character with its probability, e.g. "
           "rng.choice(V, p=p).",
        wrong=_argmax_of),
    Mistake(
        "sample_chars.not_fed_back", "sample_chars",
        es="no realimentas la muestra: lees first_index en cada paso; la entrada del paso "
           "siguiente es el carácter que acabas de sortear (uno a muchos).",
        en="you do not feed the sample back: you read first_index at every step; the next "
           "step's input is the character you just drew (one-to-many).",
        wrong=lambda o, p, first, drawn: _drawn_from(o, p, first, drawn, fed="first")),
    Mistake(
        "sample_chars.resets_state", "sample_chars",
        es="cada paso empieza otra vez desde h = 0: el estado oculto debe pasar de un paso al "
           "siguiente, que es lo que le da memoria de todo lo escrito.",
        en="every step starts again from h = 0: the hidden state must go on from one step to "
           "the next, which is what remembers all that was written.",
        wrong=lambda o, p, first, drawn: _drawn_from(o, p, first, drawn, carry=False)),
    Mistake(
        "sample_chars.returns_first_index", "sample_chars",
        es="el primer carácter que devuelves es first_index, el que se lee: devuelve solo los "
           "length caracteres sorteados.",
        en="the first character you return is first_index, the one read: return the length "
           "characters drawn only.",
        wrong=_first_returned),
]

MISTAKES = MistakeBook([
    *_OUTPUT_FORWARD,
    *_SOFTMAX_LOSS,
    *_OUTPUT_BACKWARD,
    *_CHAR_LM_LOSS,
    *_TRAIN_CHAR_LM,
    *_SAMPLE_CHARS,
])


# ------------------------------------------------------- naming a mistake that is not a value

TELLING_STEPS = 5  # the first losses of a training that tell its known mistake


def training_mistake(oracle: Oracle, losses: object, x: Array, y: Array, mask: Array,
                     params: Params, learning_rate: float, max_norm: float) -> str | None:
    """The message of the known training mistake whose first TELLING_STEPS losses the
    student's ``losses`` (what train_char_lm returned, anything) repeat, on the training it was
    given (x, y, mask, params, learning_rate, max_norm); None when they are the right ones,
    or no mistake's."""
    try:
        first = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        return None
    if first.ndim != 1 or len(first) < TELLING_STEPS:
        return None
    first = first[:TELLING_STEPS]
    args = (x, y, mask, params, TELLING_STEPS, learning_rate, max_norm)
    if close(first, oracle.train_losses(*args)):
        return None
    return next((message for value, message in MISTAKES.variants("train_char_lm", oracle, *args)
                 if close(first, value)), None)


def sampling_mistake(oracle: Oracle, params: Params, samples: list[tuple[int, Array]],
                     keep: slice = slice(None)) -> str | None:
    """Whether the characters ``keep`` of the samples (first_index, drawn) fit the model's
    distributions along them (:func:`draws_fit`): None when they do, else the message of the
    known mistake whose distributions they fit, or "" for none."""
    def fit(rows: Callable[[int, Array], Array]) -> bool:
        return draws_fit(np.concatenate([drawn[keep] for _, drawn in samples]),
                         np.concatenate([rows(first, drawn)[keep] for first, drawn in samples]))

    if fit(lambda first, drawn: _drawn_from(oracle, params, first, drawn)):
        return None
    return next((mistake.message for mistake in MISTAKES.of("sample_chars")
                 if fit(lambda first, drawn, m=mistake: m.wrong(oracle, params, first, drawn))),
                "")
