#!/usr/bin/python3
"""The PyTorch twin of stemgen-bench (bench/StemGen.Bench): the same LLaMA-style block, the same
deterministic weights and input, the same harness (warm-up, then N timed steps of forward, loss,
backward, zero grads; median), the same options and the same --json output.

Run it with Debian's interpreter, which has python3-torch (libtorch 1.13, as the C# binding):
    /usr/bin/python3 bench/pytorch_block.py --threads 2
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_SIZES = "1x32x64x2,4x64x128x4,2x128x256x4,1x256x512x8"

# Same order as LlamaBlock.ParameterOrder in C#: the k-th matrix gets sin(0.61803 i + k) / sqrt(fan_in).
PARAMETER_ORDER = [
    "attention_norm.weight", "wq.weight", "wk.weight", "wv.weight", "wo.weight",
    "ffn_norm.weight", "w1.weight", "w2.weight", "w3.weight",
]


def hidden_for(dim):
    """SwiGLU hidden width as in LLaMA: 256 * ceil((8d/3) / 256)."""
    return 256 * math.ceil(8.0 * dim / 3.0 / 256.0)


class RmsNorm(nn.Module):
    """x * rsqrt(mean(x^2) + eps) * weight: the ops of the binding's sg_rms_norm (float32 input)."""

    def __init__(self, dim, eps=1e-5, device=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim, device=device))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def scaled_dot_product_attention(q, k, v):
    """The binding's sg_sdpa on libtorch 1.x (no mask, no dropout): softmax(q k^T / sqrt(Dh)) v."""
    scale = 1.0 / math.sqrt(q.size(-1))
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    return torch.matmul(torch.softmax(scores, -1), v)


class LlamaBlock(nn.Module):
    def __init__(self, dim, heads, device=None):
        super().__init__()
        assert dim % heads == 0 and (dim // heads) % 2 == 0
        self.dim, self.heads, self.head_dim, self.hidden = dim, heads, dim // heads, hidden_for(dim)
        self.attention_norm = RmsNorm(dim, 1e-5, device)
        self.wq = nn.Linear(dim, dim, bias=False, device=device)
        self.wk = nn.Linear(dim, dim, bias=False, device=device)
        self.wv = nn.Linear(dim, dim, bias=False, device=device)
        self.wo = nn.Linear(dim, dim, bias=False, device=device)
        self.ffn_norm = RmsNorm(dim, 1e-5, device)
        self.w1 = nn.Linear(dim, self.hidden, bias=False, device=device)
        self.w2 = nn.Linear(self.hidden, dim, bias=False, device=device)
        self.w3 = nn.Linear(dim, self.hidden, bias=False, device=device)

    @torch.no_grad()
    def init_deterministic(self):
        params = dict(self.named_parameters())
        for k, name in enumerate(PARAMETER_ORDER):
            p = params[name]
            if p.dim() != 2:
                continue
            out_f, in_f = p.shape
            values = (torch.arange(0, out_f * in_f, 1, dtype=torch.float32, device=p.device) * 0.61803 + float(k)).sin()
            p.copy_((values * (1.0 / math.sqrt(in_f))).reshape(out_f, in_f))

    def forward(self, x, cos, sin):
        h = x + self.attention(self.attention_norm(x), cos, sin)
        return h + self.feed_forward(self.ffn_norm(h))

    def attention(self, x, cos, sin):
        b, t, _ = x.shape
        q = self.wq(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.wk(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = self.wv(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q = self.apply_rotary(q, cos, sin)
        k = self.apply_rotary(k, cos, sin)
        y = scaled_dot_product_attention(q, k, v)
        return self.wo(y.transpose(1, 2).reshape(b, t, self.dim))

    def feed_forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))

    def apply_rotary(self, x, cos, sin):
        half = self.head_dim // 2
        x1 = x.narrow(-1, 0, half)
        x2 = x.narrow(-1, half, half)
        rotated = torch.cat([-x2, x1], -1)
        return x * cos + rotated * sin


def rotary_tables(seq_len, head_dim, device, theta=10000.0):
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float32, device=device) / float(head_dim)
    inverse_frequencies = (exponents * -math.log(theta)).exp()
    positions = torch.arange(0, seq_len, 1, dtype=torch.float32, device=device)
    angles = positions.unsqueeze(1) * inverse_frequencies.unsqueeze(0)
    table = torch.cat([angles, angles], -1)
    return table.cos(), table.sin()


def parse_size(text):
    parts = text.strip().split("x")
    if len(parts) != 4 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"bad size '{text}': expected BATCHxSEQxDMODELxHEADS, e.g. 4x256x512x8")
    return tuple(int(p) for p in parts)


