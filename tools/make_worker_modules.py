#!/usr/bin/env python3
"""Writes the two TorchScript modules the worker carries as resources (Debian's python3-torch):

    /usr/bin/python3 tools/make_worker_modules.py

precision-cast.pt (Autocast): DJL 0.36's JNI maps only its first nine data types to torch's, so
NDArray.toType(BFLOAT16) and every creation with that type end in std::terminate (the whole JVM), and its
toType detaches from autograd. A method of a TorchScript module does neither, so the worker hands its tensors to
this one: valley_hold(tensors), then forward(direction), where direction's size picks the way (one element: to
bfloat16, none: to float32) without reading it, which on CUDA would wait for the device.

sgd-step.pt (Sgd): torch.optim.SGD's foreach update in one call. DJL has no in-place arithmetic with alpha and a
JNI call per operation, so a step of SGD with momentum and weight decay cost eight calls and passes per parameter.
valley_hold(parameters, momentum buffers) once, then valley_step(lr, momentum, weight_decay) per step. The step
returns every tensor it wrote: libtorch 2.7.1 drops in-place foreach operations whose results a method does not
return (measured: the parameters did not move).

The archives are committed beside the classes that load them; this script is how they were made.
"""
from pathlib import Path
from typing import List

import torch

TARGET = (Path(__file__).resolve().parent.parent / "gpu-worker" / "src" / "main" / "resources" / "dev" / "valley"
          / "worker" / "science")


class PrecisionCast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.held = torch.jit.Attribute([], List[torch.Tensor])

    @torch.jit.export
    def valley_hold(self, tensors: List[torch.Tensor]) -> None:
        self.held = tensors

    def forward(self, direction: torch.Tensor) -> List[torch.Tensor]:
        tensors = self.held
        self.held = torch.jit.annotate(List[torch.Tensor], [])
        dtype = torch.bfloat16 if direction.numel() == 1 else torch.float32
        return [t.to(dtype) for t in tensors]


class SgdStep(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.parameters_ = torch.jit.Attribute([], List[torch.Tensor])
        self.momentum_buffers = torch.jit.Attribute([], List[torch.Tensor])

    @torch.jit.export
    def valley_hold(self, parameters: List[torch.Tensor], momentum_buffers: List[torch.Tensor]) -> None:
        self.parameters_ = parameters
        self.momentum_buffers = momentum_buffers

    @torch.jit.export
    def valley_step(self, lr: float, momentum: float, weight_decay: float) -> List[torch.Tensor]:
        params = torch.jit.annotate(List[torch.Tensor], [])
        grads = torch.jit.annotate(List[torch.Tensor], [])
        buffers = torch.jit.annotate(List[torch.Tensor], [])
        for i in range(len(self.parameters_)):
            p = self.parameters_[i]
            g = p.grad
            if g is not None:
                params.append(p)
                grads.append(g)
                buffers.append(self.momentum_buffers[i])
        if weight_decay != 0:
            torch._foreach_add_(grads, params, alpha=weight_decay)
        torch._foreach_mul_(buffers, momentum)
        torch._foreach_add_(buffers, grads)
        torch._foreach_add_(params, buffers, alpha=-lr)
        torch._foreach_zero_(grads)
        return params + buffers + grads

    def forward(self, lr: float) -> float:
        return lr


if __name__ == "__main__":
    for name, module in [("model/precision-cast.pt", PrecisionCast()), ("train/sgd-step.pt", SgdStep())]:
        target = TARGET / name
        target.parent.mkdir(parents=True, exist_ok=True)
        torch.jit.script(module).save(str(target))
        print("wrote", target, target.stat().st_size, "bytes")
