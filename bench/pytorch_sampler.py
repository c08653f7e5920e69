#!/usr/bin/python3
"""A PyTorch sampler of the StemGen model (the twin of pytorch_train_step.py, same architecture and
parameter count as the C# presets), decoding one stem the way stemgen generate does with the `best`
preset: level by level, the cosine schedule, eq. 3 guidance as one batch of the three conditionings
(c_a, c_i, none), log_softmax, temperature, Gumbel-max sampling, the eq. 1 ranking (w = 0.1, 0.1, 1)
and unmasking. Written as a PyTorch user would: logits of the decoded level at every position,
libtorch 1.13's explicit attention. Reports ms per decoding step (mean over the whole decode) and
seconds per stem of the full 128,64,32,32 schedule (mean step x 256).

    /usr/bin/python3 bench/pytorch_sampler.py --presets tiny,small --seconds 20 --steps 16,8,4,4 --threads 2
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_train_step import CODES, LEVELS, PRESETS, StemGen  # noqa: E402

FULL_SCHEDULE = 256  # 128 + 64 + 32 + 32


def mask_schedule(tokens, steps):
    counts = [tokens]
    for s in range(1, steps + 1):
        cosine = math.floor(math.cos(math.pi / 2 * s / steps) * tokens)
        counts.append(0 if s == steps else max(0, min(cosine, counts[-1] - 1)))
    return counts


@torch.no_grad()
def decode(model, context, category, schedule, generator, la=3.0, li=3.0, temperature=1.0, w=(0.1, 0.1, 1.0)):
    b, levels, t = context.shape
    tokens = torch.full_like(context, CODES)
    terms = [(False, True, la), (True, False, li), (True, True, 1.0 - la - li)]  # (drop context, drop category, weight)
    n = len(terms)
    drop_a = torch.tensor([dc for dc, _, _ in terms for _ in range(b)])
    drop_i = torch.tensor([dk for _, dk, _ in terms for _ in range(b)])
    causal = 1.0 - torch.arange(t, dtype=torch.float64) / t
    steps_done = 0
    for q in range(levels):
        counts = mask_schedule(t, schedule[q])
        for s in range(1, schedule[q] + 1):
            hidden = model.hidden(context.repeat(n, 1, 1), tokens.repeat(n, 1, 1), category.repeat(n), drop_a, drop_i)
            logp = model.heads[q](hidden).log_softmax(-1)                                   # (nB, T, K)
            guided = sum(logp[i * b:(i + 1) * b] * terms[i][2] for i in range(n))
            tempered = (guided / temperature).log_softmax(-1)
            u = torch.rand(b, t, CODES, generator=generator).clamp(1e-10, 1 - 1e-7)
            choice = (tempered - torch.log(-torch.log(u))).argmax(-1)                        # (B, T)
            confidence = tempered.gather(-1, choice.unsqueeze(-1)).squeeze(-1).exp()
            uniform = torch.rand(b, t, generator=generator)
            level = tokens[:, q]
            masked = level == CODES
            rank = (confidence.double() * w[0] + causal * w[1] + uniform.double() * w[2]).masked_fill(~masked, -math.inf)
            place = rank.argsort(-1, descending=True).argsort(-1)
            chosen = (place < counts[s - 1] - counts[s]) & masked
            tokens[:, q] = torch.where(chosen, choice, level)
            steps_done += 1
    return tokens, steps_done


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", default="tiny,small")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--steps", default="128,64,32,32")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    schedule = [int(s) for s in args.steps.split(",")]
    frames = int(round(args.seconds * 50))
    results = []
    for preset in args.presets.split(","):
        model = StemGen(**PRESETS[preset]).eval()
        params = sum(p.numel() for p in model.parameters())
        generator = torch.Generator().manual_seed(1)
        context = torch.randint(0, CODES, (1, LEVELS, frames), generator=generator)
        category = torch.zeros(1, dtype=torch.long)
        start, cpu = time.perf_counter(), time.process_time()
        _, steps = decode(model, context, category, schedule, generator)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        step_ms = 1000 * elapsed / steps
        results.append(dict(preset=preset, params=params, frames=frames, steps=steps, seconds=elapsed, cpu_seconds=cpu, step_ms=step_ms,
                            stem_s=step_ms * FULL_SCHEDULE / 1000, cpu_stem_s=cpu / steps * FULL_SCHEDULE))
        if not args.json:
            print(f"{preset:<6} {params:>12,} params  T {frames}  {steps} steps in {elapsed:7.2f} s  {step_ms:8.1f} ms/step  "
                  f"{step_ms * FULL_SCHEDULE / 1000:8.1f} s per {args.seconds:g} s stem ({FULL_SCHEDULE} steps), CPU {cpu:.2f} s")
    if args.json:
        print(json.dumps(dict(impl="pytorch", torch=torch.__version__, threads=torch.get_num_threads(), seconds=args.seconds,
                              schedule=schedule, results=results)))


if __name__ == "__main__":
    main()
