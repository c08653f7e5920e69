using StemGen.Web.Data;
using StemGen.Web.Jobs;

namespace StemGen.Web.Evaluations;

/// <summary>An evaluation's state or progress changed (admin pages only).</summary>
public sealed record EvaluationRunEvent(int RunId, EvaluationRunState State, double Percent, string? Phase, string? Error);

/// <summary>Evaluation progress to open admin pages, and cancel requests made in this process.</summary>
public sealed class EvaluationEvents : JobEvents<EvaluationRunEvent>;
