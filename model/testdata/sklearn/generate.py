#!/usr/bin/python3
"""Generates the scikit-learn oracles of trustml's classification tests.

Run by hand (never by go test), with Debian's python3-sklearn:

    apt-get install -y python3-sklearn
    cd model/testdata/sklearn && /usr/bin/python3 generate.py

It writes, for breast_cancer (binary), iris and wine (multiclass):
  NAME.csv          the data set as scikit-learn ships it (features, target)
  NAME.oracle.json  (tied: the metrics of the last fit's probabilities
                    rounded to one decimal, with many ties) for each penalty alpha: scikit-learn's LogisticRegression
                    coefficients with C = 1/alpha on standardised features
                    (StandardScaler, population standard deviation), solver
                    newton-cg with tol=1e-10 (the mean objective's gradient
                    at its solution is recorded), and the
                    classification metrics of the model's probabilities
                    computed by scikit-learn (or numpy where scikit-learn has
                    no such metric), with those probabilities.

The data sets ship in scikit-learn (BSD-3-Clause) and come from the UCI
Machine Learning Repository; see README.md.
"""
import csv
import json

import numpy as np
import sklearn
from sklearn import datasets, metrics
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler, label_binarize

ALPHAS = [1.0, 10.0]
BINS = 10


def write_csv(path, names, X, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(names) + ["target"])
        for row, label in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + [label])


def ece(conf, correct, bins):
    """Expected calibration error over equal-width bins of conf, numpy only."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    ids = np.searchsorted(edges[1:-1], conf)  # an edge value goes to the lower bin
    total = 0.0
    for b in range(bins):
        m = ids == b
        if m.any():
            total += m.sum() / len(conf) * abs(correct[m].mean() - conf[m].mean())
    return total


def mean_gradient(X, y, classes, positive, lr, alpha):
    """The ∞-norm of the gradient of the mean objective at lr's solution."""
    y = np.asarray(y)
    if len(classes) == 2:
        t = (y == classes[1]).astype(float)[:, None]
        P = lr.predict_proba(X)[:, 1:]
    else:
        t = label_binarize(y, classes=classes)
        P = lr.predict_proba(X)
    G = (P - t).T @ X + alpha * lr.coef_
    g = np.r_[G.ravel(), (P - t).sum(axis=0)]
    return float(np.abs(g).max() / len(y))


def class_metrics(classes, y, proba, positive):
    y = np.asarray(y)
    k = len(classes)
    pred = np.asarray(classes)[np.argmax(proba, axis=1)]
    out = {
        "accuracy": metrics.accuracy_score(y, pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, pred),
        "mcc": metrics.matthews_corrcoef(y, pred),
        "log_loss": metrics.log_loss(y, proba, labels=classes),
    }
    for avg in ["macro", "weighted"]:
        p, r, f, _ = metrics.precision_recall_fscore_support(y, pred, labels=classes, average=avg, zero_division=0)
        out["precision_" + avg], out["recall_" + avg], out["f1_" + avg] = p, r, f
    p, r, f, s = metrics.precision_recall_fscore_support(y, pred, labels=classes, average=None, zero_division=0)
    out["per_class"] = {c: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])} for i, c in enumerate(classes)}
    out["confusion"] = metrics.confusion_matrix(y, pred, labels=classes).tolist()
    if k == 2:
        pi = classes.index(positive)
        t = (y == positive).astype(float)
        pp = proba[:, pi]
        out["precision"] = metrics.precision_score(y, pred, pos_label=positive, zero_division=0)
        out["recall"] = metrics.recall_score(y, pred, pos_label=positive, zero_division=0)
        out["f1"] = metrics.f1_score(y, pred, pos_label=positive, zero_division=0)
        out["roc_auc"] = metrics.roc_auc_score(t, pp)
        out["average_precision"] = metrics.average_precision_score(t, pp)
        out["brier"] = metrics.brier_score_loss(t, pp)
        out["ece"] = ece(pp, t, BINS)
    else:
        Y = label_binarize(y, classes=classes)
        out["roc_auc"] = metrics.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
        out["average_precision"] = metrics.average_precision_score(Y, proba, average="macro")
        out["brier"] = float(np.mean(np.sum((proba - Y) ** 2, axis=1)))
        conf = proba.max(axis=1)
        out["ece"] = ece(conf, (pred == y).astype(float), BINS)
    return out


def floats(o):
    if isinstance(o, dict):
        return {k: floats(v) for k, v in o.items()}
    if isinstance(o, list):
        return [floats(v) for v in o]
    if isinstance(o, (np.floating, float)):
        return float(o)
    if isinstance(o, np.integer):
        return int(o)
    return o


def main():
    sets = [
        ("breast_cancer", datasets.load_breast_cancer(), lambda t, names: names[t], "malignant"),
        ("iris", datasets.load_iris(), lambda t, names: names[t], None),
        ("wine", datasets.load_wine(), lambda t, names: str(t), None),
    ]
    for name, d, label, positive in sets:
        y = [label(t, d.target_names) for t in d.target]
        write_csv(name + ".csv", d.feature_names, d.data, y)
        classes = sorted(set(y), key=(int if name == "wine" else str))
        Xs = StandardScaler().fit_transform(d.data)
        fits = []
        for alpha in ALPHAS:
            # newton-cg: lbfgs stops on its relative function decrease
            # (ftol) long before a gradient of 1e-6, whatever tol says.
            lr = LogisticRegression(penalty="l2", C=1 / alpha, tol=1e-10, max_iter=10000, solver="newton-cg",
                                    multi_class="multinomial" if len(classes) > 2 else "auto")
            lr.fit(Xs, y)
            assert list(lr.classes_) == classes, (list(lr.classes_), classes)
            proba = lr.predict_proba(Xs)
            coef, intercept = lr.coef_, lr.intercept_
            if len(classes) > 2:
                intercept = intercept - intercept.mean()
            fits.append({
                "alpha": alpha,
                "gradient": mean_gradient(Xs, y, classes, positive, lr, alpha),
                "n_iter": int(lr.n_iter_[0]),
                "intercepts": intercept.tolist(),
                "coefficients": coef.tolist(),
                "proba": proba.tolist(),
                "metrics": class_metrics(classes, y, proba, positive),
            })
        # Probabilities rounded to one decimal: many ties, and confidences
        # on the ECE bins' edges.
        proba = np.array(fits[-1]["proba"])
        if len(classes) == 2:
            pp = np.round(proba[:, 1], 1)
            tied = np.c_[1 - pp, pp]
        else:
            tied = np.round(proba, 1) + 0.05
            tied /= tied.sum(axis=1, keepdims=True)
        doc = {
            "dataset": name,
            "sklearn_version": sklearn.__version__,
            "classes": classes,
            "positive": positive,
            "features": list(d.feature_names),
            "ece_bins": BINS,
            "fits": fits,
            "tied": {"proba": tied.tolist(), "metrics": class_metrics(classes, y, tied, positive)},
        }
        with open(name + ".oracle.json", "w") as f:
            json.dump(floats(doc), f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
