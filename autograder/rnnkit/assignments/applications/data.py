"""Data of assignment "applications", made by the kit: small, offline, deterministic from a seed.

Every generator takes a ``seed`` and draws only from ``np.random.default_rng(seed)``, so the
same seed gives the same data on every machine. numpy and the standard library only: students
get this module in the wheel and the notebook imports it.

- :func:`reviews`: review sentences (Spanish or English) labelled positive / negative. A quarter
  are plain ("la película fue muy divertida"); the rest hinge on contrast and negation ("el
  concierto fue aburrido al principio pero luego emocionante", "me dijeron que la obra sería
  lenta y no lo fue"). Those come in twins with the same words in another order and the
  opposite label, so every bag of words has both labels equally often: averaged word vectors
  (the CBOW idea) cannot beat chance on them, a model that reads in order can.
- :func:`agreement`: a subject ("la reina"), a gap of a chosen number of words holding a person
  of the other gender ("que vivía con el rey en el castillo"), then the verb ("era"). The label
  is the gender the next word must agree with, the subject's. Twins again: subject and
  attractor swapped, same bag of words, opposite label.
- :func:`place_names`: real Spanish place names for a character-level language model, with
  :func:`split_words`, :class:`CharVocabulary`, :func:`encode_words` and :func:`decode`.
- :class:`WordVocabulary` and :func:`encode_texts`: word ids for the torch classifiers.
- :func:`index_series`: an index-like series (trend, weekly seasonality, autocorrelated noise)
  with injected anomalies and their ground truth.

Words are lower case without punctuation: a text is its words joined by single spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

LANGUAGES = ("es", "en")
KINDS = ("plain", "contrast", "negation", "contrast_negation")
NEGATIVE, POSITIVE = 0, 1
MASCULINE, FEMININE = 0, 1
END = "."  # end of a word in the character model, also its first input
PAD, UNK = "<pad>", "<unk>"
MIN_GAP, MAX_GAP = 3, 40


@dataclass(frozen=True, eq=False)
class Sentences:
    """Labelled sentences.

    - texts: N strings, lower-case words separated by single spaces
    - labels: (N,) int64; reviews: 1 positive, 0 negative; agreement: 1 feminine, 0 masculine
    - kinds: N strings; reviews: one of KINDS; agreement: the gap, e.g. "7"
    """

    texts: list[str]
    labels: np.ndarray
    kinds: list[str]


@dataclass(frozen=True, eq=False)
class Series:
    """An index-like series with injected anomalies.

    - values: (L,) float64, the series
    - anomalous: (L,) bool, True on the steps of an injected episode
    - onsets: the first step of each episode, increasing
    - expected: (L,) float64, the best one-step forecast of values[t] from values[:t] had there
      been no anomalies (clean component plus the predictable part of the noise):
      values - expected is white noise of standard deviation ``INDEX_NOISE`` on normal steps.
    """

    values: np.ndarray
    anomalous: np.ndarray
    onsets: list[int]
    expected: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, eq=False)
class CharVocabulary:
    """Characters of a character-level model; chars[0] is END (".")."""

    chars: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.chars)


@dataclass(frozen=True, eq=False)
class WordVocabulary:
    """Words of a word-level model; words[0] is PAD ("<pad>"), words[1] is UNK ("<unk>")."""

    words: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


class _Draws:
    """Uniform draws from a numpy Generator fetched in blocks, so that picking one word at a
    time from Python stays fast (a few thousand sentences in a few milliseconds)."""

    def __init__(self, rng: np.random.Generator, block: int = 4096) -> None:
        self._rng = rng
        self._block = block
        self._uniforms: list[float] = []
        self._next = 0

    def below(self, k: int) -> int:
        """A uniform integer in [0, k)."""
        if self._next == len(self._uniforms):
            self._uniforms = self._rng.random(self._block).tolist()
            self._next = 0
        u = self._uniforms[self._next]
        self._next += 1
        return min(int(u * k), k - 1)

    def pick(self, options: Sequence):
        return options[self.below(len(options))]


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (how many sentences), got {n!r}")


# ----------------------------------------------------------------------------------------------
# Reviews
# ----------------------------------------------------------------------------------------------
# A template is ("plain", t), ("swap", t) or ("move", t_after, t_before).
# - plain: one adjective {A}; the label is its polarity.
# - swap: adjectives {A} then {B} of opposite polarities; the label is the polarity of {B}, the
#   one the sentence ends on; the twin swaps them.
# - move: one adjective {a}; t_after negates after it (label: the opposite of its polarity),
#   t_before negates before it (label: its polarity); each is the other's twin.
# {A}, {B} carry an optional modifier ("muy"), {a}, {b} do not. {el} and {un} are the articles
# of the noun's gender.
_REVIEWS = {
    "es": {
        "subjects": (("película", FEMININE), ("concierto", MASCULINE), ("obra", FEMININE),
                     ("libro", MASCULINE), ("serie", FEMININE), ("partido", MASCULINE),
                     ("novela", FEMININE), ("viaje", MASCULINE), ("clase", FEMININE),
                     ("documental", MASCULINE)),
        "articles": {MASCULINE: {"el": "el", "un": "un"}, FEMININE: {"el": "la", "un": "una"}},
        # (masculine, feminine) forms
        POSITIVE: (("emocionante", "emocionante"), ("divertido", "divertida"),
                   ("genial", "genial"), ("entretenido", "entretenida"),
                   ("precioso", "preciosa"), ("brillante", "brillante")),
        NEGATIVE: (("aburrido", "aburrida"), ("lento", "lenta"), ("pesado", "pesada"),
                   ("tedioso", "tediosa"), ("horrible", "horrible"), ("flojo", "floja")),
        "modifiers": ("", "", "muy ", "bastante ", "realmente "),
        "ungradable": ("genial", "horrible"),  # never with a modifier: "muy genial" jars
        "plain": (("plain", "{el} {noun} fue {A}"),
                  ("plain", "{el} {noun} me pareció {A}"),
                  ("plain", "qué {noun} tan {a}"),
                  ("plain", "me pareció {un} {noun} {A}")),
        "contrast": (("swap", "{el} {noun} fue {A} al principio pero luego {B}"),
                     ("swap", "al principio {el} {noun} era {A} pero al final fue {B}"),
                     ("swap", "{el} {noun} empezó {a} y terminó {b}"),
                     ("swap", "{el} {noun} parecía {A} pero resultó {B}")),
        "negation": (("swap", "{el} {noun} no fue {a} sino {b}"),
                     ("move", "me dijeron que {el} {noun} sería {a} y no lo fue",
                      "me dijeron que {el} {noun} no sería {a} y lo fue")),
        "contrast_negation": (("move", "al principio {el} {noun} era {a} pero luego no lo fue",
                               "al principio {el} {noun} no era {a} pero luego lo fue"),
                              ("move", "{el} {noun} parecía {a} pero no lo era",
                               "{el} {noun} no parecía {a} pero lo era"),
                              ("move", "pensé que {el} {noun} sería {a} pero no lo fue",
                               "pensé que {el} {noun} no sería {a} pero lo fue")),
    },
    "en": {
        "subjects": (("film", MASCULINE), ("concert", MASCULINE), ("play", MASCULINE),
                     ("book", MASCULINE), ("series", MASCULINE), ("match", MASCULINE),
                     ("novel", MASCULINE), ("trip", MASCULINE), ("class", MASCULINE),
                     ("documentary", MASCULINE)),
        # English nouns have no gender: every subject uses the one entry
        "articles": {MASCULINE: {"el": "the", "un": "a"}},
        POSITIVE: (("exciting",) * 2, ("fun",) * 2, ("brilliant",) * 2, ("gripping",) * 2,
                   ("wonderful",) * 2, ("moving",) * 2),
        NEGATIVE: (("boring",) * 2, ("slow",) * 2, ("dull",) * 2, ("tedious",) * 2,
                   ("awful",) * 2, ("tiring",) * 2),
        "modifiers": ("", "", "very ", "quite ", "really "),
        "ungradable": ("brilliant", "wonderful", "awful", "fun"),
        "plain": (("plain", "the {noun} was {A}"),
                  ("plain", "i found the {noun} {A}"),
                  ("plain", "the {noun} felt {A}"),
                  ("plain", "to me the {noun} seemed {A}")),
        "contrast": (("swap", "the {noun} was {A} at first but then {B}"),
                     ("swap", "at first the {noun} was {A} but in the end it was {B}"),
                     ("swap", "the {noun} started {a} and ended {b}"),
                     ("swap", "the {noun} seemed {A} but turned out to be {B}")),
        "negation": (("swap", "the {noun} was not {a} but {b}"),
                     ("move", "they told me the {noun} would be {a} and it was not",
                      "they told me the {noun} would not be {a} and it was")),
        "contrast_negation": (("move", "at first the {noun} was {a} but later it was not",
                               "at first the {noun} was not {a} but later it was"),
                              ("move", "i thought the {noun} would be {a} but it was not",
                               "i thought the {noun} would not be {a} but it was")),
    },
}


def review_polarity(language: str = "es") -> dict[str, int]:
    """The sentiment words of :func:`reviews`: every form of every adjective -> POSITIVE (1) or
    NEGATIVE (0)."""
    _check_language(language)
    lexicon = _REVIEWS[language]
    return {form: polarity for polarity in (POSITIVE, NEGATIVE)
            for forms in lexicon[polarity] for form in forms}


def _adjective(lexicon: dict, polarity: int, gender: int, draws: _Draws) -> tuple[str, str]:
    """(bare form, form with a modifier) of a random adjective of that polarity."""
    form = draws.pick(lexicon[polarity])[gender]
    modifier = draws.pick(lexicon["modifiers"])
    return form, form if form in lexicon["ungradable"] else modifier + form


def _review_pair(kind: str, lexicon: dict, draws: _Draws) -> list[tuple[str, int]]:
    """Two (text, label) of one kind, one per label; twins (same words) unless plain."""
    if kind == "plain":
        return [_plain_review(lexicon, polarity, draws) for polarity in (POSITIVE, NEGATIVE)]
    noun, gender = draws.pick(lexicon["subjects"])
    words = {"noun": noun, **lexicon["articles"][gender]}
    template = draws.pick(lexicon[kind])
    polarity = draws.below(2)
    a, a_modified = _adjective(lexicon, polarity, gender, draws)
    if template[0] == "move":
        _, negated_after, negated_before = template
        return [(negated_after.format(a=a, **words), 1 - polarity),
                (negated_before.format(a=a, **words), polarity)]
    b, b_modified = _adjective(lexicon, 1 - polarity, gender, draws)
    text = template[1]
    return [(text.format(A=a_modified, a=a, B=b_modified, b=b, **words), 1 - polarity),
            (text.format(A=b_modified, a=b, B=a_modified, b=a, **words), polarity)]


def _plain_review(lexicon: dict, polarity: int, draws: _Draws) -> tuple[str, int]:
    noun, gender = draws.pick(lexicon["subjects"])
    a, a_modified = _adjective(lexicon, polarity, gender, draws)
    _, template = draws.pick(lexicon["plain"])
    return template.format(noun=noun, A=a_modified, a=a, **lexicon["articles"][gender]), polarity


def _shuffled(pairs: list[tuple[str, int, str]], n: int, rng: np.random.Generator) -> Sentences:
    """The first n of the (text, label, kind) triples in a random order."""
    order = rng.permutation(len(pairs))[:n]
    return Sentences(texts=[pairs[i][0] for i in order],
                     labels=np.array([pairs[i][1] for i in order], dtype=np.int64),
                     kinds=[pairs[i][2] for i in order])


def reviews(n: int, seed: int, language: str = "es") -> Sentences:
    """Review sentences whose sentiment hinges on word order.

    Sentences are made in pairs of one kind, one positive and one negative, then shuffled:
    roughly a quarter of each kind of KINDS. Plain ones ("la serie fue muy entretenida") are
    solved by their adjective. The other kinds are twins, the same words in another order with
    the opposite label:

    - contrast: "el libro fue lento al principio pero luego emocionante" (positive) /
      "el libro fue emocionante al principio pero luego lento" (negative)
    - negation: "la obra no fue aburrida sino divertida" / "me dijeron que la clase sería
      pesada y no lo fue" (positive) / "... no sería pesada y lo fue" (negative)
    - contrast_negation: "el viaje parecía horrible pero no lo era" (positive) / "el viaje no
      parecía horrible pero lo era" (negative)

    so every bag of words of those kinds has both labels equally often (exactly, when n is
    even) and a bag-of-words classifier is at chance on them.

    Inputs:
    - n: number of sentences
    - seed: seed of np.random.default_rng
    - language: "es" or "en"

    Returns a Sentences:
    - texts: n strings
    - labels: (n,) int64, 1 positive, 0 negative; as many of each (one more of one if n is odd)
    - kinds: n strings of KINDS
    """
    _check_count(n)
    _check_language(language)
    rng = np.random.default_rng(seed)
    draws = _Draws(rng)
    lexicon = _REVIEWS[language]
    triples = []
    for _ in range((n + 1) // 2):
        kind = draws.pick(KINDS)
        triples.extend((text, label, kind) for text, label in _review_pair(kind, lexicon, draws))
    return _shuffled(triples, n, rng)


# ----------------------------------------------------------------------------------------------
# Agreement
# ----------------------------------------------------------------------------------------------
# A sentence: article + subject, the gap, then one verb. The gap is either
#   [who + verb + complements] [like + the + attractor (+ and + the + other)] [adverbs]
#   [who + verb + with + the + attractor (+ and + the + other) + complements] [adverbs]
# (outer and inner attractor). Complements, connectors ("y cantaba") and adverbs are indexed by
# their number of words so that any gap length can be filled exactly. Nothing in the gap
# depends on the subject's gender except the attractor, which has the other one. "The other"
# is a person of random gender, there whenever the gap has room: without it the person nearest
# the verb would always be the attractor, and "the opposite of the last person's gender" would
# solve the task with no memory of the subject.
_AGREEMENT = {
    "es": {
        # (masculine, feminine)
        "nouns": (("rey", "reina"), ("hermano", "hermana"), ("tío", "tía"), ("padre", "madre"),
                  ("abuelo", "abuela"), ("vecino", "vecina"), ("actor", "actriz"),
                  ("príncipe", "princesa"), ("profesor", "profesora"), ("médico", "médica"),
                  ("cocinero", "cocinera"), ("alcalde", "alcaldesa")),
        "articles": ("el", "la"),
        "relative": "que",
        "with": "con",
        "and": "y",
        "outer": ("según", "para", "como"),
        "with_verbs": ("vivía", "hablaba", "trabajaba", "bailaba", "viajaba", "cenaba",
                       "paseaba", "discutía", "soñaba", "jugaba"),
        "verbs": ("vivía", "trabajaba", "cantaba", "pintaba", "escribía", "enseñaba",
                  "cocinaba", "paseaba"),
        "complements": {
            1: ("allí", "antes", "mucho", "ahora"),
            2: ("en casa", "cada día", "sin prisa", "de noche", "en invierno", "cada verano",
                "y cantaba", "y cocinaba", "y escribía", "y pintaba"),
            3: ("en el pueblo", "cerca del río", "junto al mar", "en la costa", "todos los días",
                "desde hace años", "en el castillo", "en la ciudad", "en el puerto",
                "durante muchos años"),
            4: ("en la plaza mayor", "cerca de la estación", "al lado del mercado",
                "en el barrio viejo", "en una casa grande", "cerca de la catedral"),
        },
        "adverbs": {1: ("siempre", "entonces", "ya", "todavía"),
                    2: ("hace años", "por entonces", "sin duda", "de joven"),
                    3: ("en el fondo", "en aquella época", "a veces también")},
        "verbs_last": ("era", "parecía", "estaba"),
    },
    "en": {
        "nouns": (("king", "queen"), ("brother", "sister"), ("uncle", "aunt"),
                  ("father", "mother"), ("grandfather", "grandmother"), ("son", "daughter"),
                  ("nephew", "niece"), ("actor", "actress"), ("prince", "princess"),
                  ("waiter", "waitress"), ("husband", "wife"), ("boy", "girl")),
        "articles": ("the", "the"),
        "relative": "who",
        "with": "with",
        "and": "and",
        "outer": ("like", "unlike"),
        "with_verbs": ("lived", "worked", "danced", "travelled", "argued", "studied",
                       "played", "dined"),
        "verbs": ("lived", "worked", "sang", "painted", "wrote", "taught", "cooked",
                  "travelled"),
        "complements": {
            1: ("there", "abroad", "alone", "nearby", "happily"),
            2: ("at home", "every day", "at night", "in winter", "for years", "every summer",
                "and sang", "and cooked", "and wrote", "and painted"),
            3: ("in the village", "by the river", "near the sea", "on the coast",
                "in the castle", "in the city", "by the harbour", "all week long"),
            4: ("in the old town", "near the main square", "next to the market",
                "in a big house", "for many long years"),
        },
        "adverbs": {1: ("finally", "suddenly", "then", "quickly"),
                    2: ("at last", "that evening", "once again", "without hesitating"),
                    3: ("in the end", "after a while", "after some time")},
        # the next word is a possessive that can only be the subject's: "changed her mind",
        # "lost his temper", "shook her head"
        "verbs_last": ("changed", "lost", "shook", "raised", "kept"),
    },
}


def noun_genders(language: str = "es") -> dict[str, int]:
    """The people of :func:`agreement`: noun -> MASCULINE (0) or FEMININE (1)."""
    _check_language(language)
    return {noun: gender for pair in _AGREEMENT[language]["nouns"]
            for gender, noun in enumerate(pair)}


def _gap_range(gap: int | tuple[int, int]) -> tuple[int, int]:
    low, high = (gap, gap) if np.ndim(gap) == 0 else tuple(gap)
    if not (MIN_GAP <= int(low) <= int(high) <= MAX_GAP):
        raise ValueError(f"gap must be an integer or a (low, high) pair with "
                         f"{MIN_GAP} <= low <= high <= {MAX_GAP}, got {gap!r}: the gap holds at "
                         f"least an attractor with its article and a preposition")
    return int(low), int(high)


def _words_of_length(length: int, pools: dict[int, tuple[str, ...]], draws: _Draws) -> list[str]:
    """Phrases from pools (indexed by their number of words: 1 to 4) adding up to `length`
    words, avoiding repeats while the pools allow it. One-word phrases ("allí") are used only
    for a length of 1: strung together they read badly."""
    if length == 1:
        return [draws.pick(pools[1])]
    words: list[str] = []
    used: set[str] = set()
    while length > 0:
        # sizes 2 to 4 that leave 0 or at least 2 words: any length >= 2 is reached
        size = draws.pick([s for s in (2, 3, 4) if s == length or length - s >= 2])
        phrase = draws.pick(pools[size])
        for _ in range(3):
            if phrase not in used:
                break
            phrase = draws.pick(pools[size])
        used.add(phrase)
        words.extend(phrase.split())
        length -= size
    return words


_ATTRACTOR = "<attractor>"  # where the attractor goes in a skeleton


def _skeleton(gap: int, lexicon: dict, draws: _Draws, taken: set[str]) -> list[str]:
    """The gap's words, with _ATTRACTOR (after the "<article>" placeholder) where the
    attractor goes; "the other" person is none of the `taken` nouns."""
    inner = gap >= 5 and draws.below(2) == 1
    people_words = 5 if inner else 3
    other = []
    if gap >= people_words + 3:
        other_gender = draws.below(2)
        noun = draws.pick([pair[other_gender] for pair in lexicon["nouns"]
                           if pair[other_gender] not in taken])
        other = [lexicon["and"], lexicon["articles"][other_gender], noun]
        people_words += 3
    # The outer style's relative clause ("que cantaba ...") needs 0 or at least 2 words.
    adverb_words = draws.pick([a for a in range(min(3, gap - people_words) + 1)
                               if inner or gap - people_words - a != 1])
    clause_words = gap - people_words - adverb_words
    if inner:
        words = [lexicon["relative"], draws.pick(lexicon["with_verbs"]), lexicon["with"],
                 "<article>", _ATTRACTOR, *other]
        words += _words_of_length(clause_words, lexicon["complements"], draws)
    else:
        words = []
        if clause_words:
            words = [lexicon["relative"], draws.pick(lexicon["verbs"])]
            words += _words_of_length(clause_words - 2, lexicon["complements"], draws)
        words += [draws.pick(lexicon["outer"]), "<article>", _ATTRACTOR, *other]
    adverbs = draws.pick(lexicon["adverbs"][adverb_words]).split() if adverb_words else []
    return words + adverbs


def _agreement_pair(gap: int, lexicon: dict, draws: _Draws) -> list[tuple[str, int]]:
    """Twins: the same words with subject and attractor swapped; labels 1 and 0."""
    pairs = lexicon["nouns"]
    masculine = draws.pick(pairs)[MASCULINE]
    feminine = draws.pick(pairs)[FEMININE]
    skeleton = _skeleton(gap, lexicon, draws, taken={masculine, feminine})
    verb = draws.pick(lexicon["verbs_last"])
    articles = lexicon["articles"]
    twins = []
    for subject, attractor, gender in ((feminine, masculine, FEMININE),
                                       (masculine, feminine, MASCULINE)):
        fill = {_ATTRACTOR: attractor, "<article>": articles[1 - gender]}
        gap_words = [fill.get(word, word) for word in skeleton]
        twins.append((" ".join([articles[gender], subject, *gap_words, verb]), gender))
    return twins


def agreement(n: int, gap: int | tuple[int, int], seed: int,
              language: str = "es") -> Sentences:
    """Sentences whose next word must agree in gender with a subject `gap` words back.

    "la reina que vivía con el rey en el castillo era" -> 1 (feminine: "... era sabia")
    "el rey que vivía con la reina en el castillo era" -> 0 (masculine: "... era sabio")
    English adjectives have no gender, so the English sentences stop before a possessive that
    must agree with the subject: "the queen who danced with the king at last shook" -> 1
    ("... her head").

    Words: the article and the subject (words 0 and 1), then exactly `gap` words holding at
    least one person of the other gender (the attractor, the trap of a short memory) and, when
    there is room (gap >= 6), right after it another person of random gender ("... con el rey y
    la vecina ..."), so that the person nearest the verb tells nothing; then one verb (the last
    word). Sentences come in twins, subject and attractor swapped, with opposite labels: a bag
    of words is at chance.

    Inputs:
    - n: number of sentences
    - gap: words between the subject and the verb, an int or a (low, high) pair drawn uniformly
      per twin pair; MIN_GAP (3) <= gap <= MAX_GAP (40)
    - seed: seed of np.random.default_rng
    - language: "es" or "en"

    Returns a Sentences:
    - texts: n strings of gap + 3 words
    - labels: (n,) int64, the subject's gender: 1 feminine, 0 masculine; as many of each (one
      more of one if n is odd)
    - kinds: n strings, the gap of each sentence ("7")
    """
    _check_count(n)
    _check_language(language)
    low, high = _gap_range(gap)
    rng = np.random.default_rng(seed)
    draws = _Draws(rng)
    lexicon = _AGREEMENT[language]
    triples = []
    for _ in range((n + 1) // 2):
        this_gap = low + draws.below(high - low + 1)
        triples.extend((text, label, str(this_gap))
                       for text, label in _agreement_pair(this_gap, lexicon, draws))
    return _shuffled(triples, n, rng)


# ----------------------------------------------------------------------------------------------
# Place names and the character-level model
# ----------------------------------------------------------------------------------------------
# Real Spanish places (public facts), one word each: provinces and cities, regions and comarcas,
# rivers, mountains, towns and islands.
_PLACE_NAMES = """
albacete alicante almería asturias ávila badajoz barcelona burgos cáceres cádiz cantabria
castellón córdoba cuenca girona granada guadalajara huelva huesca jaén león lleida lugo madrid
málaga murcia navarra ourense palencia pontevedra salamanca segovia sevilla soria tarragona
teruel toledo valencia valladolid zamora zaragoza ceuta melilla logroño pamplona bilbao oviedo
santander vitoria mérida gijón vigo tenerife mallorca menorca ibiza formentera lanzarote
fuerteventura andalucía aragón cataluña galicia extremadura castilla canarias baleares bierzo
alpujarra axarquía garrotxa ampurdán penedés maestrazgo somontano monegros ribagorza cerdaña
sanabria liébana valdeorras morrazo hurdes sobrarbe ebro tajo duero guadiana guadalquivir
júcar segura miño sil genil turia nervión bidasoa pisuerga esla tormes jarama henares
manzanares alberche tiétar jalón cinca segre llobregat tambre ulla navia nalón narcea sella
odiel guadalete guadalhorce almanzora cabriel mijares arlanza arlanzón carrión adaja eresma
huerva gállego arga zadorra najerilla matarraña guadalope francolí tordera pirineos gredos
guadarrama moncayo teide mulhacén veleta aneto montseny montserrat urbión aitana cazorla
somosierra ancares almanzor naranco ordesa getafe leganés móstoles alcorcón fuenlabrada parla
pinto valdemoro aranjuez chinchón navalcarnero torrejón coslada majadahonda pozuelo alcobendas
rascafría cercedilla buitrago elche orihuela alcoy benidorm denia jávea calpe altea elda petrer
villena novelda torrevieja gandía sagunto requena utiel játiva alcira sueca cullera burriana
vinaroz benicarló peñíscola morella segorbe lorca cartagena yecla jumilla caravaca cieza
mazarrón águilas totana écija carmona osuna utrera estepa lebrija marchena ronda marbella
antequera nerja fuengirola estepona mijas frigiliana loja guadix baza motril almuñécar órgiva
huéscar úbeda baeza linares andújar alcaudete martos bailén jerez algeciras tarifa chiclana
sanlúcar rota barbate conil vejer grazalema ubrique lucena cabra montilla priego baena moguer
lepe ayamonte aracena almonte níjar mojácar roquetas adra berja trujillo plasencia coria
guadalupe zafra llerena almendralejo olivenza hervás talavera illescas ocaña consuegra
tembleque madridejos oropesa almagro valdepeñas tomelloso daimiel puertollano almadén sigüenza
pastrana brihuega atienza tarancón belmonte huete alarcón hellín almansa villarrobledo
chinchilla alcaraz tobarra sepúlveda pedraza cuéllar riaza arévalo piedrahíta tordesillas
simancas peñafiel olmedo benavente fermoselle ledesma béjar candelario lerma covarrubias
briviesca oña astorga ponferrada sahagún bembibre riaño cacabelos sarria monforte ribadeo
mondoñedo chantada ferrol betanzos carballo muros noya padrón finisterre malpica camariñas
ortigueira cedeira bayona tuy cambados lalín celanova allariz verín ribadavia avilés llanes
ribadesella luarca cudillero mieres langreo pravia tineo laredo comillas potes reinosa
torrelavega suances santillana noja santoña getxo durango guernica bermeo lequeitio ondárroa
zarauz guetaria fuenterrabía irún tolosa azpeitia eibar mondragón laguardia estella olite tudela
tafalla sangüesa roncesvalles elizondo haro calahorra nájera ezcaray arnedo alfaro jaca
barbastro monzón fraga tarazona calatayud daroca alcañiz albarracín borja caspe benasque aínsa
ansó biescas figueras olot ripoll puigcerdá manresa igualada tarrasa sabadell badalona mataró
granollers sitges reus tortosa amposta cambrils salou falset valls montblanc cervera tárrega
balaguer solsona berga viella cadaqués palamós blanes lloret tossa begur pals besalú bañolas
mahón ciudadela sóller pollensa alcudia manacor inca felanich valldemosa arrecife teguise haría
corralejo güímar icod adeje arona agaete gáldar telde arucas tejeda mogán teror tazacorte
garachico hermigua vallehermoso valverde
"""


def place_names(language: str = "es") -> list[str]:
    """Real Spanish place names for a character-level language model.

    Towns, cities, provinces, regions, rivers, mountains and islands of Spain, lower-cased,
    one word each, letters only (accents and ñ included). Both languages get the same names.

    Inputs:
    - language: "es" or "en"

    Returns:
    - names: a list of more than 300 distinct strings, always in the same order
    """
    _check_language(language)
    return _PLACE_NAMES.split()


def split_words(words: Sequence[str], held_out: float,
                seed: int) -> tuple[list[str], list[str]]:
    """Split words at random into a training part and a held-out part.

    Inputs:
    - words: the words
    - held_out: the fraction held out, 0 < held_out < 1
    - seed: seed of np.random.default_rng

    Returns a tuple of:
    - training: the other words, in a random order
    - held: round(held_out * len(words)) words (at least 1), in a random order
    """
    if not 0 < held_out < 1:
        raise ValueError(f"held_out is the fraction of words held out, between 0 and 1 "
                         f"(excluded); got {held_out!r}")
    words = list(words)
    if len(words) < 2:
        raise ValueError(f"need at least 2 words to split, got {len(words)}")
    order = np.random.default_rng(seed).permutation(len(words))
    n_held = min(max(1, round(held_out * len(words))), len(words) - 1)
    return [words[i] for i in order[n_held:]], [words[i] for i in order[:n_held]]


def char_vocabulary(words: Iterable[str]) -> CharVocabulary:
    """The characters of some words, sorted after END (".") at index 0.

    Inputs:
    - words: strings without END

    Returns:
    - vocab: CharVocabulary with chars[0] == "." and every character of the words once
    """
    letters = set()
    for word in words:
        if END in word:
            raise ValueError(f"{word!r} contains {END!r}, the end-of-word marker: remove it")
        letters.update(word)
    return CharVocabulary(chars=(END, *sorted(letters)))


def _char_index(word: str, index: dict[str, int]) -> list[int]:
    try:
        return [index[char] for char in word]
    except KeyError as missing:
        raise ValueError(f"character {missing} of {word!r} is not in the vocabulary: build it "
                         f"with char_vocabulary from all the words") from None


def encode_words(words: Sequence[str],
                 vocab: CharVocabulary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Words as a padded batch for a character-level language model, columns as examples.

    Word n of length L_n is read in L_n + 1 steps: the input at step 0 is END, then its letters;
    the target at each step is the next character: its letters, then END. Steps after that are
    padding.

    Inputs:
    - words: N non-empty strings of the vocabulary's characters
    - vocab: CharVocabulary of V characters

    Returns a tuple of:
    - x: (T, V, N) float64, T = longest word + 1; x[t, :, n] one-hot of the input at step t
      (x[0] is END for every word), all zeros on padding
    - y: (T, N) int64, the index of the target at step t (0 on padding)
    - mask: (T, N) bool, True on the L_n + 1 real steps of word n, False on padding
    """
    if len(words) == 0 or min(len(word) for word in words) == 0:
        raise ValueError("encode_words needs at least one word and no empty word")
    index = {char: i for i, char in enumerate(vocab.chars)}
    if index.get(END) != 0:
        raise ValueError(f"the vocabulary must have {END!r} at index 0: use char_vocabulary")
    steps = max(len(word) for word in words) + 1
    x = np.zeros((steps, len(vocab.chars), len(words)))
    y = np.zeros((steps, len(words)), dtype=np.int64)
    mask = np.zeros((steps, len(words)), dtype=bool)
    for n, word in enumerate(words):
        letters = _char_index(word, index)
        inputs = [0, *letters]
        x[np.arange(len(inputs)), inputs, n] = 1.0
        y[:len(inputs), n] = [*letters, 0]
        mask[:len(inputs), n] = True
    return x, y, mask


