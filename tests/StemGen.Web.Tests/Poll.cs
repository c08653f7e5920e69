namespace StemGen.Web.Tests;

/// <summary>
/// The one way the studio tests wait for something that happens on its own time (a job, a task, a worker): read again
/// every <c>interval</c> until the answer is the one wanted or the time is up.
/// </summary>
internal static class Poll
{
    /// <summary>The first value <paramref name="read"/> gives that <paramref name="done"/> accepts (which may assert); TimeoutException naming <paramref name="what"/> and the last value after <paramref name="seconds"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, double seconds, string what, int intervalMs = 200)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: {value}");
            await Task.Delay(intervalMs);
        }
    }

    /// <summary>As <see cref="UntilAsync{T}"/>, but gives back the last value when the time is up, for the caller's own assertion to explain.</summary>
    public static async Task<T> LatestAsync<T>(Func<Task<T>> read, Func<T, bool> done, double seconds, int intervalMs = 200)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(intervalMs);
        }
    }
}
