#!/usr/bin/env python3
"""Turns the outputs of scripts/gpu-check.sh run (results/NAME.out, NAME.status.json) into report.json and report.md.

FLOP/s: generation uses the bench's forward FLOPs per decoding step (2 x matmul parameters x positions + attention,
times the passes of the guidance batch); training uses 6 x parameters x positions per step. The fraction of the bf16
peak (--peak-tflops, dense: H200 989) is reported on CUDA only. Exit code 1 when a step failed or a test failed."""
import argparse, datetime, json, os, re, sys

p = argparse.ArgumentParser()
p.add_argument("--results", required=True)
p.add_argument("--out", required=True)
p.add_argument("--device", required=True)
p.add_argument("--peak-tflops", type=float, default=989.0)
p.add_argument("--pack", default="")
p.add_argument("--seconds", type=int, default=0)
p.add_argument("--train-only", action="store_true")
a = p.parse_args()
peak = a.peak_tflops * 1e12 if a.device != "cpu" else None


def read(name):
    status, text = {}, ""
    try:
        status = json.load(open(os.path.join(a.results, name + ".status.json")))
        text = open(os.path.join(a.results, name + ".out")).read()
    except OSError:
        pass
    data = None
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
                break
            except ValueError:
                pass
    return status, text, data


def frac(flops_per_s):
    return None if peak is None else flops_per_s / peak


steps = {}
report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "device": a.device,
          "peak_bf16_tflops": a.peak_tflops if peak else None, "run_seconds": a.seconds}
try:
    report["commit"] = open(os.path.join(a.pack, "COMMIT")).read().strip()
except OSError:
    pass
try:
    steps["shim"] = json.load(open(os.path.join(a.results, "shim.status.json")))
    report["shim_build_seconds"] = steps["shim"]["seconds"]
except OSError:
    steps["shim"] = {}

status, text, _ = read("info")
steps["info"] = status
report["info"] = text.strip().splitlines()[:12]
m = re.search(r"^libtorch\s+(\S+)", text, re.M)
if m:
    report["torch"] = m[1]

status, text, _ = read("tests")
steps["tests"] = status
m = re.search(r"(\d+) passed, (\d+) failed, (\d+) skipped", text)
report["tests"] = {"passed": int(m[1]), "failed": int(m[2]), "skipped": int(m[3])} if m else None
report["test_failures"] = [l for l in text.splitlines() if l.startswith(("FAIL ", "ERROR "))][:20]

status, _, g = read("generation")
steps["generation"] = status
if g:
    report.setdefault("torch", g.get("torch"))
    report["generation"] = {
        "seconds": g["seconds"], "steps": g["steps"], "max_steps_timed": g["max_steps"],
        "codec_tiny": g.get("codec"),
        "results": [{
            "preset": r["config"], "params": r["params"], "mode": r["mode"], "frames": r["frames"], "passes_per_step": r["batch"],
            "step_ms": r["step_s"] * 1000, "seconds_per_stem": r["stem_seconds"], "passes_per_s": r["passes_per_s"],
            "tflops_per_s": r["flops_per_s"] / 1e12, "fraction_of_bf16_peak": frac(r["flops_per_s"])} for r in g["results"]],
    }

status, _, t = read("training")
steps["training"] = status
if t:
    report.setdefault("torch", t.get("torch"))
    report["training"] = {
        "batch": t["batch"], "frames": t["frames"], "steps": t["steps"], "warmup": t["warmup"],
        "results": [{
            "preset": r["preset"], "params": r["params"], "step_ms": r["median_ms"], "tokens_per_s": r["tokens_per_s"],
            "bf16_autocast": r.get("bf16_autocast"), "model_tflops_per_s": r["model_flops_per_s"] / 1e12,
            "mfu": frac(r["model_flops_per_s"])} for r in t["results"]],
    }

status, _, c = read("codec")
steps["codec"] = status
if c:
    report["codec"] = {"seconds": c["seconds"], "repeats": c["repeats"], "results": c["results"]}

if os.path.exists(os.path.join(a.results, "train.status.json")):
    status, text, _ = read("train")
    # A time-boxed run ends by SIGTERM: timeout's 124 and the trainer's 130 (checkpointed and exported) are success.
    steps["train"] = dict(status, rc=0 if status.get("rc") in (0, 124, 130) else status.get("rc", 1), exit=status.get("rc"))
    lines = text.splitlines()
    validations = [l for l in lines if l.startswith("validation step")]
    report["train"] = {"header": [l for l in lines if l.startswith(("model ", "training ", "data "))],
                       "validations": len(validations), "last_validation": validations[-1] if validations else None,
                       "end": [l for l in lines if l.startswith(("stopped", "exported"))]}
    try:
        report["train"]["model"] = json.load(open(os.path.join(a.results, "model.json")))
    except OSError:
        steps["train"]["rc"] = steps["train"]["rc"] or 1
        report["train"]["model"] = None

