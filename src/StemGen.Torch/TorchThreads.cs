using System.Globalization;

namespace StemGen.Torch;

/// <summary>
/// How many intra-op threads libtorch work uses. STEMGEN_TORCH_THREADS sets the policy: a number
/// (that many threads), <c>all</c> (every core) or <c>idle</c> (the default: the cores idle when the
/// work starts, at least one). On a shared machine a team of OpenMP threads larger than the idle
/// cores collapses (every op waits at a barrier for a descheduled member: a 2-thread generation
/// beside one busy process ran 8x slower than alone), so by default work takes only the idle cores.
/// </summary>
/// <remarks>
/// libtorch's thread count belongs to each OS thread (OpenMP reads it per calling thread; a thread
/// that never set it takes the last value set anywhere), so one job setting it on its thread used
/// to change what later jobs on other threads ran with. Work that calls libtorch for a while (a
/// generation, a training run) opens a <see cref="Use"/> scope on its own thread: the policy's count
/// now, restored afterwards.
/// </remarks>
public static class TorchThreads
{
    /// <summary>The environment variable that sets the policy.</summary>
    public const string Variable = "STEMGEN_TORCH_THREADS";

    /// <summary>A fixed count, or null for the idle-cores policy (<c>all</c> is a fixed count of every core).</summary>
    public static int? Fixed { get; } = Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The policy in words, the same for the whole process: "2 threads" or "idle cores of 2".</summary>
    public static string Policy => Fixed is { } n ? Describe(n) : $"idle cores of {Environment.ProcessorCount}";

    /// <summary>"1 thread", "2 threads".</summary>
    public static string Describe(int threads) => $"{threads} thread{(threads == 1 ? "" : "s")}";

    /// <summary>A fixed count ("3", "all") or null for the idle-cores policy (unset, "idle", or not a positive number).</summary>
    public static int? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "all" => Environment.ProcessorCount,
        { } s when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
        _ => null,
    };

    /// <summary>The count the policy gives now: the fixed count, or the idle cores measured over <paramref name="sample"/>.</summary>
    public static int Count(TimeSpan? sample = null) => Fixed ?? IdleCores(sample ?? TimeSpan.FromMilliseconds(150));

    /// <summary>
    /// Cores idle over <paramref name="sample"/> (Linux /proc/stat: idle and iowait time of all
    /// cores), a core counting once at least 70 % of it was idle; at least 1, at most the cores.
    /// Where /proc/stat cannot be read, every core.
    /// </summary>
    public static int IdleCores(TimeSpan sample)
    {
        var cores = Environment.ProcessorCount;
        if (ReadCpuTimes() is not { } before) return cores;
        Thread.Sleep(sample);
        if (ReadCpuTimes() is not { } after || after.Total <= before.Total) return cores;
        var idleFraction = (double)(after.Idle - before.Idle) / (after.Total - before.Total);
        return IdleCores(idleFraction, cores);
    }

    /// <summary>The rule of <see cref="IdleCores(TimeSpan)"/> on an idle fraction of all cores.</summary>
    public static int IdleCores(double idleFraction, int cores) =>
        Math.Clamp((int)Math.Floor(idleFraction * cores + 0.3), 1, cores);

    /// <summary>
    /// Sets the calling thread's libtorch threads to <paramref name="threads"/> (default: the
    /// policy's count now) until disposed, then restores the thread's previous count.
    /// </summary>
    public static ThreadsScope Use(int? threads = null) => new(threads ?? Count());

    // "cpu  user nice system idle iowait irq softirq steal ..." in clock ticks.
    private static (long Idle, long Total)? ReadCpuTimes()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return null;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            if (fields.Length < 5) return null;
            var total = fields.Take(Math.Min(fields.Length, 8)).Sum(); // guest time is already in user
            return (fields[3] + fields[4], total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }
}

/// <summary>The calling thread's libtorch thread count for a while (<see cref="TorchThreads.Use"/>).</summary>
public sealed class ThreadsScope : IDisposable
{
    private readonly int previous;
    private bool disposed;

    internal ThreadsScope(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        previous = TorchRuntime.Threads;
        TorchRuntime.Threads = threads;
        Threads = threads;
    }

    /// <summary>The count in use inside the scope.</summary>
    public int Threads { get; }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        TorchRuntime.Threads = previous;
    }
}
