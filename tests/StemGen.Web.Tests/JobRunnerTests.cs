using System.Net;
using StemGen.Jobs;
using StemGen.Model.Generation;

namespace StemGen.Web.Tests;

/// <summary>Which failures a job retries (the studio could not be reached) and which end it at once (asking again gives the same answer).</summary>
public sealed class JobRunnerTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new HttpRequestException("connection refused"), true },
        { new HttpRequestException("server error", null, HttpStatusCode.ServiceUnavailable), true },
        { new HttpRequestException("too many", null, HttpStatusCode.TooManyRequests), true },
        { new HttpRequestException("refused", null, HttpStatusCode.BadRequest), false },
        { new HttpRequestException("gone", null, HttpStatusCode.NotFound), false },
        { new IOException("reset by peer"), true },
        { new TaskCanceledException("timed out", new TimeoutException()), true },
        { new GenerationRequestException("the context is silent"), false },
        { new InvalidOperationException("stem 3 is not part of job 1"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_connection_trouble_is_retried(Exception failure, bool retried) =>
        Assert.Equal(retried, GenerationJobRunner.IsTransient(failure));
}
