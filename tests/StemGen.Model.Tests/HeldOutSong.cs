using StemGen.Audio;
using StemGen.Data.Rendering;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>A song none of the shipped models has heard, rendered by the project's own renderer.</summary>
internal static class HeldOutSong
{
    /// <summary>The non-silent stems of a 4-bar song (seed 9001: the shipped codec and model were trained on the seed-1 dataset), mono at the codec rate.</summary>
    public static List<float[]> Stems(int rate, double seconds)
    {
        var folder = Directory.CreateTempSubdirectory("stemgen-held-out-song-").FullName;
        try
        {
            var key = Key.Parse("F# major");
            var plan = new SongPlan
            {
                Seed = 9001,
                Index = 0,
                Key = key,
                Tempo = 112,
                Groove = Mma.Grooves().Single(g => g.Name == "BossaNova"),
                Bars = ChordProgressions.Realize("I | vi | IV | V", key),
                Sections = [new SongSection("A", 0, 3), new SongSection(SongSection.EndLabel, 3, 1)],
                Form = "A",
                MelodyProgram = 66,
            };
            var song = SongGenerator.Generate(plan, [SoundFonts.TimGM6mb]);
            var track = Path.Combine(folder, "Track09001");
            SlakhTrackWriter.Write(track, song.Midi, song.Parts, song.Metadata);
            var length = (int)(seconds * rate);
            var clips = new List<float[]>();
            foreach (var file in Directory.EnumerateFiles(Path.Combine(track, "stems"), "*.flac").Order(StringComparer.Ordinal))
            {
                var samples = AudioFile.Load(file, rate, ChannelPolicy.Mono).Channel(0).ToArray();
                if (samples.Length < length) continue;
                var clip = samples.AsSpan(0, length).ToArray();
                if (!AudioBuffer.FromChannels(rate, clip).IsSilent()) clips.Add(clip);
            }
            return clips;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
