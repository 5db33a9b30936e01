#!/usr/bin/env python3
"""Writes the TorchScript fixtures of gpu-worker's tests, and the numbers PyTorch computes for them.

    python3 tools/make_torchscript_fixtures.py   # Debian's python3-torch (1.13); its archives load in libtorch 2.7.1

Two networks for 1x28x28 inputs and 10 classes, seeded: a rerun writes the same weights and numbers (only the
order of a few constants in the archives' source differs):
  resnet.pt  a small residual network: convolutions, BatchNorm2d, skips (non-default running statistics);
  mixer.pt   LayerNorm, GELU and dropout between linear layers.
For each, <name>.json holds the state_dict's names, shapes and dtypes in order, which are buffers, and the logits
of a fixed batch in eval mode: before and after the batch-norm running variances are multiplied by 4 (resnet).
It also holds, for the archive as saved:
  grad      the gradient of cross-entropy(eval-mode logits of the fixed batch, labels 3, 1, 4) for every parameter;
  updateBn  torch.optim.swa_utils.update_bn over formula() in batches of 4: every buffer after it, and the logits
            of the fixed batch in eval mode then (resnet).
"""
import copy
import json
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
    facts["grad"] = {n: g.flatten().tolist() for (n, _), g in zip(scripted.named_parameters(), grads)}
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


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    write("resnet", ResNet())
    torch.manual_seed(1)
    write("mixer", Mixer())
