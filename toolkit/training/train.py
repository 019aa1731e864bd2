"""``toolkit train``: spaCy pipelines trained on a packaged release with spaCy's own training loop and the
release's shipped configs, assembled into one pipeline.

Each task is trained from its config in ``spacy/`` (``spacy.training.initialize.init_nlp`` and
``spacy.training.loop.train``), with overrides only for the paths, the seed, the number of epochs, how often
to evaluate and how long to wait for an improvement, and the logger. Training per task rather than one merged
config lets each task stop at its own best checkpoint on the validation split (one combined score would pick
one checkpoint for all) and keeps each run exactly the release's ``python -m spacy train spacy/TASK.cfg``.
The quote roles go further: each span key's ``spancat`` is trained in a run of its own. Trained together on
the shipped config's shared ``tok2vec``, the content and speaker categorizers (n-gram suggesters up to the
longest gold span) collapse to predicting nothing on a small train split and take the shared embedding, and
the cue categorizer with it, down too; trained alone, the cue categorizer learns (see docs/training.md).

The runs are assembled by sourcing each trained component into one blank pipeline. A component that
listens to a ``tok2vec`` gets its own copy of it first (``Language.replace_listeners``), so components from
different runs never share or fight over an embedding layer.

Deterministic for a seed on CPU: spaCy fixes the random seeds of Python, numpy and thinc for every run, and
nothing here depends on time or on the order of a dict or a folder listing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import __version__
from toolkit.errors import CheckFailedError, ModelNotFoundError, UsageError
from toolkit.jsonl import STDIO, remove_stale_temporaries, temporary_prefix
from toolkit.options import TrainOptions
from toolkit.training.predict import TRAINED_META_KEY
from toolkit.training.progress import LOGGER_NAME, EpochBar, listening
from toolkit.training.release import TrainingRelease, open_release, release_tasks, require_splits

if TYPE_CHECKING:
    from spacy.language import Language

META_KEY = TRAINED_META_KEY
# The score each task is judged by: the toolkit's own, as toolkit benchmark computes it, and the strict one,
# since a lenient one rewards a flood of guesses (a collapsed quote categorizer proposing hundreds of spans
# per sentence reaches 0.12 F1 at overlap >= 0.3 on the seed's validation split, and 0 exact).
TASK_SCORES: dict[str, str] = {
    "entities": "entities.strict.f1",
    "quotes": "quotes.exact.f1",
    "events": "events.micro.f1",
}
QUOTE_COMPONENT_PREFIX = "spancat_"
TOK2VEC = "tok2vec"


@dataclass(frozen=True)
class TrainingRun:
    """One spaCy training run: a task's config, narrowed to some of its components."""

    task: str
    label: str  # what the progress bar and the summary call it
    pipeline: tuple[str, ...]  # the run's nlp.pipeline
    kept: tuple[str, ...]  # the components that go into the assembled pipeline
    score_weights: dict[str, float] | None = None  # None: the config's own


@dataclass(frozen=True)
class Corpora:
    """What every training run of one pipeline learns from and stops early on (DocBin files or folders)."""

    train: Path
    dev: Path


@dataclass
class RunResult:
    """What one run achieved on the validation split, and where its chosen weights are."""

    run: TrainingRun
    score: float
    scores: dict[str, Any]
    epochs: int
    best_epoch: int
    chosen: str  # "model-best" (a checkpoint) or "model-last" (the final weights scored best)
    path: Path
    stopped_early: bool
    metric: str  # the score the run is judged by: the first weighted one of its config

    @property
    def value(self) -> float:
        return float(self.scores.get(self.metric, 0.0))

    def describe(self) -> dict[str, Any]:
        return {
            "task": self.run.task,
            "run": self.run.label,
            "components": list(self.run.kept),
            "metric": self.metric,
            "value": round(self.value, 6),
            "score": round(self.score, 6),
            "best_epoch": self.best_epoch,
            "epochs": self.epochs,
            "stopped_early": self.stopped_early,
            "chosen": self.chosen,
            "scores": measured(self.scores),
        }


