using StemGen.Web.Data;
using StemGen.Web.Jobs;

namespace StemGen.Web.Training;

/// <summary>A run's state or curves changed: the new points since the last event (admin pages only).</summary>
public sealed record TrainingRunEvent(int RunId, TrainingRunState State, long Step, string? Phase, string? Error, IReadOnlyList<TrainingPoint> Points);

/// <summary>Training progress to open admin pages, pause/cancel requests made in this process, and listening checks.</summary>
public sealed class TrainingEvents : JobEvents<TrainingRunEvent>
{
    /// <summary>A run's listening check was queued, started or finished (pages reload the run).</summary>
    public event Action<int>? CheckChanged;

    public void PublishCheck(int runId) => CheckChanged?.Invoke(runId);
}
