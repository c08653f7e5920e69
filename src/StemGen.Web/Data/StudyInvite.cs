namespace StemGen.Web.Data;

/// <summary>A Listener invited to a study that is not open to all.</summary>
public sealed class StudyInvite
{
    public int StudyId { get; set; }
    public required string UserId { get; set; }

    public ListeningStudy? Study { get; set; }
}