@dataclass
class TrainSummary:
    """What ``train_pipeline`` did, also written to the pipeline's meta.json."""

    dataset: dict[str, str]
    tasks: tuple[str, ...]  # the tasks the written pipeline predicts
    output: str
    name: str
    version: str
    source: str
    options: TrainOptions
    train_docs: int
    validation_docs: int
    runs: list[RunResult] = field(default_factory=list)
    validation: dict[str, float] = field(default_factory=dict)  # the toolkit's scores (as in benchmark)
    left_out: dict[str, str] = field(default_factory=dict)  # task -> why it is not in the pipeline

    def meta(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "tasks": list(self.tasks),
            "left_out": self.left_out,
            "min_f1": self.options.min_f1,
            "seed": self.options.seed,
            "max_epochs": self.options.epochs,
            "patience": self.options.patience,
            "base": self.options.base,
            "train_docs": self.train_docs,
            "validation_docs": self.validation_docs,
            "runs": [r.describe() for r in self.runs],
            "validation_scores": {k: round(v, 6) for k, v in self.validation.items()},
            "toolkit_version": __version__,
        }


def measured(scores: dict[str, Any]) -> dict[str, float]:
    """spaCy's validation scores of a run, rounded, without the speed (a timing, which would make two runs
    with the same seed differ) and the tokenizer's scores (always 1.0 on the release's own tokens)."""
    return {
        name: round(float(value), 6)
        for name, value in sorted(scores.items())
        if isinstance(value, int | float) and name != "speed" and not name.startswith("token_")
    }


def plan_runs(release: TrainingRelease, tasks: Sequence[str]) -> list[TrainingRun]:
    """The training runs for ``tasks``: one per task, one per span key for quotes."""
    from spacy.util import load_config

    runs = []
    for task in tasks:
        pipeline = tuple(load_config(release.configs[task], interpolate=False)["nlp"]["pipeline"])
        heads = tuple(name for name in pipeline if name != TOK2VEC)
        if task != "quotes":
            runs.append(TrainingRun(task, task, pipeline, heads))
            continue
        for head in heads:
            key = head.removeprefix(QUOTE_COMPONENT_PREFIX)
            weights = {f"spans_{key}_f": 1.0, f"spans_{key}_p": 0.0, f"spans_{key}_r": 0.0}
            shared = (TOK2VEC,) if TOK2VEC in pipeline else ()
            runs.append(TrainingRun(task, f"quotes ({key})", (*shared, head), (head,), weights))
    return runs


def model_name(release_name: str) -> str:
    """A spaCy package-style name from the dataset's name (``ukraine-liveblog`` -> ``ukraine_liveblog``)."""
    return re.sub(r"[^a-z0-9]+", "_", release_name.lower()).strip("_") or "pipeline"


def check_base(base: str | None, release: TrainingRelease, tasks: Sequence[str]) -> None:
    """``--base`` names a pipeline with an ``ner`` to start the entities run from."""
    if base is None:
        return
    from spacy.util import load_config

    if "entities" not in tasks:
        raise UsageError(f"--base {base}: only the entities task starts from a base model; it is not trained")
    components = load_config(release.configs["entities"], interpolate=False)["components"]
    if "source" not in components.get("ner", {}):
        raise UsageError(
            f"--base {base}: the release's entities config trains a fresh NER (its entity scheme is not the "
            "base model's), so there is nothing to start from"
        )
    from toolkit.models import load_tokenizer
    from toolkit.preannotate.pipeline import _model_config

    load_tokenizer(base)  # installed or a folder, and loads; else a ModelNotFoundError naming it
    if "ner" not in _model_config(base)["nlp"]["pipeline"]:
        raise ModelNotFoundError(f"--base {base}: the pipeline has no ner component to fine-tune")


