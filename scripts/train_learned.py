#!/usr/bin/env python3
"""Learns the weights of the learned tagging stage (src/enrich/tagging/learned.rs).

Two kinds of labels teach it. Every paper carries the built-in phrases' own verdicts (distant
supervision): the model learns which words the phrases' papers share, so that it carries a
topic to papers that spell out none of its phrases. The papers that readers labelled by hand
carry their labels instead, on the topics the labels cover (`--labels`, each such paper
weighing `--label-weight` papers): the readers' topics are wider than any phrase list, and
thousands of labels teach the model what phrases never name. For the built-in weights every
paper is labelled, so the verdicts only teach the topics no label covers. Labels kept to
measure the tagger are left out with the papers they name (`--exclude-labelled`), so they
still measure.

    cargo run --release --example learned_features -- SITE FEATURES.tsv
    cargo run --release --example learned_features -- tests/fixtures/real-dev DEV.tsv
    cat FEATURES.tsv DEV.tsv > ALL.tsv
    F=tests/fixtures
    python3 scripts/train_learned.py ALL.tsv \
        --labels $F/real-dev/labels.tsv --labels $F/real-may/labels-tuned.tsv \
        --labels $F/real-may-blind/labels-a.tsv \
        --labels scripts/learned-labels/real-month-2400.tsv \
        --labels scripts/learned-labels/real-month-2301.tsv \
        --exclude-labelled $F/real-may/labels-heldout.tsv \
        --exclude-labelled $F/real-may-blind/labels-b.tsv > src/enrich/tagging/learned.tsv

SITE holds the papers to learn from (the built-in weights: `../shared/corpus/real-month`,
the 7,351 distinct real arXiv listings of May 2026, in SITE/content/); the dev fixture's
300 papers are added to them. FEATURES' topics are the phrases' verdicts alone, whatever the
site's config says (see learned_features.rs). Needs scikit-learn.
"""

import argparse
import json
import math
import sys

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

p = argparse.ArgumentParser()
p.add_argument("features")
p.add_argument("--exclude", action="append", default=[], help="a JSON Lines file of papers to leave out")
p.add_argument(
    "--exclude-labelled", action="append", default=[], help="a labels file (id<TAB>topics) whose papers to leave out"
)
p.add_argument(
    "--labels", action="append", default=[], help="a labels file whose topics replace the verdicts of its papers"
)
p.add_argument("--label-weight", type=float, default=3.0, help="how many papers a hand-labelled paper weighs")
p.add_argument("--min-df", type=int, default=3, help="papers a stem must occur in")
p.add_argument("--max-df", type=float, default=0.5, help="share of papers a stem may occur in")
p.add_argument("--min-papers", type=int, default=10, help="papers a topic needs to be learned")
p.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")
p.add_argument("--keep", type=int, default=1000, help="weights kept per topic, largest first")
p.add_argument(
    "--doubt-labels", type=int, default=50, help="hand-labelled papers a topic needs to doubt the phrases"
)
args = p.parse_args()


def labels_of(path):
    """A labels file's papers and their topics (the first line is a header)."""
    rows = [line.rstrip("\n").split("\t") for line in open(path, encoding="utf-8").read().splitlines()[1:]]
    return {r[0]: set(t for t in (r[1] if len(r) > 1 else "").split(",") if t) for r in rows}


excluded = set()
for path in args.exclude:
    for line in open(path, encoding="utf-8"):
        if line.strip():
            excluded.add(json.loads(line)["id"])
for path in args.exclude_labelled:
    excluded.update(labels_of(path))
hand = {}
for path in args.labels:
    hand.update(labels_of(path))
# The topics the labels cover: on these a hand-labelled paper's verdicts give way to its
# labels; the verdicts on the others (topics no reader labelled) stay.
covered = set().union(*hand.values()) if hand else set()

docs = []
paper_weights = []
for line in open(args.features, encoding="utf-8"):
    pid, tags, stems = line.rstrip("\n").split("\t")
    if pid in excluded:
        continue
    counts = {}
    for item in filter(None, stems.split(" ")):
        stem, _, count = item.rpartition(":")
        counts[stem] = int(count)
    tags = set(t for t in tags.split(",") if t)
    if pid in hand:
        tags = (tags - covered) | hand[pid]
    paper_weights.append(args.label_weight if pid in hand else 1.0)
    docs.append((tags, counts))

df = {}
for _, counts in docs:
    for stem in counts:
        df[stem] = df.get(stem, 0) + 1
limit = args.max_df * len(docs)
vocab = sorted(s for s, n in df.items() if args.min_df <= n <= limit and any(c.isalpha() for c in s) and "\t" not in s)
index = {s: i for i, s in enumerate(vocab)}

rows, cols, vals = [], [], []
for r, (_, counts) in enumerate(docs):
    feats = [(index[s], 1.0 + math.log(c)) for s, c in counts.items() if s in index]
    norm = math.sqrt(sum(v * v for _, v in feats)) or 1.0
    for c, v in feats:
        rows.append(r)
        cols.append(c)
        vals.append(v / norm)
X = csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))

topics = sorted({t for tags, _ in docs for t in tags})
out = sys.stdout
out.write("paperboy learned topics 1\n")
weights = []
learned = []
for t in topics:
    y = np.array([t in tags for tags, _ in docs])
    if y.sum() < args.min_papers:
        continue
    model = LogisticRegression(C=args.c, max_iter=5000)
    model.fit(X, y, sample_weight=np.array(paper_weights))
    w = model.coef_[0]
    keep = np.argsort(-np.abs(w), kind="stable")[: args.keep]
    learned.append(t)
    # A topic that enough hand-labelled papers taught may doubt the phrases (see learned.rs,
    # `from_labels`).
    taught = sum(1 for (tags, _), w in zip(docs, paper_weights) if w != 1.0 and t in tags)
    mark = "\tlabelled" if t in covered and taught >= args.doubt_labels else ""
    out.write(f"topic\t{t}\t{model.intercept_[0]:.4f}{mark}\n")
    weights.extend((vocab[i], t, w[i]) for i in keep if round(w[i], 4) != 0)
by_stem = {}
for s, t, w in weights:
    by_stem.setdefault(s, []).append(f"{learned.index(t)}:{w:.4f}")
for s in vocab:
    out.write("\t".join(["stem", s] + ([" ".join(by_stem[s])] if s in by_stem else [])) + "\n")
print(f"{len(docs)} papers, {len(vocab)} stems, {len(learned)} topics, {len(weights)} weights", file=sys.stderr)
