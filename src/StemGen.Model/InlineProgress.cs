namespace StemGen.Model;

/// <summary>
/// An IProgress that calls back on the reporting thread, in order: <see cref="Progress{T}"/> posts to the thread pool,
/// so a report could arrive after the next step started, or after a command printed its summary.
/// The one progress adapter of the libraries, the command line and the studio.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
