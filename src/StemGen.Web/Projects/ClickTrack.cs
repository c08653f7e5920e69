using System.Globalization;
using StemGen.Audio;

namespace StemGen.Web.Projects;

/// <summary>Renders a project's click track (a <see cref="Metronome"/>) to a 16-bit mono WAV, block by block, with its waveform peaks.</summary>
public static class ClickTrack
{
    /// <summary>The stem's name: "Click (120 BPM, 4 per bar)".</summary>
    public static string Name(double bpm, int beatsPerBar) =>
        string.Create(CultureInfo.InvariantCulture, $"Click ({bpm:0.###} BPM, {beatsPerBar} per bar)");

    /// <summary>Writes <paramref name="frames"/> frames of click to <paramref name="path"/>; returns the waveform peaks.</summary>
    public static WaveformPeaks Write(string path, double bpm, int beatsPerBar, int sampleRate, long frames, CancellationToken cancellationToken)
    {
        var metronome = new Metronome(bpm, beatsPerBar, sampleRate);
        var block = new AudioBuffer(1, 16_384, sampleRate);
        var peaks = new WaveformPeaksBuilder(sampleRate, 1);
        using var writer = AudioWriter.Create(path, AudioWriteFormat.Wav16, sampleRate, 1);
        for (long at = 0; at < frames;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = (int)Math.Min(block.Frames, frames - at);
            metronome.Render(block, at, n);
            writer.Write(block, 0, n);
            peaks.Add(block, n);
            at += n;
        }
        writer.Commit();
        return peaks.Build();
    }
}