def steps_per_epoch(config: Any, train_path: Path) -> int:
    """How many updates one pass over the train split takes with the config's own batcher."""
    import spacy
    from spacy.training import Corpus
    from spacy.util import registry

    batcher = registry.resolve({"batcher": config["training"]["batcher"]})["batcher"]
    examples = list(Corpus(str(train_path))(spacy.blank(config["nlp"]["lang"])))
    return max(1, sum(1 for _ in batcher(examples)))


def run_config(
    run: TrainingRun, config_path: Path, options: TrainOptions, corpora: Corpora
) -> tuple[Any, dict[str, Any]]:
    """The shipped config with this run's overrides, and the overrides themselves (recorded in meta.json).

    spaCy evaluates every ``eval_frequency`` updates; it is set to one pass over the train split (or the
    config's own value when an epoch is longer), and ``patience`` counts those evaluations."""
    from spacy.util import load_config

    config = load_config(config_path, interpolate=False)
    config["paths"]["train"] = str(corpora.train)
    config["paths"]["dev"] = str(corpora.dev)
    config["system"]["seed"] = seed = options.seed
    epoch = steps_per_epoch(config, corpora.train)
    every = max(1, min(int(config["training"]["eval_frequency"]), epoch))
    training = {
        "max_epochs": options.epochs,
        "max_steps": 0,
        "eval_frequency": every,
        "patience": options.patience * every,
    }
    overrides: dict[str, Any] = {"system.seed": seed} | {f"training.{k}": v for k, v in training.items()}
    config["training"].update(training)
    if tuple(config["nlp"]["pipeline"]) != run.pipeline:
        overrides["nlp.pipeline"] = config["nlp"]["pipeline"] = list(run.pipeline)
    if run.score_weights is not None:
        overrides["training.score_weights"] = config["training"]["score_weights"] = dict(run.score_weights)
    if options.base is not None and "source" in config["components"].get("ner", {}):
        overrides["components.ner.source"] = config["components"]["ner"]["source"] = options.base
    config["training"]["logger"] = {"@loggers": LOGGER_NAME}
    return config, overrides


@contextlib.contextmanager
def _spacy_quiet() -> Any:
    """spaCy's own table and notices go nowhere; the toolkit reports progress itself."""
    sink = io.StringIO()
    with warnings.catch_warnings():
        # Sourcing a pipeline's NER into a blank one: the vectors differ because there are none.
        warnings.filterwarnings("ignore", message=r".*\[W113\].*")
        with contextlib.redirect_stdout(sink):
            yield sink


