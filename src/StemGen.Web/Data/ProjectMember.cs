namespace StemGen.Web.Data;

/// <summary>What a member may do in a project; ordered so that a higher role includes the lower ones.</summary>
public enum ProjectRole
{
    /// <summary>Listens and downloads.</summary>
    Viewer = 0,
    /// <summary>Also uploads, edits stems, generates, accepts or discards candidates.</summary>
    Editor = 1,
    /// <summary>Also renames, deletes and invites.</summary>
    Owner = 2,
}

/// <summary>A user's membership of a project.</summary>
public sealed class ProjectMember
{
    public int ProjectId { get; set; }
    public required string UserId { get; set; }
    public ProjectRole Role { get; set; }
    public DateTime AddedAt { get; set; }

    public Project? Project { get; set; }
}
