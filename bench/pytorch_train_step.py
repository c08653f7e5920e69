#!/usr/bin/python3
"""The PyTorch twin of stemgen-train-bench (bench/StemGen.Training.Bench): one StemGen training step
with the same model (Fig. 3 token combination, bidirectional LLaMA blocks with RoPE and SwiGLU, one
head per level), the same batch shapes, the same Fig. 4 masking and condition dropout, the masked-
token loss on level-q tokens only (heads run on the scored positions only, as in C#), global-norm
clipping and AdamW (weight decay on 2+ dim tensors). Reports target tokens (B x Q x T) per second.

Run it with Debian's interpreter, which has python3-torch (libtorch 1.13, as the C# binding):
    /usr/bin/python3 bench/pytorch_train_step.py --threads 2 --presets tiny,small
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # StemGenConfig: Levels 4, CodebookSize 2048, Categories 18
    "tiny": dict(dim=128, heads=4, layers=2),
    "small": dict(dim=512, heads=8, layers=8),
    "paper": dict(dim=1024, heads=16, layers=20),
}
LEVELS, CODES, CATEGORIES = 4, 2048, 18


def ffn_width(dim):
    return 256 * math.ceil(8.0 * dim / 3.0 / 256.0)


class RmsNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.attention_norm, self.ffn_norm = RmsNorm(dim), RmsNorm(dim)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        hidden = ffn_width(dim)
        self.w1, self.w3 = nn.Linear(dim, hidden, bias=False), nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.attention_norm(x)
        q, k, v = (w(h).view(b, t, self.heads, self.head_dim).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        # libtorch 1.13 has no fused attention: the explicit softmax(q k^T / sqrt(Dh)) v, no mask (bidirectional).
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(self.head_dim), dim=-1) @ v
        x = x + self.wo(att.transpose(1, 2).reshape(b, t, d))
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class StemGen(nn.Module):
    def __init__(self, dim, heads, layers):
        super().__init__()
        c = dim // 2
        self.context = nn.ModuleList(nn.Embedding(CODES, c) for _ in range(LEVELS))
        self.target = nn.ModuleList(nn.Embedding(CODES + 1, c) for _ in range(LEVELS))
        self.category = nn.Embedding(CATEGORIES + 1, c)
        self.null_context = nn.Parameter(torch.zeros(c))
        self.layers = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.norm = RmsNorm(dim)
        self.heads = nn.ModuleList(nn.Linear(dim, CODES, bias=False) for _ in range(LEVELS))
        head_dim = dim // heads
        inv = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
        freqs = torch.outer(torch.arange(2048).float(), inv)
        self.register_buffer("cos", torch.cat((freqs, freqs), -1).cos(), persistent=False)
        self.register_buffer("sin", torch.cat((freqs, freqs), -1).sin(), persistent=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, 0, 0.02)

    def hidden(self, context, target, category, drop_context, drop_category):
        b, _, t = context.shape
        a = sum(self.context[q](context[:, q]) for q in range(LEVELS))
        a = torch.where(drop_context.view(b, 1, 1), self.null_context, a)
        s = sum(self.target[q](target[:, q]) for q in range(LEVELS))
        category = torch.where(drop_category, torch.full_like(category, CATEGORIES), category)
        c = self.category(category).unsqueeze(1)
        x = torch.cat((a + c, s + c), -1)
        cos, sin = self.cos[:t], self.sin[:t]
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.norm(x)


def mask(target):
    """Fig. 4: level q per example; ceil(cos(u pi/2) T) (>= 1) tokens of q masked; finer levels masked."""
    b, levels, t = target.shape
    q = torch.randint(0, levels, (b,))
    u = torch.rand(b, dtype=torch.float64)
    counts = torch.clamp(torch.ceil(torch.cos(u * math.pi / 2) * t), 1, t).long()
    rank = torch.rand(b, t).argsort(-1).argsort(-1)
    chosen = rank < counts.unsqueeze(1)
    all_levels = torch.arange(levels).unsqueeze(0)
    loss_mask = (all_levels == q.unsqueeze(1)).unsqueeze(2) & chosen.unsqueeze(1)
    input_mask = loss_mask | (all_levels > q.unsqueeze(1)).unsqueeze(2)
    return target.masked_fill(input_mask, CODES), loss_mask


def step(model, optimizer, batch, frames):
    context = torch.randint(0, CODES, (batch, LEVELS, frames))
    truth = context.roll(-1, 2)
    category = torch.randint(0, CATEGORIES, (batch,))
    masked, loss_mask = mask(truth)
    drop_context, drop_category = torch.rand(batch) < 0.2, torch.rand(batch) < 0.2
    hidden = model.hidden(context, masked, category, drop_context, drop_category).reshape(batch * frames, -1)
    total, count = 0, 0
    for q in range(LEVELS):
        selected = loss_mask[:, q].reshape(-1)
        n = int(selected.sum())
        if n == 0:
            continue
        logits = model.heads[q](hidden[selected])
        total = total + F.cross_entropy(logits, truth[:, q].reshape(-1)[selected], reduction="sum")
        count += n
    loss = total / count
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", default="tiny,small")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--frames", type=int, default=250)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.device != "cpu":
        parser.error("only --device cpu is supported here")
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    results = []
    if not args.json:
        print(f"PyTorch training step: torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch} x {args.frames} frames, "
              f"{args.warmup} warm-up + {args.steps} timed steps")
    for preset in args.presets.split(","):
        model = StemGen(**PRESETS[preset])
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=5e-4)
        params = sum(p.numel() for p in model.parameters())
        times = []
        for i in range(args.warmup + args.steps):
            start = time.perf_counter()
            step(model, optimizer, args.batch, args.frames)
            if i >= args.warmup:
                times.append(1000 * (time.perf_counter() - start))
        tokens = args.batch * LEVELS * args.frames
        median = statistics.median(times)
        results.append(dict(preset=preset, params=params, median_ms=median, min_ms=min(times), steps_ms=times, tokens_per_step=tokens,
                            tokens_per_s=tokens / median * 1000))
        if not args.json:
            print(f"{preset:<6} {params:>12,} params  median {median:9.1f} ms/step  min {min(times):9.1f}  {tokens / median * 1000:10,.0f} target tokens/s")
    if args.json:
        print(json.dumps(dict(impl="pytorch", torch=torch.__version__, threads=torch.get_num_threads(), device=args.device, batch=args.batch,
                              frames=args.frames, warmup=args.warmup, steps=args.steps, results=results)))


if __name__ == "__main__":
    main()
