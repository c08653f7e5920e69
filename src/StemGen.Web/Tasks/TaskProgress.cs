namespace StemGen.Web.Tasks;

/// <summary>
/// The latest progress of a running task, written by its work on any thread and read by the task's run loop,
/// which shows it on the pages twice a second and writes it to the row once a second.
/// </summary>
public sealed class TaskProgress
{
    private double percent;
    private volatile string phase = "starting";

    public double Percent { get => Volatile.Read(ref percent); set => Volatile.Write(ref percent, value); }

    public string Phase { get => phase; set => phase = value; }

    public void Report(double percent, string phase) => (Percent, Phase) = (percent, phase);
}
