using System.Threading.Channels;

namespace StemGen.Web.Jobs;

/// <summary>The embedded queue: an unbounded channel read by the in-process <see cref="GenerationWorker"/>.</summary>
public sealed class InProcessGenerationQueue : IGenerationQueue
{
    private readonly Channel<int> channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask EnqueueAsync(int jobId, CancellationToken cancellationToken = default) => channel.Writer.WriteAsync(jobId, cancellationToken);

    public ValueTask<int> DequeueAsync(CancellationToken cancellationToken) => channel.Reader.ReadAsync(cancellationToken);
}
