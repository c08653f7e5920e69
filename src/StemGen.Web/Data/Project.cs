namespace StemGen.Web.Data;

/// <summary>A multitrack project shared by its members.</summary>
public sealed class Project
{
    public const int MaxNameLength = 200;

    public int Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }

    public const double MinTempoBpm = 20, MaxTempoBpm = 400;
    public const int MinBeatsPerBar = 1, MaxBeatsPerBar = 16, DefaultBeatsPerBar = 4;

    /// <summary>The project's tempo in beats per minute (typed, tapped or estimated); null while unknown (the page shows seconds then).</summary>
    public double? TempoBpm { get; set; }

    /// <summary>Beats per bar of the bar grid and the click track (4 unless set).</summary>
    public int BeatsPerBar { get; set; } = DefaultBeatsPerBar;

    public List<ProjectMember> Members { get; set; } = [];
    public List<Stem> Stems { get; set; } = [];
    public List<GenerationJob> Jobs { get; set; } = [];
}
