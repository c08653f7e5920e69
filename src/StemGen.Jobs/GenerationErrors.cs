using StemGen.Audio;
using StemGen.Model.Generation;

namespace StemGen.Jobs;

/// <summary>
/// What project members read when a generation fails: the message of an error about their request or their audio (it
/// says what to fix), and for anything else a plain sentence without the exception's text, which may name server paths or
/// internals. The whole exception travels beside it (<see cref="JobOutcome.Detail"/>) to the studio's log and to admins.
/// </summary>
public static class GenerationErrors
{
    public static JobOutcome Failed(Exception e, string worker) => new(JobOutcomeKind.Failed, ForUser(e, worker), e.ToString());

    public static string ForUser(Exception e, string worker) => e switch
    {
        GenerationRequestException or AudioFormatException or GeneratorUnavailableException => e.Message,
        HttpRequestException or IOException or TimeoutException => $"the generator on {worker} lost its connection to the studio; try again",
        OutOfMemoryException => $"the generator on {worker} ran out of memory: try a shorter region or fewer variations",
        _ => $"generation failed on {worker} because of an internal error ({e.GetType().Name}); the administrators can see the details",
    };
}
