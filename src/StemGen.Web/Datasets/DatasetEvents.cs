using StemGen.Web.Data;
using StemGen.Web.Jobs;

namespace StemGen.Web.Datasets;

/// <summary>A dataset task's progress or state changed (admin pages only).</summary>
public sealed record DatasetTaskEvent(int TaskId, DatasetTaskState State, double Percent, string? Phase, string? Result, string? Error);

/// <summary>Dataset task progress to open admin pages, and cancel requests made in this process.</summary>
public sealed class DatasetEvents : JobEvents<DatasetTaskEvent>;
