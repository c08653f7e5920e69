"""Reference output of VGGish (torchvggish layout, TF-slim head: no final ReLU) for the formula
weights and input that VggishReferenceTests builds in C#. Run with Debian's torch:
    /usr/bin/python3 tests/StemGen.Evaluation.Tests/Reference/vggish_reference.py
and paste the printed values into VggishReferenceTests.Expected. Independent of the C# code: plain
torch.nn layers, the torchvggish forward (features, NCHW -> NHWC transpose, flatten, embeddings)."""
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


def formula(shape, k):
    # w[i] = sin(0.61803 i + k) / sqrt(fan_in), i over the flattened tensor (row-major).
    n = 1
    for s in shape:
        n *= s
    fan_in = n // shape[0] if len(shape) > 1 else 1
    i = torch.arange(n, dtype=torch.float64)
    return (torch.sin(0.61803 * i + k) / fan_in ** 0.5).reshape(shape)


layers = []
cin = 1
for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M"]:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
        cin = v
features = nn.Sequential(*layers)
embeddings = nn.Sequential(nn.Linear(512 * 4 * 6, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 128))

names = ["features.0", "features.3", "features.6", "features.8", "features.11", "features.13", "embeddings.0", "embeddings.2", "embeddings.4"]
modules = {**{"features." + n: m for n, m in features.named_children()}, **{"embeddings." + n: m for n, m in embeddings.named_children()}}
k = 0
with torch.no_grad():
    for name in names:
        m = modules[name]
        m.weight.copy_(formula(tuple(m.weight.shape), k)); k += 1
        m.bias.copy_(formula(tuple(m.bias.shape), k) * 0.1); k += 1
    x = torch.sin(0.37 * torch.arange(2 * 96 * 64, dtype=torch.float64)).reshape(2, 1, 96, 64)
    y = features(x)
    y = torch.transpose(y, 1, 3)
    y = torch.transpose(y, 1, 2)
    y = y.contiguous().view(y.size(0), -1)
    y = embeddings(y)
for row in y:
    print(", ".join(f"{v:.10g}" for v in row.tolist()))