def positive(text):
    n = int(text)
    if n <= 0:
        raise argparse.ArgumentTypeError("needs a positive integer")
    return n


def step(block, x, cos, sin, sync):
    loss = block(x, cos, sin).square().mean()
    loss.backward()
    block.zero_grad(set_to_none=True)
    if sync:
        torch.cuda.synchronize()


def run(size, args, device):
    batch, seq_len, dim, heads = size
    block = LlamaBlock(dim, heads, device)
    block.init_deterministic()
    cos, sin = rotary_tables(seq_len, block.head_dim, device)
    x = (torch.arange(0, batch * seq_len * dim, 1, dtype=torch.float32, device=device) * 0.37).sin().reshape(batch, seq_len, dim)

    loss = block(x, cos, sin).square().mean()
    loss.backward()
    loss_value = loss.item()
    grad_abs_sum = sum(p.grad.abs().sum().item() for p in block.parameters())
    block.zero_grad(set_to_none=True)
    del loss

    sync = device.type == "cuda"
    for _ in range(args.warmup):
        step(block, x, cos, sin, sync)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(block, x, cos, sin, sync)
        times.append((time.perf_counter() - start) * 1000.0)
    return {
        "batch": batch, "seq_len": seq_len, "dim": dim, "heads": heads, "hidden": block.hidden,
        "params": sum(p.numel() for p in block.parameters()),
        "median_ms": statistics.median(times), "mean_ms": statistics.fmean(times),
        "min_ms": min(times), "max_ms": max(times), "steps_ms": times,
        "loss": loss_value, "grad_abs_sum": grad_abs_sum,
    }


def main():
    parser = argparse.ArgumentParser(description="PyTorch twin of stemgen-bench: one LLaMA block, forward + backward.")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="sizes as BATCHxSEQxDMODELxHEADS, comma-separated")
    parser.add_argument("--steps", type=positive, default=8, help="timed steps per size")
    parser.add_argument("--warmup", type=int, default=2, help="untimed warm-up steps per size")
    parser.add_argument("--threads", type=positive, default=os.cpu_count(), help="intra-op threads (default: all cores)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]

    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("pytorch_block.py: --device cuda, but this torch sees no CUDA device", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    version = torch.__version__.split("a")[0].split("+")[0]

    if not args.json:
        print(f"PyTorch bench: torch {torch.__version__}, {torch.get_num_threads()} intra-op threads, device {device}, "
              f"{args.warmup} warm-up + {args.steps} timed steps per size")
        print(f"{'size (BxTxDxH)':<20} {'hidden':>7} {'params':>10} {'median ms':>10} {'mean ms':>10} {'min ms':>10}  loss")
    results = []
    for size in sizes:
        r = run(size, args, device)
        results.append(r)
        if not args.json:
            name = "x".join(str(v) for v in size)
            print(f"{name:<20} {r['hidden']:>7} {r['params']:>10} {r['median_ms']:>10.2f} {r['mean_ms']:>10.2f} "
                  f"{r['min_ms']:>10.2f}  {r['loss']:.9g}")
    if args.json:
        print(json.dumps({"impl": "pytorch", "torch": version, "threads": torch.get_num_threads(), "device": str(device),
                          "warmup": args.warmup, "steps": args.steps, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
