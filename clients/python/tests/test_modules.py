"""A network of the user's own, as TorchScript, through the client: upload, inspection, training, and the trained
weights back in the user's own module. Needs PyTorch (Debian's python3-torch, which .ci/run installs)."""
import io

import pytest

import valley

torch = pytest.importorskip("torch", reason="PyTorch is what makes and reads TorchScript")
TIMEOUT = 600


class Net(torch.nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.hidden = torch.nn.Linear(2, 16)
        self.norm = torch.nn.LayerNorm(16)
        self.out = torch.nn.Linear(16, classes)

    def forward(self, x):
        return self.out(torch.relu(self.norm(self.hidden(x))))


def test_a_module_of_your_own_trains_and_its_weights_load_back_into_it(v):
    torch.manual_seed(0)
    net = Net()
    m = v.models.upload_module(net, dataset="spirals", name="py module", timeout=TIMEOUT)
    assert isinstance(m, valley.Module) and m.status == "READY"
    facts = m["inspection"]
    assert facts["output"] == [2, 3]
    # Linear(2, 16), LayerNorm(16), Linear(16, 3): counted by hand.
    assert facts["parameters"] == (2 * 16 + 16) + (16 + 16) + (16 * 3 + 3)
    assert [t["name"] for t in facts["tensors"]] == list(net.state_dict())
    assert v.models.get(m.id) == m

    t = v.train(dataset="spirals", model=m.spec, init="seed", seed=3, epochs=5, name="py module training")
    t.wait(timeout=TIMEOUT)
    assert (t.spec["model"]["arch"], t.spec["model"]["module"], t.spec["init"]) == ("torchscript", m.id, "seed")
    # The user's own module takes the state_dict as it is, and computes what the job's model.pt computes.
    net.load_state_dict(t.weights(as_torch=True), strict=True)
    trained = torch.jit.load(io.BytesIO(t.read("model.pt")))
    net.eval()
    trained.eval()
    x = torch.randn(64, 2)
    with torch.no_grad():
        torch.testing.assert_close(net(x), trained(x), rtol=1e-5, atol=1e-5)


def test_a_module_its_dataset_cannot_use_is_invalid_with_the_reason(v):
    with pytest.raises(valley.ModuleInvalid, match=r"output has shape \[2, 7\] in eval mode; spirals has 3 classes"):
        v.models.upload_module(Net(classes=7), dataset="spirals", timeout=TIMEOUT)