def decode(indices: Iterable[int], vocab: CharVocabulary) -> str:
    """Characters of a sequence of indices, up to the first END (excluded).

    Inputs:
    - indices: ints in [0, V), e.g. y[:, n] of encode_words or what a sampler drew
    - vocab: CharVocabulary of V characters

    Returns:
    - word: the characters before the first index 0 (END), or all of them if there is none
    """
    chars = []
    for i in indices:
        i = int(i)
        if not 0 <= i < len(vocab.chars):
            raise ValueError(f"index {i} is outside the vocabulary of {len(vocab.chars)} "
                             f"characters (0 to {len(vocab.chars) - 1})")
        if i == 0:
            break
        chars.append(vocab.chars[i])
    return "".join(chars)


# ----------------------------------------------------------------------------------------------
# Word vocabularies
# ----------------------------------------------------------------------------------------------
def word_vocabulary(texts: Iterable[str]) -> WordVocabulary:
    """The words of some texts, sorted, after PAD (index 0) and UNK (index 1).

    Inputs:
    - texts: strings of words separated by spaces

    Returns:
    - vocab: WordVocabulary, words[0] == "<pad>", words[1] == "<unk>", then each word once
    """
    words = set()
    for text in texts:
        words.update(text.split())
    words -= {PAD, UNK}
    return WordVocabulary(words=(PAD, UNK, *sorted(words)))


