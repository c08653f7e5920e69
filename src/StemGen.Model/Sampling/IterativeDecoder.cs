using System.Diagnostics;
using StemGen.Torch;

namespace StemGen.Model.Sampling;

/// <summary>Progress of decoding: <paramref name="Step"/> (1-based) of <paramref name="StepsInLevel"/> in <paramref name="Level"/>.</summary>
public sealed record DecodingProgress(int Level, int Step, int StepsInLevel, int TotalSteps, TimeSpan Elapsed)
{
    /// <summary>Steps done so far over all levels (skipped steps of finished levels count as done).</summary>
    public int CompletedSteps { get; init; }
}

/// <summary>
/// Result of decoding: <see cref="Tokens"/> (B, Q, T) long, no MASK left;
/// <see cref="UnmaskStep"/> (B, Q, T) int, the step within its level (0-based) at which each
/// token was fixed, -1 for the caller's fixed tokens (the order of Fig. 5); <see cref="Steps"/> the
/// steps done, counting those skipped once a level had nothing left masked.
/// </summary>
public sealed record DecodingResult(Tensor Tokens, Tensor UnmaskStep, int ForwardPasses, int Steps, TimeSpan Elapsed);

/// <summary>
/// Iterative decoding of the target stem (paper section 2.1.1, docs/masking-and-decoding.md): level by
/// level, coarsest first; within a level, S steps each of which samples every masked position
/// from the guided distribution and keeps the best-ranked ones (rho of eq. 1) so that the number
/// still masked follows floor(cos(pi/2 * s/S) * T), with at least one unmasked per step and none
/// masked after the last step. Tokens fixed by the caller never change.
/// </summary>
public sealed class IterativeDecoder
{
    private readonly ILogitsSource source;

