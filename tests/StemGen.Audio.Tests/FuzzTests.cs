using System.Buffers.Binary;
using System.Diagnostics;
using StemGen.Audio.Midi;
using Xunit.Abstractions;

namespace StemGen.Audio.Tests;

/// <summary>
/// Seeded mutation fuzzing: thousands of damaged WAV, FLAC and MIDI files (plus some Ogg and MP3).
/// Each must either read cleanly or fail with the typed exception; nothing else may escape, no case
/// may run past its time bound (a hang fails the test instead of stalling it), and failed
/// conversions must leave no output or temp file behind.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : TempFolderTests
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);
    private static readonly uint[] InterestingWords = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 44, 16, 8000, 44100];
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xF0, 0xF7, 0x2F];

    /// <summary>One to three mutations, biased towards headers where parsers make their decisions.</summary>
    internal static byte[] Mutate(byte[] original, int seed)
    {
        var random = new Random(seed);
        var bytes = original.ToList();
        var count = random.Next(1, 4);
        for (var m = 0; m < count && bytes.Count > 0; m++)
        {
            int Offset() => random.Next(2) == 0 ? random.Next(Math.Min(bytes.Count, 96)) : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0: // flip bits
                    for (var k = random.Next(1, 9); k > 0; k--) bytes[Offset()] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // an interesting byte
                    bytes[Offset()] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2: // an interesting 32-bit word (lengths, rates, counts), either endianness
                    {
                        var at = Math.Min(Offset(), Math.Max(0, bytes.Count - 4));
                        var word = random.Next(4) == 0 ? (uint)random.Next() : InterestingWords[random.Next(InterestingWords.Length)];
                        var span = new byte[4];
                        if (random.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(span, word);
                        else BinaryPrimitives.WriteUInt32BigEndian(span, word);
                        for (var i = 0; i < 4 && at + i < bytes.Count; i++) bytes[at + i] = span[i];
                        break;
                    }
                case 3: // truncate
                    bytes = bytes.Take(random.Next(2) == 0 ? random.Next(Math.Min(bytes.Count, 128)) : random.Next(bytes.Count)).ToList();
                    break;
                case 4: // delete a range
                    {
                        var at = Offset();
                        bytes.RemoveRange(at, Math.Min(random.Next(1, 64), bytes.Count - at));
                        break;
                    }
                case 5: // duplicate a range
                    {
                        var at = Offset();
                        var length = Math.Min(random.Next(1, 256), bytes.Count - at);
                        bytes.InsertRange(Offset(), bytes.GetRange(at, length));
                        break;
                    }
                case 6: // insert random bytes
                    {
                        var junk = new byte[random.Next(1, 32)];
                        random.NextBytes(junk);
                        bytes.InsertRange(Offset(), junk);
                        break;
                    }
                default: // overwrite a random run
                    {
                        var at = Offset();
                        for (var i = at; i < Math.Min(bytes.Count, at + random.Next(1, 16)); i++) bytes[i] = (byte)random.Next(256);
                        break;
                    }
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Runs one case on a worker so a hang becomes a failure naming the seed.</summary>
    private static void Bounded(string what, int seed, Action action)
    {
        var task = Task.Run(action);
        if (!task.Wait(PerCase)) Assert.Fail($"{what} case {seed} did not finish within {PerCase.TotalSeconds} s");
    }

    private void FuzzAudio(string extension, byte[] seedFile, int cases, int firstSeed, bool someRead = true)
    {
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        for (var seed = firstSeed; seed < firstSeed + cases; seed++)
        {
            var input = WriteBytes($"case{seed}.{extension}", Mutate(seedFile, seed));
            var converted = PathOf($"out{seed}.flac");
            var s = seed;
            Bounded(extension, seed, () =>
            {
                string outcome;
                try
                {
                    var audio = AudioFile.Read(input);
                    Assert.True(audio.Frames > 0 && audio.Channels > 0);
                    Assert.Equal(-1, Levels.FirstNonFinite(audio.Samples));
                    outcome = "read";
                }
                catch (AudioFormatException e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Problem), $"case {s}: empty message");
                    outcome = e.Reason.ToString();
                }
                // Every tenth case also goes through the streaming converter: on failure nothing may remain.
                if (s % 10 == 0)
                {
                    try { AudioFile.Convert(input, converted); }
                    catch (AudioFormatException) { Assert.False(File.Exists(converted), $"case {s}: output left after a failed conversion"); }
                }
                lock (outcomes) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            });
            File.Delete(input);
            File.Delete(converted);
        }
        output.WriteLine($"{cases} {extension}: {string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}"))} in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Empty(Leftovers()); // no temp files from failed writes
        // Both outcomes occur: the mutations are neither all fatal nor all harmless (Ogg pages carry
        // CRCs, so there nearly every mutation is fatal and reads are not required).
        if (someRead) Assert.True(outcomes.GetValueOrDefault("read") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.Where(o => o.Key != "read").Sum(o => o.Value) > cases / 10, string.Join(", ", outcomes));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{cases} {extension} cases took {clock.Elapsed}");
    }

    private byte[] Encoded(string name, AudioBuffer audio, AudioWriteFormat? format = null)
    {
        var path = PathOf(name);
        AudioFile.Write(path, audio, format);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    [Fact]
    public void Mutated_wav_files_read_or_fail_typed()
    {
        var pcm = Encoded("seed16.wav", Signals.Noise(0.05, 8000, 2, 0.5, 1));
        var flt = Encoded("seedf.wav", Signals.Noise(0.05, 8000, 1, 0.5, 2), AudioWriteFormat.WavFloat);
        FuzzAudio("wav", pcm, 800, 0);
        FuzzAudio("wav", flt, 400, 10_000);
    }

    [Fact]
    public void Mutated_flac_files_read_or_fail_typed()
    {
        var flac = Encoded("seed.flac", Signals.Noise(0.2, 8000, 2, 0.3, 3));
        FuzzAudio("flac", flac, 1000, 20_000);
    }

    [Fact]
    public void Mutated_ogg_and_mp3_files_read_or_fail_typed()
    {
        FuzzAudio("ogg", Encoded("seed.ogg", Signals.Sine(440, 0.5, 0.2, 16000)), 150, 30_000, someRead: false);
        FuzzAudio("opus", Encoded("seed.opus", Signals.Sine(440, 0.5, 0.2, 16000)), 150, 40_000, someRead: false);
        FuzzAudio("mp3", Encoded("seed.mp3", Signals.Sine(440, 0.5, 0.2, 16000)), 150, 50_000);
    }

    [Fact]
    public void Mutated_midi_files_read_or_fail_typed_and_whatever_reads_writes_back()
    {
        var outcomes = new Dictionary<string, int>();
        for (var seed = 0; seed < 1500; seed++)
        {
            var bytes = Mutate(MidiTests.HandBuilt, 60_000 + seed);
            var s = seed;
            Bounded("midi", seed, () =>
            {
                string outcome;
                try
                {
                    var file = MidiFile.Read(bytes, $"case{s}.mid");
                    _ = file.Notes();
                    _ = file.Parts();
                    // Anything the reader accepts, the writer writes and the reader reads back the same.
                    var back = MidiFile.Read(file.ToBytes());
                    for (var t = 0; t < file.Tracks.Count; t++) Assert.Equal(file.Tracks[t].Events, back.Tracks[t].Events);
                    outcome = "read";
                }
                catch (MidiFormatException e)
                {
                    Assert.StartsWith($"case{s}.mid: ", e.Message);
                    outcome = "refused";
                }
                lock (outcomes) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            });
        }
        output.WriteLine($"1500 midi: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        Assert.True(outcomes.GetValueOrDefault("read") > 50 && outcomes.GetValueOrDefault("refused") > 50, string.Join(", ", outcomes));
    }

    [Fact]
    public void The_mutator_is_deterministic_per_seed()
    {
        Assert.Equal(Mutate(MidiTests.HandBuilt, 5), Mutate(MidiTests.HandBuilt, 5));
    }
}
