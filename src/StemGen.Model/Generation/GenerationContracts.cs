using StemGen.Audio;
using StemGen.Data;
using StemGen.Model.Sampling;

namespace StemGen.Model.Generation;

/// <summary>A time region in seconds from the start of the context: [Start, End).</summary>
public readonly record struct TimeRegion(double Start, double End)
{
    public double Length => End - Start;
}

/// <summary>
/// One generation: a stem of <see cref="Category"/> that fits the <see cref="Context"/> stems (summed
/// into the context mix). The output has the context's sample rate and length. With
/// <see cref="ExistingStem"/> and <see cref="Region"/>, only that region is regenerated and the
/// stem's tokens elsewhere are kept (inpainting).
/// </summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<AudioBuffer> Context { get; init; }
    public required InstrumentCategory Category { get; init; }
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Best;
    /// <summary>Candidates generated together (batched); each is sampled with its own noise.</summary>
    public int Variations { get; init; } = 1;
    /// <summary>Generate only this part of the context (null: all of it).</summary>
    public TimeRegion? Region { get; init; }
    /// <summary>A stem to keep outside <see cref="Region"/> (inpainting); needs a region.</summary>
    public AudioBuffer? ExistingStem { get; init; }
}

/// <summary>
/// Progress of a generation: decoding step <see cref="CompletedSteps"/> of <see cref="TotalSteps"/>
/// over all windows; <see cref="Level"/> and <see cref="Step"/> locate it within the current window.
/// <see cref="Phase"/> is "encoding", "decoding", "rendering" or "done"; <see cref="Window"/> (1-based) of
/// <see cref="Windows"/>, <see cref="Level"/> 0-based, <see cref="Step"/> 1-based of <see cref="StepsInLevel"/>.
/// </summary>
public sealed record GenerationProgress(
    string Phase, int Window, int Windows, int Level, int Step, int StepsInLevel,
    int CompletedSteps, int TotalSteps, TimeSpan Elapsed, TimeSpan? Remaining)
{
    public double Fraction => TotalSteps == 0 ? 0 : (double)CompletedSteps / TotalSteps;
}

/// <summary>
/// The generated candidates (audio at the context's rate and length) and their tokens [Q, T];
/// <see cref="Device"/> says what this request ran on ("CPU (2 threads)").
/// </summary>
public sealed record GenerationResult(IReadOnlyList<GeneratedStem> Stems, string Device, TimeSpan Elapsed);

public sealed record GeneratedStem(AudioBuffer Audio, long[,] Tokens)
{
    /// <summary>Token frame of the context where <see cref="Tokens"/> start (0 unless only a region was generated without an existing stem).</summary>
    public int StartFrame { get; init; }
}

/// <summary>
/// Generates stems for a context: used by the CLI, the studio's worker and the evaluation. Checks
/// the request completely (throwing <see cref="GenerationRequestException"/>) before any model work.
/// </summary>
public interface IStemGenerator
{
    /// <summary>Where the model runs, in words ("CUDA: NVIDIA H100", "CPU (2 threads)").</summary>
    string Device { get; }

    /// <summary>Longest context accepted, in seconds.</summary>
    double MaxContextSeconds { get; }

    GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>A request that cannot be generated (no context, silence, bad parameters, too long...): the message says why.</summary>
public sealed class GenerationRequestException(string message) : Exception(message);
