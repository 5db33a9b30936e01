#!/usr/bin/env python3
"""PyTorch's side of `./valley bench --pytorch`: the same network, data, batch and optimiser as Valley's round, in
carefully written eager PyTorch (data resident as tensors, no DataLoader, the loss summed on the device and read once
per epoch, torch.optim.SGD with foreach), driven by Valley's benchmark so that their rounds interleave.

    python3 tools/bench_pytorch.py '{"arch": "preresnet", "depth": 20, "skips": true, "input": [1, 28, 28], ...}'

Prints "ready {"version": ..., "matmulGflops": ...}" once the network has taken its warm-up steps; then for every line "epoch" on stdin it runs one epoch
as a user's job sees it (the steps, a test evaluation in Valley's evaluation batches, a checkpoint of the weights and momentum
written to a file) and prints one JSON line: {"steps": s, "evaluation": s, "checkpoint": s, "samples": n}. A line
"quit", or the end of stdin, ends it. Data: Fashion-MNIST from its IDX files (/255, as Valley reads them), or random
images of the given shape (the time of a step does not depend on the values).
"""
import io, json, os, sys, tempfile, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def mlp(inputs, hidden, classes):
    sizes = [inputs] + hidden + [classes]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(nn.Flatten(), *layers)


def vgg(shape, channels, classes):
    layers, c, h, w = [], shape[0], shape[1], shape[2]
    for out in channels:
        layers += [nn.Conv2d(c, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
        c, h, w = out, h // 2, w // 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * h * w, classes))


class Block(nn.Module):
    def __init__(self, cin, cout, stride, skips):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.skips = skips
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False)) \
            if skips and (stride != 1 or cin != cout) else None

    def forward(self, x):
        out = self.conv1(F.relu(self.bn1(x)))
        out = self.conv2(F.relu(self.bn2(out)))
        if not self.skips:
            return out
        return out + (self.downsample(x) if self.downsample is not None else x)


class PreResNet(nn.Module):
    """Valley's PreResNet (gpu-worker's PreResNet.java): conv1 to 16; stages of (depth - 2) / 6 blocks of 16, 32, 64."""

    def __init__(self, shape, depth, skips, classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(shape[0], 16, 3, padding=1, bias=False)
        blocks, cin = [], 16
        for stage, width in enumerate([16, 32, 64]):
            for b in range(n):
                blocks.append(Block(cin, width, 2 if stage > 0 and b == 0 else 1, skips))
                cin = width
        self.blocks = nn.Sequential(*blocks)
        self.bn, self.fc = nn.BatchNorm2d(64), nn.Linear(64, classes)

    def forward(self, x):
        h = F.relu(self.bn(self.blocks(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def network(spec):
    shape, classes = spec["input"], spec["classes"]
    if spec["arch"] == "mlp":
        return mlp(shape[0] * shape[1] * shape[2], spec["hidden"], classes)
    if spec["arch"] == "vgg":
        return vgg(shape, spec["channels"], classes)
    if spec["arch"] == "preresnet":
        return PreResNet(shape, spec["depth"], spec["skips"], classes)
    if spec["arch"] == "torchscript":
        return torch.jit.load(spec["module"])
    raise SystemExit("unknown arch " + spec["arch"])


def data(spec, device):
    if spec["data"] == "fashion-mnist":
        from verify_mlp import idx
        folder = spec.get("folder", "/usr/share/datasets/fashion-mnist")
        def split(images, labels, n):
            x = torch.from_numpy(idx(f"{folder}/{images}")[:n].copy()).float().div_(255).unsqueeze(1)
            return x.to(device), torch.from_numpy(idx(f"{folder}/{labels}")[:n].astype("int64")).to(device)
        return split("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", spec["train"]) + \
            split("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", spec["test"])
    g = torch.Generator().manual_seed(1)
    def split(n):
        return (torch.randn([n] + spec["input"], generator=g).to(device),
                torch.randint(spec["classes"], (n,), generator=g).to(device))
    return split(spec["train"]) + split(spec["test"])


def blas():
    """The BLAS this process loaded. Debian's OpenBLAS comes in a pthreads build (libopenblas0-pthread, the default)
    and an OpenMP one (libopenblas0-openmp): with the pthreads build, OpenBLAS's threads and torch's OpenMP threads
    spin against each other and the MLP trains some 4 times slower; the reference BLAS (libblas3) is 40 times slower
    at matmul. Only the OpenMP build gives PyTorch its due."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line and "/" in line}
    return sorted(paths)


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec.get("threads", os.cpu_count()))
    device = torch.device(spec.get("device", "cpu"))
    torch.manual_seed(1)
    model = network(spec).to(device)
    train_x, train_y, test_x, test_y = data(spec, device)
    batch = spec["batch"]
    optimiser = torch.optim.SGD(model.parameters(), lr=spec["lr"], momentum=spec["momentum"],
                                weight_decay=spec["weightDecay"], foreach=True)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    checkpoint = os.path.join(tempfile.mkdtemp(prefix="valley-bench-"), "checkpoint.pt")

    def steps(limit):
        model.train()
        order = torch.randperm(len(train_x), device=device)
        xs, ys = train_x[order], train_y[order]
        total = torch.zeros((), device=device)
        for i, s in enumerate(range(0, len(xs), batch)):
            if i == limit:
                break
            loss = F.cross_entropy(model(xs[s:s + batch]), ys[s:s + batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += loss.detach()
        return total.item()

    def evaluate():
        model.eval()
        loss, correct = torch.zeros((), device=device), torch.zeros((), device=device, dtype=torch.long)
        size = spec.get("evaluationBatch", 2000)
        with torch.no_grad():
            for s in range(0, len(test_x), size):
                logits = model(test_x[s:s + size])
                loss += F.cross_entropy(logits, test_y[s:s + size], reduction="sum")
                correct += (logits.argmax(1) == test_y[s:s + size]).sum()
        return loss.item() / len(test_x), correct.item() / len(test_x)

    steps(5)
    evaluate()
    a, b = torch.randn(2048, 2048, device=device), torch.randn(2048, 2048, device=device)
    a @ b
    sync()
    start = time.perf_counter()
    for _ in range(5):
        a @ b
    sync()
    gflops = 2 * 2048 ** 3 * 5 / (time.perf_counter() - start) / 1e9
    del a, b
    print("ready " + json.dumps({"version": torch.__version__, "matmulGflops": gflops, "blas": blas()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "epoch":
            break
        start = time.perf_counter()
        steps(None)
        sync()
        trained = time.perf_counter()
        evaluate()
        evaluated = time.perf_counter()
        torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict()}, checkpoint)
        saved = time.perf_counter()
        print(json.dumps({"steps": trained - start, "evaluation": evaluated - trained, "checkpoint": saved - evaluated,
                          "samples": len(train_x)}), flush=True)
    os.remove(checkpoint)
    os.rmdir(os.path.dirname(checkpoint))


if __name__ == "__main__":
    main()
