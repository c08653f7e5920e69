using System.Diagnostics;
using StemGen.Audio;

// Decode + resample throughput for the dataset path: a 5-minute 44.1 kHz FLAC to 32 kHz (the codec's
// rate). Figures are x real time (seconds of audio per second of wall time, one thread), best of N
// runs after a warm-up; ratios compare against baselines measured in the same process.
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300;
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
var folder = Directory.CreateTempSubdirectory("stemgen-audio-bench-").FullName;
try
{
    Console.WriteLine($"StemGen.Audio bench: {AudioFile.LibraryVersions}; .NET {Environment.Version}, {Environment.ProcessorCount} cores");
    var results = new Dictionary<string, double>();
    foreach (var channels in new[] { 1, 2 })
    {
        var path = Path.Combine(folder, $"music{channels}.flac");
        var music = Music(seconds, 44100, channels);
        var clock = Stopwatch.StartNew();
        AudioFile.Write(path, music, AudioWriteFormat.Flac16);
        var size = new FileInfo(path).Length;
        Console.WriteLine();
        Console.WriteLine($"{seconds / 60:0.#} min, 44.1 kHz, {channels} ch, 16-bit FLAC: {size / 1e6:0.0} MB " +
                          $"({100.0 * size / (seconds * 44100 * channels * 2):0}% of PCM), written (encode + fsync) in {clock.Elapsed.TotalSeconds:0.00} s");

        double Measure(string name, Action action)
        {
            action(); // warm-up: page cache, JIT, soxr filter tables
            var best = double.MaxValue;
            for (var i = 0; i < runs; i++)
            {
                var t = Stopwatch.StartNew();
                action();
                best = Math.Min(best, t.Elapsed.TotalSeconds);
            }
            var realTime = seconds / best;
            results[$"{channels}:{name}"] = realTime;
            Console.WriteLine($"  {name,-44} {best * 1000,8:0.0} ms  {realTime,7:0} x real time");
            return realTime;
        }

        var noChecksum = new AudioReadOptions { VerifyFlacChecksum = false };
        var decode = Measure("decode (streaming, MD5 check off)", () => Decode(path, noChecksum, null));
        var decodeMd5 = Measure("decode (streaming, MD5 check on: the default)", () => Decode(path, null, null));
        var hq = Measure("decode + resample to 32 kHz, soxr HQ", () => Decode(path, noChecksum, ResampleQuality.High));
        var quick = Measure("decode + resample to 32 kHz, soxr Quick", () => Decode(path, noChecksum, ResampleQuality.Quick));
        var vhq = Measure("decode + resample to 32 kHz, soxr VHQ", () => Decode(path, noChecksum, ResampleQuality.VeryHigh));
        var load = Measure("AudioFile.Load(32 kHz, mono): whole file in RAM", () => AudioFile.Load(path, 32000, ChannelPolicy.Mono));
        var audio = AudioFile.Read(path);
        var resampleOnly = Measure("resample only (in memory), soxr HQ", () => Resampler.Resample(audio, 32000));
        Measure("loudness (EBU R128, integrated + LRA)", () => Loudness.Measure(audio));
        Measure("waveform peaks (4 levels)", () => WaveformPeaks.Compute(audio));
        Console.WriteLine($"  ratio decode+HQ / decode-only        {hq / decode:0.00} (speed; 1.00 = resampling is free)");
        Console.WriteLine($"  ratio HQ / Quick (both with decode)  {hq / quick:0.00}");
        Console.WriteLine($"  ratio VHQ / HQ (both with decode)    {vhq / hq:0.00}");
        Console.WriteLine($"  ratio MD5 on / off                   {decodeMd5 / decode:0.00}");
        Console.WriteLine($"  resample-only HQ                     {resampleOnly:0} x real time; Load {load:0} x real time");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// Streams the file block by block, optionally through soxr, touching every output sample.
static double Decode(string path, AudioReadOptions? options, ResampleQuality? quality)
{
    using var reader = AudioReader.Open(path, options);
    using var resampler = quality is { } q ? new Resampler(reader.Info.SampleRate, 32000, reader.Info.Channels, q) : null;
    var block = reader.CreateBlock();
    double sum = 0;
    int n;
    while ((n = reader.Read(block)) > 0)
    {
        if (resampler is null) { sum += block.Samples[0]; continue; }
        var produced = resampler.Process(block, n);
        if (produced > 0) sum += resampler.Output.Samples[0];
    }
    if (resampler is not null) resampler.Flush();
    return sum;
}

// Music-like content so FLAC compresses realistically: a bass line, chords with decaying notes,
// hi-hat-like noise bursts, different per channel.
static AudioBuffer Music(double seconds, int rate, int channels)
{
    var frames = (int)(seconds * rate);
    var buffer = new AudioBuffer(channels, frames, rate);
    var random = new Random(1);
    var beat = rate / 2; // 120 BPM
    double[] roots = [55, 65.4, 49, 73.4];
    for (var c = 0; c < channels; c++)
    {
        var x = buffer.Channel(c);
        for (var i = 0; i < frames; i++)
        {
            var bar = i / (4 * beat);
            var inBeat = i % beat;
            var root = roots[bar % roots.Length];
            var t = (double)i / rate;
            var envelope = Math.Exp(-3.0 * inBeat / beat);
            var chord = (Math.Sin(2 * Math.PI * root * 4 * t) + Math.Sin(2 * Math.PI * root * 5 * t + c) + Math.Sin(2 * Math.PI * root * 6 * t)) * 0.08 * envelope;
            var bass = Math.Sin(2 * Math.PI * root * t) * 0.25;
            var hat = (i % (beat / 2) < rate / 50 ? (random.NextDouble() * 2 - 1) * 0.1 : 0) * Math.Exp(-10.0 * (i % (beat / 2)) / rate * 50);
            x[i] = (float)(bass + chord + hat + (random.NextDouble() - 0.5) * 0.002);
        }
    }
    return buffer;
}
