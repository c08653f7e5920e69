namespace StemGen.Web.Jobs;

/// <summary>
/// Hands job ids from the studio to whatever runs them. The job row is the durable record; the
/// queue only says "look at job N". The in-process channel is the embedded default; a message
/// broker to remote GPU workers can implement the same interface without touching the pages.
/// </summary>
public interface IGenerationQueue
{
    ValueTask EnqueueAsync(int jobId, CancellationToken cancellationToken = default);

    ValueTask<int> DequeueAsync(CancellationToken cancellationToken);
}
