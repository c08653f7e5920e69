namespace StemGen.Jobs;

/// <summary>How a worker introduces itself to the studio on every request and on the hub connection.</summary>
public static class WorkerHeaders
{
    /// <summary>One of the studio's Jobs:WorkerKeys.</summary>
    public const string Key = "X-Worker-Key";

    /// <summary>The worker's name, shown with the device on job pages.</summary>
    public const string Name = "X-Worker-Name";
}
