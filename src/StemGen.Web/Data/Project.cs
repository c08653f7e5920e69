namespace StemGen.Web.Data;

/// <summary>A multitrack project shared by its members.</summary>
public sealed class Project
{
    public const int MaxNameLength = 200;

    public int Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }

    public List<ProjectMember> Members { get; set; } = [];
    public List<Stem> Stems { get; set; } = [];
    public List<GenerationJob> Jobs { get; set; } = [];
}
