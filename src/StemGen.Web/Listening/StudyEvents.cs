using StemGen.Web.Data;

namespace StemGen.Web.Listening;

/// <summary>A study's preparation progress or state changed (admin pages only: it names nothing a listener may not see, but listeners never subscribe).</summary>
public sealed record StudyProgressEvent(int StudyId, StudyState State, double Percent, string? Phase, string? Error);

/// <summary>In-process fan-out of study progress to the open admin pages (they re-render with InvokeAsync).</summary>
public sealed class StudyEvents
{
    public event Action<StudyProgressEvent>? Changed;

    public void Publish(StudyProgressEvent e) => Changed?.Invoke(e);
}
