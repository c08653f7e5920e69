namespace StemGen.Web.Data;

/// <summary>
/// An evaluation an admin launched (as `stemgen evaluate`): the model and data it scores, the grids asked for,
/// its state and progress, and when it succeeded the full report (EvaluationReport JSON).
/// </summary>
public sealed class EvaluationRun : ITaskRow
{
    public int Id { get; set; }
    /// <summary>The model as the model library names it ("models/stemgen-tiny.safetensors", "run 3") and its file at launch.</summary>
    public required string Model { get; set; }
    public required string ModelPath { get; set; }
    public required string CodecIdentity { get; set; }
    /// <summary>The import (relative to the datasets root) and split the examples are drawn from.</summary>
    public required string Dataset { get; set; }
    public required string Split { get; set; }
    /// <summary>Comma list of runs: naive, best, table1, table2, table3, steps, baseline.</summary>
    public required string Runs { get; set; }
    public int Examples { get; set; }
    public double Seconds { get; set; }
    public required string Embedding { get; set; }
    public long Seed { get; set; }
    /// <summary>Decoding steps per level, and the grids' values: invariant-culture numbers separated by commas.</summary>
    public required string Steps { get; set; }
    public required string Table1Scales { get; set; }
    public required string Table2Ws { get; set; }
    public required string StepsGrid { get; set; }
    public TaskState State { get; set; }
    public bool CancelRequested { get; set; }
    public string? Phase { get; set; }
    public double Percent { get; set; }
    public string? Error { get; set; }
    public string? ReportJson { get; set; }
    public string? HangfireJobId { get; set; }
    public required string CreatedById { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