    public IterativeDecoder(ILogitsSource source, SamplingOptions options)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate(source.Levels);
    }

    public SamplingOptions Options { get; }

    /// <summary>
    /// Whether each step computes logits, log-probabilities and noise only at the positions still
    /// masked (default), or at every position as before (the benchmarks' baseline). The uniform draws
    /// are made for every position in both, so the generator's stream is the same and so are the
    /// tokens wherever the logits are; those are equal to float rounding (Sampling/README.md).
    /// </summary>
    public bool MaskedPositionsOnly { get; init; } = true;

    /// <summary>Batched forward calls made by this decoder so far (one per decoding step).</summary>
    public int ForwardPasses { get; private set; }

    /// <summary>
    /// Masked counts of the cosine schedule: element s (0..S) is the number of the
    /// <paramref name="tokens"/> still masked after step s.
    /// </summary>
    public static int[] MaskSchedule(int tokens, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var counts = new int[steps + 1];
        counts[0] = tokens;
        for (var s = 1; s <= steps; s++)
        {
            var cosine = (int)Math.Floor(Math.Cos(Math.PI / 2 * s / steps) * tokens);
            counts[s] = s == steps ? 0 : Math.Max(0, Math.Min(cosine, counts[s - 1] - 1));
        }
        return counts;
    }

    /// <summary>
    /// <paramref name="variations"/> generations for one context (1, Q, T) and category (1):
    /// the inputs repeated along the batch, each copy sampled with its own noise.
    /// </summary>
    public DecodingResult DecodeVariations(Tensor context, Tensor category, int variations,
        Tensor? target = null, Tensor? fixedMask = null, IProgress<DecodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(variations);
        if (context.Size(0) != 1) throw new ArgumentException($"variations need one context (1, Q, T), got [{string.Join(", ", context.Shape)}]", nameof(context));
        using var scope = TorchRuntime.NewDisposeScope();
        var result = Decode(context.Repeat(variations, 1, 1), category.Repeat(variations),
            target?.Repeat(variations, 1, 1), fixedMask?.Repeat(variations, 1, 1), progress, cancellationToken);
        result.Tokens.MoveToOuterScope();
        result.UnmaskStep.MoveToOuterScope();
        return result;
    }

    /// <summary>
    /// Decodes the target tokens for context (B, Q, T) codes and category (B). Where
    /// <paramref name="fixedMask"/> (B, Q, T) bool is true, the tokens of <paramref name="target"/>
    /// (B, Q, T) are kept as given (inpainting: fix everything outside the region); everything
    /// else is generated.
    /// </summary>
    public DecodingResult Decode(Tensor context, Tensor category, Tensor? target = null, Tensor? fixedMask = null,
        IProgress<DecodingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(category);
        var shape = context.Shape;
        if (shape.Length != 3 || shape[1] != source.Levels)
            throw new ArgumentException($"context tokens must be (B, {source.Levels}, T), got [{string.Join(", ", shape)}]", nameof(context));
        int batch = (int)shape[0], levels = (int)shape[1], length = (int)shape[2];
        if (!category.Shape.SequenceEqual(new long[] { batch }))
            throw new ArgumentException($"category must be ({batch}), got [{string.Join(", ", category.Shape)}]", nameof(category));
        var k = source.CodebookSize;
        long mask = k;
        var size = batch * levels * length;

        var tokens = new long[size];
        var fixedAt = new bool[size];
        if (fixedMask is not null)
        {
            if (!fixedMask.Shape.SequenceEqual(shape) || fixedMask.DType != ScalarType.Bool)
                throw new ArgumentException($"fixed mask must be a (B, Q, T) = [{string.Join(", ", shape)}] bool tensor, got {fixedMask}", nameof(fixedMask));
            if (target is null) throw new ArgumentException("fixed tokens need the target tokens they keep", nameof(target));
            fixedMask.Cpu().Contiguous().CopyTo<bool>(fixedAt);
        }
        if (target is not null)
        {
            if (!target.Shape.SequenceEqual(shape))
                throw new ArgumentException($"target tokens must have the context's shape [{string.Join(", ", shape)}], got [{string.Join(", ", target.Shape)}]", nameof(target));
            target.Cpu().To(ScalarType.Int64).Contiguous().CopyTo<long>(tokens);
        }
        for (var i = 0; i < size; i++)
        {
            if (!fixedAt[i]) tokens[i] = mask;
            else if (tokens[i] < 0 || tokens[i] >= k)
                throw new ArgumentException($"fixed target token {tokens[i]} at flat index {i} is outside the codebook [0, {k})", nameof(target));
        }

        // Everything per step stays on the source's device: the tokens, the sampling and the
        // ranking; the host only knows the schedule (how many to unmask), which needs no data
        // from the device. The tokens come back once, at the end.
        var device = source.Device;
        using var contextOnDevice = context.To(device, ScalarType.Int64);
        using var categoryOnDevice = category.To(device, ScalarType.Int64);
        using var tokensOnDevice = Tensor.FromArray(tokens, batch, levels, length).To(device);
        using var unmaskStep = Tensors.Full([batch, levels, length], -1, ScalarType.Int32, device);
        using var causal = 1.0 - Tensors.Arange(0, length, 1, ScalarType.Float64, device) / length; // (T): 1 - t/T of eq. 1
        using var generator = new Generator(Options.Seed, device);
        var w = Options.RankingWeights;
        var totalSteps = Options.TotalSteps;
        var completed = 0;
        var passes = 0;
        var clock = Stopwatch.StartNew();

        for (var q = 0; q < levels; q++)
        {
            var steps = Options.StepsPerLevel[q];
            var schedules = new int[batch][];
            for (var b = 0; b < batch; b++)
            {
                var free = 0;
                for (var t = 0; t < length; t++) if (!fixedAt[Index(b, q, t)]) free++;
                schedules[b] = MaskSchedule(free, steps);
            }
            // (S, B): tokens each example unmasks at step s (still masked before it minus after it).
            var unmaskCounts = new long[steps * batch];
            for (var s = 1; s <= steps; s++)
                for (var b = 0; b < batch; b++) unmaskCounts[(s - 1) * batch + b] = schedules[b][s - 1] - schedules[b][s];
            using var unmaskTable = Tensor.FromArray(unmaskCounts, steps, batch).To(device);
            for (var s = 1; s <= steps; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var stillMasked = false;
                for (var b = 0; b < batch && !stillMasked; b++) stillMasked = schedules[b][s - 1] > 0;
                if (!stillMasked)
                {
                    // Level done early (fewer free tokens than steps): the rest count as done, with no pass.
                    completed += steps - s + 1;
                    progress?.Report(new DecodingProgress(q, steps, steps, totalSteps, clock.Elapsed) { CompletedSteps = completed });
                    break;
                }

                using (var scope = TorchRuntime.NewDisposeScope())
                {
                    var level = tokensOnDevice.Select(1, q);                                                       // (B, T) view
                    var isMasked = level.Eq(mask);
                    var (choice, confidence) = MaskedPositionsOnly
                        ? SampleMasked(q, isMasked)
                        : SampleAll(q);                                                                 // (B, T) each
                    passes++;
                    var uniform = Tensors.Rand([batch, length], generator, device: device);                        // (B, T)
                    // Eq. 1 in double; ties go to the earlier frame (stable sort).
                    var rank = (confidence.To(ScalarType.Float64) * w.Confidence + causal * w.Causal + uniform.To(ScalarType.Float64) * w.Random)
                        .MaskedFill(isMasked.LogicalNot(), double.NegativeInfinity);
                    var place = rank.Sort(-1, descending: true, stable: true).Indices.Sort(-1, stable: true).Indices; // (B, T): place of each frame in the ranking
                    var chosen = place.Lt(unmaskTable.Select(0, s - 1).Unsqueeze(1)).LogicalAnd(isMasked);       // (B, T)
                    level.CopyFrom(Tensors.Where(chosen, choice, level));
                    var unmaskedAt = unmaskStep.Select(1, q);
                    unmaskedAt.CopyFrom(unmaskedAt.MaskedFill(chosen, s - 1));
                }
                completed++;
                progress?.Report(new DecodingProgress(q, s, steps, totalSteps, clock.Elapsed) { CompletedSteps = completed });
            }
        }
        ForwardPasses += passes;
        return new DecodingResult(tokensOnDevice.Cpu(), unmaskStep.Cpu(), passes, completed, clock.Elapsed);

        int Index(int b, int q, int t) => (b * levels + q) * length + t;

        // Gumbel-max sample of every position of the tempered guided distribution, and the
        // probability of the sampled token (its confidence): (B, T) each.
        (Tensor Choice, Tensor Confidence) SampleAll(int q)
        {
            var logp = Guidance.LogProbabilities(source, q, contextOnDevice, tokensOnDevice, categoryOnDevice, Options.Guidance); // (B, T, K)
            var tempered = (logp / Options.Temperature).LogSoftmax(-1);                                     // (B, T, K)
            var choice = (tempered + Tensors.Gumbel([batch, length, k], generator, device: device)).ArgMax(-1); // (B, T)
            return (choice, tempered.Gather(-1, choice.Unsqueeze(-1)).Squeeze(-1).Exp());
        }

        // The same at the masked positions only (the others are never chosen): the model's head, the
        // guidance and the noise run on N rows instead of B x T. The uniform draws are still made
        // for every position, so the generator's stream stays that of SampleAll.
        (Tensor Choice, Tensor Confidence) SampleMasked(int q, Tensor isMasked)
        {
            var positions = isMasked.Reshape(batch * length).NonZero().Squeeze(-1);                          // (N) flat b * T + t
            var logp = Guidance.LogProbabilities(source, q, contextOnDevice, tokensOnDevice, categoryOnDevice, Options.Guidance, positions); // (N, K)
            var tempered = (logp / Options.Temperature).LogSoftmax(-1);                                     // (N, K)
            var uniform = Tensors.Rand([batch * length, k], generator, device: device).IndexSelect(0, positions); // (N, K)
            var picked = (tempered + Tensors.GumbelFromUniform(uniform)).ArgMax(-1);                        // (N)
            var probability = tempered.Gather(-1, picked.Unsqueeze(-1)).Squeeze(-1).Exp();                   // (N)
            var choice = Tensors.Zeros([batch * length], ScalarType.Int64, device).IndexCopyInPlace(0, positions, picked);
            var confidence = Tensors.Zeros([batch * length], probability.DType, device).IndexCopyInPlace(0, positions, probability);
            return (choice.View(batch, length), confidence.View(batch, length));
        }
    }
}