def encode_texts(texts: Iterable[str], vocab: WordVocabulary) -> list[np.ndarray]:
    """Texts as word ids, one array per text (lengths vary; pad them for a batch).

    Inputs:
    - texts: N strings of words separated by spaces
    - vocab: WordVocabulary

    Returns:
    - ids: N int64 arrays, ids[n] of shape (L_n,) with L_n the number of words of text n;
      words not in the vocabulary get 1 (UNK)
    """
    index = {word: i for i, word in enumerate(vocab.words)}
    unknown = index.get(UNK, 1)
    return [np.array([index.get(word, unknown) for word in text.split()], dtype=np.int64)
            for text in texts]


# ----------------------------------------------------------------------------------------------
# Index-like series
# ----------------------------------------------------------------------------------------------
INDEX_LEVEL = 1000.0  # the series wanders around this level, like a stock index
INDEX_NOISE = 10.0  # standard deviation of the noise's innovations, the unpredictable part
NOISE_MEMORY = 0.6  # AR(1) coefficient of the noise: part of it can be forecast
WEEK = 7
ANOMALY_SIZE = (5.0, 8.0)  # size of an episode at its onset, in INDEX_NOISE units
ANOMALY_STEPS = (3, 10)  # length of an episode in steps, both included
QUIET_START = 0.1  # no episode starts in this first fraction of the series
SPACING = 15  # at least this many normal steps after an episode


