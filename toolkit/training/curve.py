"""``toolkit train-curve``: train on growing shares of the train split and score each on validation, so a team
sees whether more annotation still pays.

The shares are nested: documents are put in one seeded order and each share takes a prefix of it, so the
50% run sees everything the 25% run saw. Every run is ``toolkit train`` itself (same configs, seed, epochs
and early stopping), with no task left out; the scores are the benchmark's own, on the whole validation
split. A curve still rising at 100% says more annotation is likely to help; a flat one says it has stopped
helping with this model and these settings (not that the task is solved).
"""

from __future__ import annotations

import math
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import UsageError
from toolkit.jsonl import atomic_output
from toolkit.options import TrainOptions
from toolkit.training.release import open_release, release_tasks, require_splits
from toolkit.training.scores import HEADLINE
from toolkit.training.train import train_pipeline

DEFAULT_SHARES: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
CURVE_FILES = {"json": "curve.json", "markdown": "curve.md", "chart": "curve.png"}


@dataclass
class CurvePoint:
    share: float
    train_docs: int
    scores: dict[str, float]


@dataclass
class Curve:
    dataset: dict[str, str]
    tasks: tuple[str, ...]
    validation_docs: int
    seed: int
    epochs: int
    points: list[CurvePoint] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)

    def columns(self) -> list[tuple[str, str]]:
        """(score name, heading) of the scores every point has, in the benchmark's order."""
        return [(name, title) for name, title in HEADLINE if all(name in p.scores for p in self.points)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "split": "validation",
            "validation_docs": self.validation_docs,
            "tasks": list(self.tasks),
            "seed": self.seed,
            "max_epochs": self.epochs,
            "points": [
                {
                    "share": p.share,
                    "train_docs": p.train_docs,
                    "scores": {k: round(v, 6) for k, v in p.scores.items()},
                }
                for p in self.points
            ],
        }


def parse_shares(shares: str | Sequence[float] | None) -> tuple[float, ...]:
    """``"25,50,75,100"`` (percent) or fractions; increasing, each above 0 and at most 100%."""
    if shares is None:
        return DEFAULT_SHARES
    if isinstance(shares, str):
        try:
            values = [float(part) / 100 for part in shares.split(",") if part.strip()]
        except ValueError:
            raise UsageError(f"--shares {shares}: give percentages such as 25,50,75,100") from None
    else:
        values = [float(v) for v in shares]
    if not values or any(not 0 < v <= 1 for v in values) or values != sorted(set(values)):
        raise UsageError(f"--shares {shares}: increasing percentages above 0 and at most 100, e.g. 25,50,100")
    return tuple(values)


def _ordered_subset(train_folder: Path, workdir: Path, *, share: float, seed: int) -> Path:
    """A DocBin of the first ``share`` of the train documents in one seeded order (nested across shares),
    kept in the split's order."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    docs = [
        doc
        for path in sorted(train_folder.glob("*.spacy"))
        for doc in DocBin().from_disk(path).get_docs(vocab)
    ]
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    keep = max(1, math.ceil(share * len(docs)))
    # In the split's own order, so that 100% is exactly the split toolkit train learns from.
    subset = DocBin(store_user_data=True, docs=[docs[i] for i in sorted(order[:keep])])
    path = workdir / f"train-{round(share * 100)}.spacy"
    subset.to_disk(path)
    return path


def train_curve(
    *,
    dataset_dir: str | Path,
    shares: str | Sequence[float] | None = None,
    options: TrainOptions = TrainOptions(),
    output_dir: str | Path | None = None,
    quiet: bool = True,
) -> Curve:
    """Train on each share of the train split and score on validation; with ``output_dir``, write
    curve.json, curve.md and curve.png there. Every task is kept whatever it scores (``options.min_f1`` is
    not used): the curve is about how the scores grow."""
    chosen_shares = parse_shares(shares)
    release = open_release(dataset_dir)
    chosen = release_tasks(options.tasks, release)
    options = replace(options, tasks=chosen, min_f1=0.0)
    require_splits(release)
    curve = Curve(
        dataset=release.provenance(),
        tasks=chosen,
        validation_docs=release.docs.get("validation", 0),
        seed=options.seed,
        epochs=options.epochs,
    )
    with tempfile.TemporaryDirectory(prefix="toolkit-train-curve-") as scratch:
        for share in chosen_shares:

            def subset(folder: Path, workdir: Path, share: float = share) -> Path:
                return _ordered_subset(folder, workdir, share=share, seed=options.seed)

            output = Path(scratch) / f"share-{round(share * 100)}"
            summary = train_pipeline(
                dataset_dir=dataset_dir, output_dir=output, options=options, quiet=quiet, train_subset=subset
            )
            curve.points.append(CurvePoint(share, summary.train_docs, summary.validation))
    if output_dir is not None:
        curve.paths = write_curve(curve, Path(output_dir))
    return curve


def curve_table(curve: Curve, *, markdown: bool = False) -> str:
    """The scores per share, as aligned text or a Markdown table."""
    columns = curve.columns()
    head = ["train share", "train docs", *(title for _, title in columns)]
    rows = [
        [f"{p.share:.0%}", str(p.train_docs), *(f"{p.scores[name]:.3f}" for name, _ in columns)]
        for p in curve.points
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)]) + "\n"
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return (
        "\n".join(
            "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in [head, *rows]
        )
        + "\n"
    )


def curve_title(curve: Curve) -> str:
    dataset = curve.dataset
    return (
        f"{dataset['name']} {dataset['version']}: scores on the validation split "
        f"({curve.validation_docs} docs) by share of the train split, seed {curve.seed}, "
        f"at most {curve.epochs} epochs"
    )


def write_curve(curve: Curve, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / name for kind, name in CURVE_FILES.items()}
    with atomic_output(paths["json"], "wb") as out:
        out.write(orjson.dumps(curve.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    with atomic_output(paths["markdown"], "wb") as out:
        text = f"# Learning curve\n\n{curve_title(curve)}.\n\n{curve_table(curve, markdown=True)}"
        out.write(text.encode())
    write_chart(curve, paths["chart"])
    return paths


def write_chart(curve: Curve, path: Path) -> None:
    """One line per score: train documents on the x axis, F1 on validation on the y axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    x = [p.train_docs for p in curve.points]
    for name, title in curve.columns():
        ax.plot(x, [p.scores[name] for p in curve.points], marker="o", label=title)
    ax.set_xticks(x, [f"{p.train_docs}\n({p.share:.0%})" for p in curve.points])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("train documents (share of the train split)")
    ax.set_ylabel("F1 on validation")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    dataset = curve.dataset
    ax.set_title(f"Learning curve: {dataset['name']} {dataset['version']}", fontsize="medium")
    fig.tight_layout()
    with atomic_output(path, "wb") as out:
        fig.savefig(out, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