report["steps"] = steps
# --train-only runs no tests and no benchmarks: those steps are left out, not failed.
if a.train_only:
    steps = {n: s for n, s in steps.items() if n not in ("tests", "generation", "training", "codec")}
failed = [n for n, s in steps.items() if s.get("rc", 1) != 0]
if steps["shim"].get("rc", 1) != 0:
    failed = ["shim (no step ran)"]
if report["tests"] and report["tests"]["failed"] and not a.train_only:
    failed.append("tests: %d failed" % report["tests"]["failed"])
report["ok"] = not failed
report["failed_steps"] = failed
json.dump(report, open(os.path.join(a.out, "report.json"), "w"), indent=2)


def f(x, spec):
    return "n/a" if x is None else format(x, spec)


md = [f"# GPU check: {a.device}", "",
      f"{report['date']}, libtorch {report.get('torch', '?')}, commit {report.get('commit', '?')[:10]}, "
      f"run {a.seconds} s (shim build {report.get('shim_build_seconds', '?')} s)"
      + (f", bf16 peak {a.peak_tflops:g} TFLOP/s" if peak else "") + ".", ""]
md += ["`stemgen info`:", ""] + [f"    {l}" for l in report["info"]] + [""]
tests = report["tests"]
md.append(f"**Binding tests** (DeviceTests on {a.device}): " +
          (f"{tests['passed']} passed, {tests['failed']} failed, {tests['skipped']} skipped" if tests else "no result") + ".")
md += [f"    {l[:300]}" for l in report["test_failures"]]
md.append("")
if "generation" in report:
    gen = report["generation"]
    md += [f"**Generation** of a {gen['seconds']:g} s stem, schedule {gen['steps']} ({sum(gen['steps'])} steps), "
           f"median of the first {gen['max_steps_timed']} steps (first = warm-up):", "",
           "| preset | params | mode | T | passes/step | ms/step | s per stem | passes/s | TFLOP/s | of bf16 peak |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in gen["results"]:
        md.append(f"| {r['preset']} | {r['params'] / 1e6:.1f} M | {r['mode']} | {r['frames']} | {r['passes_per_step']} | {r['step_ms']:.1f} | "
                  f"{r['seconds_per_stem']:.2f} | {r['passes_per_s']:.1f} | {r['tflops_per_s']:.4f} | {f(r['fraction_of_bf16_peak'], '.2%')} |")
    ct = gen.get("codec_tiny")
    if ct:
        md += ["", f"Codec tiny (random) inside the generation bench: encode {ct['encode_s']:.2f} s, decode {ct['decode_s']:.2f} s "
                   f"for {gen['seconds']:g} s of audio."]
    md.append("")
if "training" in report:
    tr = report["training"]
    md += [f"**Training**, batch {tr['batch']} x {tr['frames']} frames, median of {tr['steps']} steps after {tr['warmup']} warm-up "
           "(model FLOPs = 6 x params x positions):", "",
           "| preset | params | bf16 autocast | ms/step | target tokens/s | model TFLOP/s | MFU |",
           "|---|---:|---|---:|---:|---:|---:|"]
    for r in tr["results"]:
        md.append(f"| {r['preset']} | {r['params'] / 1e6:.1f} M | {'yes' if r['bf16_autocast'] else 'no'} | {r['step_ms']:.1f} | "
                  f"{r['tokens_per_s']:,.0f} | {r['model_tflops_per_s']:.4f} | {f(r['mfu'], '.2%')} |")
    md.append("")
if "codec" in report:
    co = report["codec"]
    md += [f"**Codec**, {co['seconds']:g} s of audio, best of {co['repeats']}:", "",
           "| codec | encode x real time | decode x real time |", "|---|---:|---:|"]
    for r in co["results"]:
        md.append(f"| {r['config']} | {r['encode_x_realtime']:.1f} | {r['decode_x_realtime']:.1f} |")
    md.append("")
if "train" in report:
    tr = report["train"]
    md += ["**Training run** on the carried token pack (time-boxed; stopped by SIGTERM, checkpointed, exported):", ""]
    md += [f"    {l}" for l in tr["header"] + ([tr["last_validation"]] if tr["last_validation"] else []) + tr["end"]]
    model = tr["model"]
    md += ["", f"Model returned in {len(model['parts'])} part(s), sha256 {model['sha256'][:16]}..., {model['bytes'] / 1048576:.1f} MiB: "
           "`cat model.safetensors.part-* > model.safetensors && sha256sum -c model.safetensors.sha256`" if model else "No model came back.", ""]
md += ["| step | exit | seconds | limit |", "|---|---:|---:|---:|"]
for n, s in steps.items():
    md.append(f"| {n} | {s.get('rc', 'missing')} | {s.get('seconds', '')} | {s.get('limit', '')} |")
md += ["", "**Result: " + ("all steps passed**" if report["ok"] else "FAILED: " + ", ".join(failed) + "**")]
open(os.path.join(a.out, "report.md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
sys.exit(0 if report["ok"] else 1)
