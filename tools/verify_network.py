#!/usr/bin/env python3
"""Independent check of a Valley network on Fashion-MNIST: a curve point phi(t) or a single network (swa, sgd, model).

For curve.safetensors, phi(t) = sum_k c_k(t) * bend_k, with Bernstein (bezier) or hat (polychain) coefficients
read from the file's metadata. For batch-norm nets (vgg) the statistics are recomputed first, ignoring any stored
ones, as torch.optim.swa_utils.update_bn does: one pass over the training set in batches of the spec's batch size,
in stored order, each running statistic the plain mean of the per-batch mean and unbiased variance.
NumPy only, float64; MLP and VGG.
    python3 tools/verify_network.py curve.safetensors [t=0.5] [/usr/share/datasets/fashion-mnist]
    python3 tools/verify_network.py swa.safetensors
Prints train and test loss and accuracy as JSON, to compare with the job's result.
"""
import json, math, sys
import numpy as np
from verify_mlp import read_safetensors, idx

def coefficients(kind, bends, t):
    n = bends - 1
    if kind == "bezier":
        return [math.comb(n, k) * t ** k * (1 - t) ** (n - k) for k in range(bends)]
    return [max(0.0, 1 - abs(n * t - k)) for k in range(bends)]

def mlp(w, x, bn, mode):
    layers = sum(1 for k in w if k.endswith(".weight"))
    h = x.reshape(len(x), -1)
    for i in range(layers):
        h = h @ w[f"layers.{i}.weight"].T + w[f"layers.{i}.bias"]
        if i + 1 < layers:
            h = np.maximum(h, 0)
    return h

def conv3x3(x, weight, bias):
    n, c, hgt, wid = x.shape
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.lib.stride_tricks.sliding_window_view(p, (3, 3), axis=(2, 3))  # n, c, h, w, 3, 3
    cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n * hgt * wid, c * 9)
    out = cols @ weight.reshape(len(weight), -1).T + bias
    return out.reshape(n, hgt, wid, -1).transpose(0, 3, 1, 2)

def vgg(w, x, bn, mode):
    """mode 'measure': normalise with batch statistics and report them through bn; 'eval': use bn's."""
    h = x
    b = 0
    while f"features.{4 * b}.weight" in w:
        h = conv3x3(h, w[f"features.{4 * b}.weight"], w[f"features.{4 * b}.bias"])
        name = f"features.{4 * b + 1}"
        if mode == "measure":
            mean = h.mean(axis=(0, 2, 3))
            var = h.var(axis=(0, 2, 3))
            count = h.shape[0] * h.shape[2] * h.shape[3]
            bn.setdefault(name, []).append((mean, var * count / (count - 1)))
        else:
            mean, var = bn[name]
        h = (h - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5)
        h = h * w[name + ".weight"][None, :, None, None] + w[name + ".bias"][None, :, None, None]
        h = np.maximum(h, 0)
        n, c, hh, ww = h.shape
        h = h[:, :, :hh // 2 * 2, :ww // 2 * 2].reshape(n, c, hh // 2, 2, ww // 2, 2).max(axis=(3, 5))
        b += 1
    h = h.reshape(len(h), -1)
    return h @ w["classifier.weight"].T + w["classifier.bias"]

def metrics(net, w, x, y, bn):
    loss, correct = 0.0, 0
    for s in range(0, len(x), 2000):
        logits = net(w, x[s:s + 2000], bn, "eval")
        z = logits - logits.max(1, keepdims=True)
        yy = y[s:s + 2000]
        loss -= (z[np.arange(len(yy)), yy] - np.log(np.exp(z).sum(1))).sum()
        correct += int((logits.argmax(1) == yy).sum())
    return loss / len(x), correct / len(x)

def main():
    tensors, meta = read_safetensors(sys.argv[1])
    t = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    folder = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    spec = json.loads(meta["spec"])
    if spec.get("trainSubset"):
        sys.exit("this check needs a curve trained on the whole training set (Valley's subsets are its own permutation)")
    if "bends" in meta:
        bends = int(meta["bends"])
        c = coefficients(meta["curve"], bends, t)
        names = sorted({k.split(".", 2)[2] for k in tensors})
        w = {n: sum(c[k] * tensors[f"bends.{k}.{n}"].astype(np.float64) for k in range(bends)) for n in names}
    else:
        w = {n: v.astype(np.float64) for n, v in tensors.items() if not n.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    net = {"mlp": mlp, "vgg": vgg}[meta["arch"]]
    train_x = idx(folder + "/train-images-idx3-ubyte.gz").astype(np.float64)[:, None] / 255
    train_y = idx(folder + "/train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x = idx(folder + "/t10k-images-idx3-ubyte.gz").astype(np.float64)[:, None] / 255
    test_y = idx(folder + "/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    bn = {}
    if meta["arch"] == "vgg":
        measured = {}
        for s in range(0, len(train_x), spec["batchSize"]):
            net(w, train_x[s:s + spec["batchSize"]], measured, "measure")
        bn = {k: (np.mean([m for m, _ in v], axis=0), np.mean([u for _, u in v], axis=0)) for k, v in measured.items()}
    train_loss, train_acc = metrics(net, w, train_x, train_y, bn)
    test_loss, test_acc = metrics(net, w, test_x, test_y, bn)
    print(json.dumps({"evaluatedWith": "numpy " + np.__version__, "t": t if "bends" in meta else None,
                      "curve": meta.get("curve"), "bends": meta.get("bends"),
                      "batchNormRecomputed": bool(bn), "trainLoss": train_loss, "trainAccuracy": train_acc,
                      "testLoss": test_loss, "testAccuracy": test_acc}))

if __name__ == "__main__":
    main()
