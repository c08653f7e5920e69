using System.ComponentModel.DataAnnotations;

namespace StemGen.Worker;

/// <summary>The worker's settings ("Worker" section); the model comes from "Generation", the queue database from ConnectionStrings:Hangfire.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>The studio's address, e.g. http://studio.internal:5000.</summary>
    [Required(ErrorMessage = "set Worker:StudioUrl (environment Worker__StudioUrl), e.g. http://studio.internal:5000")]
    [Url(ErrorMessage = "Worker:StudioUrl must be an http(s) address, e.g. http://studio.internal:5000")]
    public string StudioUrl { get; set; } = "";

    /// <summary>One of the studio's Jobs:WorkerKeys.</summary>
    [Required(ErrorMessage = "set Worker:Key (environment Worker__Key) to one of the studio's Jobs:WorkerKeys")]
    public string Key { get; set; } = "";

    /// <summary>Shown with the device on job pages and in the Hangfire dashboard.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The queues this worker takes jobs from, in order of preference.</summary>
    public string[] Queues { get; set; } = ["gpu"];

    /// <summary>Where models the studio serves are kept once downloaded, named by their SHA-256.</summary>
    public string ModelCache { get; set; } = Path.Combine(Path.GetTempPath(), "stemgen-worker-models");

    /// <summary>"cpu", "cuda" or "cuda:N": one worker process per GPU, one job at a time.</summary>
    public string Device { get; set; } = "auto";
}
