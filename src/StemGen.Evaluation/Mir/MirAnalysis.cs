using StemGen.Audio;
using StemGen.Evaluation.Dsp;

namespace StemGen.Evaluation.Mir;

/// <summary>
/// Every MIR analysis of one clip, computed once and shared by the descriptors (MIRDD) and the
/// coherence metrics: chroma, key, frame-wise chords, pitch track and notes, onsets, beats, sections.
/// </summary>
public sealed class MirAnalysis
{
    private MirAnalysis() { }

    public required double Seconds { get; init; }
    public required Chroma Chroma { get; init; }
    public required Key? Key { get; init; }
    /// <summary>Chord per chroma frame (<see cref="Chroma.FrameRate"/>).</summary>
    public required Chord[] Chords { get; init; }
    public required IReadOnlyList<Chord> ChordSequence { get; init; }
    public required IReadOnlyList<Note> Notes { get; init; }
    public required double[] OnsetEnvelope { get; init; }
    public required double[] Onsets { get; init; }
    public required BeatResult Beats { get; init; }
    public required IReadOnlyList<Section> Sections { get; init; }

    public static MirAnalysis Of(AudioBuffer audio) => Of(AnalysisAudio.MonoAt(audio, AnalysisSettings.SampleRate));

    /// <summary>Analysis of a mono signal already at <see cref="AnalysisSettings.SampleRate"/>.</summary>
    public static MirAnalysis Of(float[] mono)
    {
        var chroma = Chroma.Compute(mono);
        var chords = ChordEstimator.Estimate(chroma);
        var envelope = OnsetStrength.Envelope(mono);
        return new MirAnalysis
        {
            Seconds = (double)mono.Length / AnalysisSettings.SampleRate,
            Chroma = chroma,
            Key = KeyEstimator.Estimate(chroma),
            Chords = chords,
            ChordSequence = ChordEstimator.Sequence(chords),
            Notes = PitchTracker.Notes(PitchTracker.Track(mono)),
            OnsetEnvelope = envelope,
            Onsets = OnsetStrength.Onsets(envelope),
            Beats = BeatTracker.Track(envelope),
            Sections = StructureSegmenter.Segment(chroma),
        };
    }
}
