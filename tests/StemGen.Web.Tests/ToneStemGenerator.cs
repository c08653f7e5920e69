using StemGen.Audio;
using StemGen.Data;
using StemGen.Model.Generation;

namespace StemGen.Web.Tests;

/// <summary>
/// A deterministic stand-in for the model: writes a sine tone (pitch from the category, one octave
/// up per variation) at the context's rate and length, in 4 levels x 5 steps with progress, and
/// honours cancellation. <see cref="Gate"/>, when set, holds it before the first step.
/// </summary>
public sealed class ToneStemGenerator : IStemGenerator
{
    public const int Levels = 4, StepsPerLevel = 5;

    public string Device => "test tone generator (CPU)";
    public double MaxContextSeconds => 60;
    public SemaphoreSlim? Gate { get; set; }
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Calls;
    /// <summary>The last request, as the worker built it (sampling options, variations, context).</summary>
    public GenerationRequest? LastRequest { get; private set; }
    /// <summary>Time per step: long enough that the worker's 10-per-second progress pushes see several steps.</summary>
    public int StepMilliseconds { get; set; } = 25;
    /// <summary>The tone's peak (0: a silent stem).</summary>
    public float Amplitude { get; set; } = 0.3f;
    /// <summary>Thrown by the next calls instead of generating: a fault of the studio's own (not of the request).</summary>
    public Exception? Fault { get; set; }

    public GenerationResult Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        LastRequest = request;
        if (Fault is { } fault) throw fault;
        if (request.Context.Count == 0) throw new GenerationRequestException("no context stems");
        if (request.Category == InstrumentCategory.SoundEffects) throw new GenerationRequestException("the test generator refuses Sound Effects");
        Started.TrySetResult();
        Gate?.Wait(cancellationToken);

        var started = DateTime.UtcNow;
        var total = Levels * StepsPerLevel;
        for (var done = 1; done <= total; done++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(StepMilliseconds);
            var level = (done - 1) / StepsPerLevel;
            var step = (done - 1) % StepsPerLevel;
            progress?.Report(new GenerationProgress("decoding", 0, 1, level, step, StepsPerLevel, done, total,
                DateTime.UtcNow - started, TimeSpan.FromMilliseconds(StepMilliseconds * (total - done))));
        }

        var rate = request.Context[0].SampleRate;
        var frames = request.Context.Max(c => c.Frames);
        var stems = new List<GeneratedStem>();
        for (var v = 0; v < request.Variations; v++)
        {
            var frequency = Frequency(request.Category) * (1 << v);
            var samples = new float[frames];
            for (var i = 0; i < frames; i++) samples[i] = Amplitude * MathF.Sin(2 * MathF.PI * (float)frequency * i / rate);
            stems.Add(new GeneratedStem(AudioBuffer.FromChannels(rate, samples), new long[Levels, 8]));
        }
        return new GenerationResult(stems, Device, DateTime.UtcNow - started);
    }

    public static double Frequency(InstrumentCategory category) => 110 + 10 * (int)category;
}