def train_run(
    run: TrainingRun,
    config_path: Path,
    options: TrainOptions,
    corpora: Corpora,
    *,
    workdir: Path,
    bar: EpochBar,
) -> tuple[RunResult, dict[str, Any]]:
    """Train one run with spaCy's loop; keep the checkpoint or final weights that score best on validation."""
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import DIR_MODEL_BEST, DIR_MODEL_LAST, create_evaluation_callback
    from spacy.training.loop import train as spacy_train
    from spacy.util import resolve_dot_names

    config, overrides = run_config(run, config_path, options, corpora)
    output = workdir / re.sub(r"[^a-z0-9]+", "_", run.label).strip("_")
    output.mkdir(parents=True)
    metric = next(name for name, weight in config["training"]["score_weights"].items() if weight)
    seen: list[dict[str, Any]] = []

    def heard(info: dict[str, Any]) -> None:
        scores = dict(info["other_scores"] or {})
        seen.append({"epoch": info["epoch"], "step": info["step"], "score": info["score"], "scores": scores})
        bar.update(info["epoch"], f"{metric} {scores.get(metric, 0.0):.3f}")

    bar.start(run.label, options.epochs)
    sink = io.StringIO()
    with _spacy_quiet(), listening(heard):
        nlp = init_nlp(config, use_gpu=-1)
        nlp, _ = spacy_train(nlp, output, use_gpu=-1, stdout=sink, stderr=sink)
        # spaCy evaluates at the first update of each evaluation period, so the weights after the last
        # update have not been scored: score them the same way, and keep them if they do better.
        interpolated = nlp.config.interpolate()
        (dev_corpus,) = resolve_dot_names(interpolated, [interpolated["training"]["dev_corpus"]])
        weights = interpolated["training"]["score_weights"]
        final_score, final_scores = create_evaluation_callback(nlp, dev_corpus, weights)()
    bar.finish()
    best = max(seen, key=lambda s: (s["score"], -s["step"]))
    # The loop ends after max_epochs, or at an evaluation `patience` evaluations after the best one.
    ran = min(options.epochs, seen[-1]["epoch"] + 1)
    stopped_early = seen[-1]["step"] - best["step"] >= overrides["training.patience"]
    if final_score > best["score"]:
        chosen, score, scores, best_epoch = DIR_MODEL_LAST, final_score, final_scores, ran
    else:
        chosen, score, scores, best_epoch = DIR_MODEL_BEST, best["score"], best["scores"], best["epoch"] + 1
    result = RunResult(
        run=run,
        score=float(score),
        scores=scores,
        epochs=ran,
        best_epoch=best_epoch,
        chosen=chosen,
        path=output / chosen,
        stopped_early=stopped_early,
        metric=metric,
    )
    return result, overrides


def assemble(results: Iterable[RunResult], *, lang: str = "en") -> Language:
    """One blank pipeline with every run's kept components sourced in, each with its own embedding layer."""
    import spacy

    nlp = spacy.blank(lang)
    for result in results:
        source = spacy.load(result.path)
        for name in result.run.kept:
            if TOK2VEC in source.pipe_names and _listens(source, name):
                source.replace_listeners(TOK2VEC, name, ["model.tok2vec"])
            nlp.add_pipe(name, source=source)
    return nlp


def _listens(nlp: Language, name: str) -> bool:
    tok2vec = nlp.get_pipe(TOK2VEC)
    return name in getattr(tok2vec, "listening_components", [])


def train_pipeline(
    *,
    dataset_dir: str | Path,
    output_dir: str | Path,
    options: TrainOptions = TrainOptions(),
    name: str | None = None,
    version: str | None = None,
    force: bool = False,
    quiet: bool = True,
    train_subset: Callable[[Path, Path], Path] | None = None,
) -> TrainSummary:
    """Train the tasks of a packaged release and write one spaCy pipeline to ``output_dir``.

    A task whose main validation score (``TASK_SCORES``) is below ``options.min_f1`` is left out of the
    pipeline; when every task is, nothing is written and CheckFailedError says why.
    ``train_subset(train_folder, workdir)`` may return another train corpus (``toolkit train-curve`` trains
    on a share of the split this way). Returns the summary that meta.json records under ``toolkit_training``.
    """
    _check_output(output_dir, force=force)
    release = open_release(dataset_dir)
    chosen = release_tasks(options.tasks, release)
    require_splits(release)
    check_base(options.base, release, chosen)
    target = Path(output_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, target.name)  # staging folders of killed runs
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(target.name), suffix=".tmp", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a pipeline is meant to be loaded by others
    try:
        summary = _train_into(
            staging,
            release=release,
            tasks=chosen,
            options=options,
            name=name,
            version=version,
            quiet=quiet,
            train_subset=train_subset,
        )
        summary.output = str(output_dir)
        _move_into_place(staging, target, force=force)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        raise
    return summary


