#!/usr/bin/env python3
"""Writes the TorchScript fixtures of gpu-worker's tests, and the numbers PyTorch computes for them.

    python3 tools/make_torchscript_fixtures.py   # Debian's python3-torch (1.13); its archives load in libtorch 2.7.1
    python3 tools/make_torchscript_fixtures.py --mlp PATH   # the 784-512-512-10 MLP that ./valley bench torchscript uses

Two networks for 1x28x28 inputs and 10 classes, seeded: a rerun writes the same weights and numbers (only the
order of a few constants in the archives' source differs):
  resnet.pt  a small residual network: convolutions, BatchNorm2d, skips (non-default running statistics);
  mixer.pt   LayerNorm, GELU and dropout between linear layers;
and, without numbers: spirals.pt (for the end-to-end tests: an MLP with BatchNorm1d for 2-D points and 3 classes),
traced.pt (an MLP saved by torch.jit.trace) and three modules the inspection refuses:
three_channels.pt (forward fails on 1x28x28), seven_classes.pt, no_parameters.pt, and cut_pickle.pt (resnet.pt with
its data.pkl cut in half, which libtorch cannot load).
For each, <name>.json holds the state_dict's names, shapes and dtypes in order, which are buffers, and the logits
of a fixed batch in eval mode: before and after the batch-norm running variances are multiplied by 4 (resnet).
It also holds, for the archive as saved:
  grad      the gradient of cross-entropy(eval-mode logits of the fixed batch, labels 3, 1, 4) for every parameter
            (its first 512 values, flattened);
  updateBn  torch.optim.swa_utils.update_bn over formula() in batches of 4: every buffer after it, and the logits
            of the fixed batch in eval mode then (resnet).
"""
import copy
import json
import zipfile
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent.parent / "gpu-worker" / "src" / "test" / "resources" / "torchscript"


class Block(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(channels)
        self.conv2 = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(channels)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class ResNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.blocks = torch.nn.Sequential(Block(4), Block(4))
        self.head = torch.nn.Linear(4, 10)

    def forward(self, x):
        x = torch.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        return self.head(x.mean(dim=(2, 3)))


class Mixer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = torch.nn.Linear(784, 32)
        self.norm = torch.nn.LayerNorm(32)
        self.drop = torch.nn.Dropout(0.25)
        self.out = torch.nn.Linear(32, 10)

    def forward(self, x):
        return self.out(self.drop(torch.nn.functional.gelu(self.norm(self.inp(x.flatten(1))))))


def batch():
    g = torch.Generator().manual_seed(7)
    return torch.rand(3, 1, 28, 28, generator=g)


def formula(n):
    """n samples anyone can recompute in float32: ((i * 7919) mod 1000) / 1000 over the flattened index i."""
    i = torch.arange(n * 784, dtype=torch.int64)
    return ((i * 7919) % 1000).to(torch.float32).div(1000).reshape(n, 1, 28, 28)


def write(name, net):
    torch.manual_seed(0)
    x = batch()
    # Running statistics that differ from a fresh network's: a few batches in train mode.
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.rand(8, 1, 28, 28))
    net.eval()
    scripted = torch.jit.script(net)
    scripted.save(str(OUT / f"{name}.pt"))
    state = {n: t.clone() for n, t in scripted.state_dict().items()}
    buffers = {n for n, _ in scripted.named_buffers()}
    facts = {"stateDict": [{"name": n, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
                            "buffer": n in buffers} for n, t in state.items()],
             "input": "torch.rand(3, 1, 28, 28) with torch.Generator().manual_seed(7)",
             "eval": scripted(x).tolist()}
    logits = scripted(x)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([3, 1, 4]))
    grads = torch.autograd.grad(loss, list(scripted.parameters()))
    facts["grad"] = {n: g.flatten()[:512].tolist() for (n, _), g in zip(scripted.named_parameters(), grads)}
    if buffers:
        # update_bn finds batch norms by their Python class, which a scripted module's submodules are not:
        # it runs on an eager copy of the same network.
        eager = copy.deepcopy(net)
        eager.load_state_dict(state)
        torch.optim.swa_utils.update_bn(list(formula(12).split(4)), eager)
        eager.eval()
        with torch.no_grad():
            facts["updateBn"] = {"buffers": {n: b.flatten().tolist() for n, b in eager.named_buffers()},
                                 "eval": eager(x).tolist()}
        with torch.no_grad():
            for n, b in scripted.named_buffers():
                if n.endswith("running_var"):
                    b.mul_(4)
        facts["evalVarianceTimes4"] = scripted(x).tolist()
    facts["x"] = x.flatten().tolist()
    (OUT / f"{name}.json").write_text(json.dumps(facts, indent=1) + "\n")
    print(f"wrote {name}.pt and {name}.json: {len(state)} tensors, {len(buffers)} buffers")


class Spirals(torch.nn.Module):
    """For Valley's spirals (2-D points, 3 classes): Linear, BatchNorm1d, ReLU, Linear, ReLU, Linear."""
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(2, 32)
        self.bn = torch.nn.BatchNorm1d(32)
        self.fc2 = torch.nn.Linear(32, 32)
        self.out = torch.nn.Linear(32, 3)

    def forward(self, x):
        return self.out(torch.relu(self.fc2(torch.relu(self.bn(self.fc1(x))))))


class ThreeChannels(torch.nn.Module):
    """Expects 3-channel images: its forward fails on Fashion-MNIST's 1x28x28."""
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.head = torch.nn.Linear(4, 10)

    def forward(self, x):
        return self.head(self.conv(x).mean(dim=(2, 3)))


class SevenClasses(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(784, 7)

    def forward(self, x):
        return self.fc(x.flatten(1))


class NoParameters(torch.nn.Module):
    def forward(self, x):
        return x.flatten(1)[:, :10]


class Traced(torch.nn.Module):
    """A small MLP, saved by torch.jit.trace rather than torch.jit.script."""
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 16)
        self.fc2 = torch.nn.Linear(16, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def write_other(name, net, traced=False):
    """An archive without numbers: a module the inspection must refuse, or one saved another way."""
    torch.manual_seed(2)
    module = torch.jit.trace(net, batch()) if traced else torch.jit.script(net)
    module.save(str(OUT / f"{name}.pt"))
    print(f"wrote {name}.pt")


def write_cut_pickle(source, name):
    """source's archive with its data.pkl cut in half: a zip of TorchScript's layout that libtorch cannot load."""
    with zipfile.ZipFile(OUT / source) as zin, zipfile.ZipFile(OUT / name, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, data[: len(data) // 2] if info.filename.endswith("/data.pkl") else data)
    print(f"wrote {name}")


class Mlp(torch.nn.Module):
    """Valley's built-in mlp as a module of one's own: the same state_dict names (layers.{i}), ReLU between."""
    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = torch.relu(x)
        return x


def write_mlp(path):
    """For `./valley bench torchscript`: the 784-512-512-10 MLP (2.7 MB, so made when asked, not committed)."""
    torch.manual_seed(0)
    torch.jit.script(Mlp([784, 512, 512, 10])).save(path)
    print(f"wrote {path}")


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--mlp":
        write_mlp(sys.argv[2])
        sys.exit(0)
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    write("resnet", ResNet())
    torch.manual_seed(1)
    write("mixer", Mixer())
    write_other("spirals", Spirals())
    write_other("three_channels", ThreeChannels())
    write_other("seven_classes", SevenClasses())
    write_other("no_parameters", NoParameters())
    write_other("traced", Traced(), traced=True)
    write_cut_pickle("resnet.pt", "cut_pickle.pt")
