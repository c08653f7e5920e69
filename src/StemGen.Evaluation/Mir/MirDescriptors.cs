namespace StemGen.Evaluation.Mir;

/// <summary>How a descriptor's values are binned for MIRDD.</summary>
public enum DescriptorKind
{
    /// <summary>Integer values: one bin per integer.</summary>
    Discrete,
    /// <summary>Real values: equal-width bins over the reference range.</summary>
    Continuous,
}

/// <summary>One descriptor of the paper's list (section 3.1): its name, binning, and how to read it off an analysis.</summary>
public sealed record Descriptor(string Name, DescriptorKind Kind, string Meaning, Func<MirAnalysis, IEnumerable<double>> Values);

/// <summary>
/// The eleven MIRDD descriptors of the paper (section 3.1), in its order. Single-valued descriptors give
/// one value per clip (or none when undefined, e.g. no key in silence); the note and label descriptors
/// give one value per note, chord or section, and MIRDD pools them over the population.
/// </summary>
public static class MirDescriptors
{
    public static IReadOnlyList<Descriptor> All { get; } =
    [
        new("key_signature", DescriptorKind.Discrete, "circle-of-fifths position of the Krumhansl-Kessler key (sharps +, flats -)",
            a => a.Key is { } k ? [k.Fifths] : []),
        new("pitch_range", DescriptorKind.Discrete, "highest minus lowest note pitch, semitones",
            a => a.Notes.Count == 0 ? [] : [a.Notes.Max(n => n.Pitch) - a.Notes.Min(n => n.Pitch)]),
        new("unique_pitch_classes", DescriptorKind.Discrete, "number of distinct note pitch classes",
            a => [a.Notes.Select(n => n.PitchClass).Distinct().Count()]),
        new("percussive_density", DescriptorKind.Discrete, "most onsets within any 0.6 s window",
            a => [OnsetStrength.MaxDensity(a.Onsets)]),
        new("beats_per_bar", DescriptorKind.Discrete, "beats per bar from the beat-synchronous accent pattern",
            a => a.Beats.BeatsPerBar > 0 ? [a.Beats.BeatsPerBar] : []),
        new("chord_variety", DescriptorKind.Discrete, "number of distinct triad labels",
            a => [a.ChordSequence.Distinct().Count()]),
        new("chord_alteration_ratio", DescriptorKind.Continuous, "fraction of chord changes switching major/minor",
            a => a.ChordSequence.Count < 2 ? [] : [ChordEstimator.AlterationRatio(a.ChordSequence)]),
        new("note_pitches", DescriptorKind.Discrete, "MIDI pitch of every note",
            a => a.Notes.Select(n => (double)n.Pitch)),
        new("note_pitch_classes", DescriptorKind.Discrete, "pitch class of every note",
            a => a.Notes.Select(n => (double)n.PitchClass)),
        new("chord_labels", DescriptorKind.Discrete, "triad label (0-11 major, 12-23 minor) of every chord in the sequence",
            a => a.ChordSequence.Select(c => (double)c.Index)),
        new("structure_labels", DescriptorKind.Discrete, "section label (0 = A, 1 = B, ...) of every section",
            a => a.Sections.Select(s => (double)s.Label)),
    ];

    public static Descriptor Get(string name) =>
        All.FirstOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"no descriptor '{name}' (known: {string.Join(", ", All.Select(d => d.Name))})");
}