def _train_into(
    staging: Path,
    *,
    release: TrainingRelease,
    tasks: tuple[str, ...],
    options: TrainOptions,
    name: str | None,
    version: str | None,
    quiet: bool,
    train_subset: Callable[[Path, Path], Path] | None,
) -> TrainSummary:
    workdir = staging / ".runs"
    workdir.mkdir()
    train_path = release.split_folder("train")
    if train_subset is not None:
        train_path = train_subset(train_path, workdir)
    summary = TrainSummary(
        dataset=release.provenance(),
        tasks=tasks,
        output="",
        name=name or model_name(release.name),
        version=version or release.version,
        source="",
        options=options,
        train_docs=_count_docs(train_path),
        validation_docs=release.docs.get("validation", 0),
    )
    corpora = Corpora(train_path, release.split_folder("validation"))
    overrides: list[dict[str, Any]] = []
    bar = EpochBar(quiet=quiet)
    try:
        for run in plan_runs(release, tasks):
            config = release.configs[run.task]
            result, used = train_run(run, config, options, corpora, workdir=workdir, bar=bar)
            summary.runs.append(result)
            overrides.append({"run": run.label, "config": f"spacy/{config.name}", **used})
    finally:
        bar.close()
    with _spacy_quiet():
        nlp = assemble(summary.runs)
    from toolkit.training.scores import release_scores

    summary.validation = release_scores(nlp, release, "validation", tasks)
    _leave_out_weak_tasks(nlp, summary)
    _set_meta(nlp, summary, overrides)
    shutil.rmtree(workdir)
    nlp.to_disk(staging)
    return summary


def _leave_out_weak_tasks(nlp: Language, summary: TrainSummary) -> None:
    """Remove the components of tasks below the floor; fail when no task is left."""
    for task in summary.tasks:
        value = summary.validation.get(TASK_SCORES[task], 0.0)
        if value < summary.options.min_f1:
            summary.left_out[task] = (
                f"{TASK_SCORES[task]} {value:.3f} on validation is below --min-f1 {summary.options.min_f1:g}"
            )
    for result in summary.runs:
        if result.run.task in summary.left_out:
            for name in result.run.kept:
                nlp.remove_pipe(name)
    summary.tasks = tuple(t for t in summary.tasks if t not in summary.left_out)
    if not summary.tasks:
        reasons = "; ".join(f"{task}: {why}" for task, why in summary.left_out.items())
        raise CheckFailedError(
            f"no trained task is good enough to keep ({reasons}); nothing written",
            hint="annotate more, train longer (--epochs), or lower --min-f1",
        )


def _set_meta(nlp: Language, summary: TrainSummary, overrides: list[dict[str, Any]]) -> None:
    from toolkit.models import model_source

    dataset = summary.dataset
    nlp.meta["name"] = summary.name
    nlp.meta["version"] = summary.version
    nlp.meta["description"] = (
        f"{', '.join(summary.tasks)} trained by toolkit train on {dataset['name']} {dataset['version']} "
        f"(train split, {summary.train_docs} docs; early stopping on validation)"
    )
    nlp.meta["sources"] = [{"name": dataset["name"], "version": dataset["version"]}]
    performance: dict[str, float] = {}
    for result in summary.runs:
        performance |= measured(result.scores)
    nlp.meta["performance"] = dict(sorted(performance.items()))
    nlp.meta[META_KEY] = summary.meta() | {"overrides": overrides}
    summary.source = model_source(nlp)


def _count_docs(path: Path) -> int:
    from spacy.tokens import DocBin

    files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
    return sum(len(DocBin().from_disk(f)) for f in files)


def _check_output(output_dir: str | Path, *, force: bool) -> None:
    if str(output_dir) == STDIO:
        raise UsageError("-o -: a pipeline is a folder, not a stream; give a folder path")
    target = Path(output_dir)
    if target.exists() and not target.is_dir():
        raise UsageError(f"-o {target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"-o {target}: folder exists and is not empty", hint="pass --force to replace it")


def _move_into_place(staging: Path, target: Path, *, force: bool) -> None:
    if target.exists():
        if any(target.iterdir()) and not force:
            raise UsageError(
                f"-o {target}: folder exists and is not empty", hint="pass --force to replace it"
            )
        shutil.rmtree(target)
    os.replace(staging, target)
