"""torch-train: a tiny MLP trained for a fixed number of steps on seeded data (CPU, or CUDA
when the manifest's GPU request was granted).

Input ($OGPU_INPUT, JSON): {"steps": 1..10000, "hidden": 1..256, "samples": 1..4096}.
Outputs in $OGPU_OUTPUT: weights.npy (the first layer's weights, float32 [hidden, 8]) and
logits.npy (the trained model on a fixed probe batch, float32 [16, 1]).

Everything is seeded from $OGPU_SEED, so two runs agree up to floating-point reassociation
(thread count, BLAS kernels, GPU model): compare with the `tolerance` class.
"""
import json
import os

import numpy as np
import torch

params = json.load(open(os.environ["OGPU_INPUT"]))
steps, hidden, samples = int(params["steps"]), int(params["hidden"]), int(params["samples"])
if not (1 <= steps <= 10000 and 1 <= hidden <= 256 and 1 <= samples <= 4096):
    raise SystemExit("steps must be 1..10000, hidden 1..256, samples 1..4096")

seed = int(os.environ["OGPU_SEED"])
torch.manual_seed(seed % (2**63))
# CUDA_VISIBLE_DEVICES is "" unless the worker granted GPUs to this job.
device = "cuda" if torch.cuda.is_available() else "cpu"
gen = torch.Generator().manual_seed(seed % (2**63))
x = torch.randn(samples, 8, generator=gen)
y = (x[:, :1] * 0.5 - x[:, 1:2] ** 2 + 0.1 * torch.randn(samples, 1, generator=gen))
probe = torch.randn(16, 8, generator=gen)

model = torch.nn.Sequential(torch.nn.Linear(8, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1)).to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
x, y, probe = x.to(device), y.to(device), probe.to(device)
for _ in range(steps):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()

out = os.environ["OGPU_OUTPUT"]
with torch.no_grad():
    np.save(os.path.join(out, "weights.npy"), model[0].weight.detach().cpu().numpy().astype(np.float32))
    np.save(os.path.join(out, "logits.npy"), model(probe).detach().cpu().numpy().astype(np.float32))
print(f"device={device} steps={steps} final_loss={loss.item():.6f}")
