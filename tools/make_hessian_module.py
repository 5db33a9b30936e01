#!/usr/bin/python3
"""Writes the TorchScript archive the worker's hessian job runs its Hessian-vector products with.

DJL exposes backward() but not torch.autograd.grad: a double backward through backward() must create the graph into
the parameters' .grad fields, which ties each parameter to its gradient in a reference cycle that libtorch cannot
free (DJL has no way to reset .grad to None). This module does what PyHessian's hessian_vector_product does, with
torch.autograd.grad, which leaves .grad alone. It holds no weights: the loss and its graph come from the worker.

Run it with Debian's python3-torch (1.13; the archive loads in libtorch 2.7.1) after changing the function:
    /usr/bin/python3 tools/make_hessian_module.py [OUT]
(HessianVectorProductsTest writes it to a temporary OUT and compares the code with the committed archive's.)
"""
from typing import List, Optional
import pathlib
import sys

import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / (
    "gpu-worker/src/main/resources/dev/valley/worker/science/hessian/hessian-vector-product.pt")


class HessianVectorProduct(torch.nn.Module):
    def forward(self, loss: torch.Tensor, parameters: List[torch.Tensor],
                vectors: List[torch.Tensor]) -> List[torch.Tensor]:
        """[g_1..g_n, (Hv_1)_1..(Hv_1)_n, ..., (Hv_k)_1..(Hv_k)_n] for the n parameters and k vectors, given as
        one flat list of k*n tensors: g = dloss/dparameters, Hv_j = d(g . v_j)/dparameters."""
        n = len(parameters)
        k = len(vectors) // n
        first = torch.autograd.grad([loss], parameters, create_graph=True, allow_unused=True)
        gradients: List[torch.Tensor] = []
        differentiable: List[torch.Tensor] = []
        which: List[int] = []
        for i in range(n):
            g = first[i]
            if g is None:
                gradients.append(torch.zeros_like(parameters[i]))
            else:
                gradients.append(g.detach())
                if g.requires_grad:
                    differentiable.append(g)
                    which.append(i)
        out: List[torch.Tensor] = gradients
        for j in range(k):
            products: List[torch.Tensor] = []
            for i in range(n):
                products.append(torch.zeros_like(parameters[i]))
            if len(differentiable) > 0:
                directions: List[Optional[torch.Tensor]] = []
                for i in which:
                    directions.append(vectors[j * n + i])
                second = torch.autograd.grad(differentiable, parameters, grad_outputs=directions,
                                             retain_graph=j < k - 1, allow_unused=True)
                for i in range(n):
                    h = second[i]
                    if h is not None:
                        products[i] = h
            out = out + products
        return out


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    torch.jit.script(HessianVectorProduct()).save(str(out))
    print("wrote", out)