def index_series(length: int, seed: int, anomalies: int = 4) -> Series:
    """A daily index-like series with injected anomalies and their ground truth.

    values = INDEX_LEVEL + drift + two slow cycles + weekly pattern + AR(1) noise + episodes.
    In INDEX_NOISE units (the noise's innovations): the drift moves 8 over the series, the
    cycles swing ±10 and ±5 and the weekly pattern has a standard deviation of 2, so the normal
    range is much wider than an episode: they stand out from the noise, not from the range. The
    AR(1) noise has memory NOISE_MEMORY. Each episode starts with a
    jump of 5 to 8 units up or down: a spike decaying back over 3 to 10 steps, or a level shift
    held that long. Episodes start after the first 10 % of the series and are spread over the
    rest, at least SPACING steps apart.

    Inputs:
    - length: number of steps L (at least 100, and 30 per anomaly after the first 10 %)
    - seed: seed of np.random.default_rng
    - anomalies: number of episodes

    Returns a Series:
    - values: (L,) float64
    - anomalous: (L,) bool, True on the steps of the episodes
    - onsets: list of the episodes' first steps, increasing
    - expected: (L,) float64, the ideal one-step forecast without anomalies
    """
    start = int(np.ceil(QUIET_START * length))
    slot = (length - start) // max(anomalies, 1)
    if length < 100 or anomalies < 0 or slot < ANOMALY_STEPS[1] + SPACING + 5:
        raise ValueError(f"index_series needs length >= 100 and about 30 steps per anomaly "
                         f"after the first 10 %; got length={length}, anomalies={anomalies}: "
                         f"ask for a longer series or fewer anomalies")
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    week = rng.normal(size=WEEK)
    week = 2.0 * (week - week.mean()) / week.std()
    # two slow cycles, a long and a shorter one (periods as fractions of the series)
    cycle = sum(amplitude * np.sin(2 * np.pi * t / (rng.uniform(*period) * length)
                                   + rng.uniform(0, 2 * np.pi))
                for amplitude, period in ((10.0, (0.3, 0.6)), (5.0, (0.08, 0.15))))
    drift = rng.choice([-8.0, 8.0]) * t / length
    clean = drift + cycle + week[t % WEEK]

    innovations = rng.normal(size=length)
    noise = np.empty(length)
    previous = 0.0
    for i, innovation in enumerate(innovations.tolist()):
        previous = NOISE_MEMORY * previous + innovation
        noise[i] = previous
    expected = clean + NOISE_MEMORY * np.concatenate(([0.0], noise[:-1]))

    episodes = np.zeros(length)
    anomalous = np.zeros(length, dtype=bool)
    onsets = []
    for k in range(anomalies):
        steps = int(rng.integers(ANOMALY_STEPS[0], ANOMALY_STEPS[1] + 1))
        onset = start + k * slot + int(rng.integers(0, slot - steps - SPACING + 1))
        size = rng.uniform(*ANOMALY_SIZE) * rng.choice([-1.0, 1.0])
        spike = rng.random() < 0.5
        shape = 1.0 - np.arange(steps) / steps if spike else np.ones(steps)
        episodes[onset:onset + steps] = size * shape
        anomalous[onset:onset + steps] = True
        onsets.append(onset)

    values = INDEX_LEVEL + INDEX_NOISE * (clean + noise + episodes)
    return Series(values=values, anomalous=anomalous, onsets=onsets,
                  expected=INDEX_LEVEL + INDEX_NOISE * expected)
