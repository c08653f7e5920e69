using System.Diagnostics;
using System.Text;
using StemGen.Audio;
using StemGen.Jobs;
using Xunit.Abstractions;

namespace StemGen.Web.Tests.Hostile;

/// <summary>
/// Context audio that would exhaust a generation job's memory (finding 6). The runner reads each context stem through
/// <see cref="ContextAudio"/>: limits are checked from the header before any decoding, and what passes is decoded in
/// blocks straight to the working rate. The peak of the largest allowed context is measured from the process.
/// </summary>
[Collection(Collection)]
public sealed class ContextMemoryTests(ITestOutputHelper output)
{
    /// <summary>Alone: the working set is the process's, and other tests would move it.</summary>
    public const string Collection = "memory measurements";

    /// <summary>A WAV header claiming <paramref name="seconds"/> of audio, followed by only 4 KB of it (the attack costs nothing to send), or by all of it.</summary>
    private static MemoryStream ClaimedWav(int rate, int channels, double seconds, bool complete = false)
    {
        var dataBytes = (uint)Math.Min(uint.MaxValue - 64, (long)(rate * seconds) * channels * 2);
        var stream = new MemoryStream();
        var w = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
        w.Write("RIFF"u8); w.Write(dataBytes + 36); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)channels); w.Write(rate); w.Write(rate * channels * 2); w.Write((short)(channels * 2)); w.Write((short)16);
        w.Write("data"u8); w.Write(dataBytes); w.Write(new byte[complete ? dataBytes : 4096]);
        w.Flush();
        stream.Position = 0;
        return stream;
    }

    [Theory]
    [InlineData(384_000, 8, 600, 600, "channel")]  // the finding's file: tens of GB decoded
    [InlineData(384_000, 2, 600, 600, "384000")]   // a rate no stem needs
    [InlineData(48_000, 2, 4, 1, "longer than")]   // longer than the generator takes (a whole file, so that only its length is wrong)
    public void A_context_stem_beyond_the_limits_is_refused_from_its_header_before_decoding(int rate, int channels, double seconds, double maxSeconds, string reason)
    {
        using var wav = ClaimedWav(rate, channels, seconds, complete: seconds < 10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = Assert.Throws<AudioFormatException>(() => ContextAudio.Read(wav, "hostile.wav", null, maxSeconds));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{rate} Hz x {channels} ch x {seconds} s: {refused.Message}; {allocated / 1024.0:0} KiB allocated");
        Assert.Contains(reason, refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated before the refusal"); // nothing decoded
    }

    [Fact]
    [Trait("Category", "Slow")] // writes and decodes a 10-minute 192 kHz stereo FLAC
    public async Task The_largest_allowed_context_decodes_within_its_result_and_a_block()
    {
        // The largest context a job may have: 600 s (Generation:MaxContextSeconds), stereo at 192 kHz (the uploads' limits).
        const int rate = 192_000, channels = 2, seconds = 600;
        var path = Path.Combine(Path.GetTempPath(), $"stemgen-largest-context-{Guid.NewGuid():N}.flac");
        try
        {
            using (var writer = AudioWriter.Create(path, AudioWriteFormat.Flac16, rate, channels))
            {
                var block = new AudioBuffer(channels, rate, rate); // one second of a quiet tone (silence would be too easy to decode)
                for (var i = 0; i < rate; i++) block.Channel(0)[i] = block.Channel(1)[i] = 0.01f * MathF.Sin(2 * MathF.PI * 220 * i / rate);
                for (var s = 0; s < seconds; s++) writer.Write(block);
                writer.Commit();
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var baseline = process.WorkingSet64;
            var peak = baseline;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                    await Task.Delay(10);
                }
            });
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread(); // the decode runs on this thread
            var clock = Stopwatch.StartNew();
            AudioBuffer audio;
            using (var file = File.OpenRead(path)) audio = ContextAudio.Read(file, "largest.flac", null, maxSeconds: seconds);
            clock.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            stop.Cancel();
            await sampler;
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);

            Assert.Equal(ContextAudio.MaxWorkingRate, audio.SampleRate);
            Assert.Equal(channels, audio.Channels);
            Assert.Equal((long)seconds * ContextAudio.MaxWorkingRate, audio.Frames);
            long result = (long)audio.Frames * channels * sizeof(float);
            long wholeAtSourceRate = (long)seconds * rate * channels * sizeof(float);
            output.WriteLine($"largest context ({seconds} s, {channels} ch, {rate} Hz FLAC, {new FileInfo(path).Length / 1e6:0} MB): decoded in {clock.Elapsed.TotalSeconds:0.0} s; " +
                             $"managed allocations {allocated / 1e6:0} MB, result {result / 1e6:0} MB, working-set peak +{(peak - baseline) / 1e6:0} MB " +
                             $"(decoding whole at the source rate would hold {wholeAtSourceRate / 1e6:0} MB)");
            Assert.True(allocated <= result + (32 << 20), $"{allocated} bytes allocated for a {result}-byte result");
            Assert.True(peak - baseline <= result + (160 << 20), $"working set rose {peak - baseline} bytes for a {result}-byte result");
        }
        finally { File.Delete(path); }
    }
}

[CollectionDefinition(ContextMemoryTests.Collection, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;
