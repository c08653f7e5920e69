using System.CommandLine;
using System.Globalization;
using StemGen.Audio;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Mir;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen codec evaluate`: reconstruction quality of a codec on a folder of held-out audio: mean
/// SI-SDR and mel distance over non-silent clips, with all levels and with the coarsest level only
/// (what the first RVQ level alone carries), plus the same for the untrained codec of the same
/// config as a floor. On an import (a folder with manifest.json) also per instrument category, with
/// the share of energy below 250 Hz before and after the codec (how much low end it keeps).
/// </summary>
internal static class CodecEvaluateCommand
{
    public static Command Create(Func<Option<string>> weightsOption)
    {
        var weights = weightsOption();
        var data = new Option<string>("--data") { Description = "Folder searched recursively for .wav/.flac audio.", Required = true };
        var clips = new Option<int>("--clips") { Description = "At most this many clips (files taken in name order, every k-th).", DefaultValueFactory = _ => 40 };
        var seconds = new Option<double>("--seconds") { Description = "Clip length cut from the middle of each file.", DefaultValueFactory = _ => 5.0 };
        var command = new Command("evaluate", "Mean SI-SDR and mel distance of a codec on held-out audio.");
        foreach (var o in new Option[] { weights, data, clips, seconds }) command.Options.Add(o);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            var count = parseResult.GetValue(clips);
            var length = parseResult.GetValue(seconds);
            if (count <= 0) throw new UsageException("--clips must be positive");
            if (!(length is > 0 and <= 60)) throw new UsageException("--seconds must be in (0, 60]");
            using var model = EncodecModel.Load(parseResult.GetValue(weights)!);
            using var untrained = new EncodecModel(model.Config);
            var rate = model.Config.SampleRate;
            var audio = HeldOutClips(parseResult.GetValue(data)!, rate, (int)(length * rate), count);
            Console.WriteLine($"{audio.Count} non-silent clips of {length.ToString(CultureInfo.InvariantCulture)} s at {rate} Hz");
            Report("trained, all levels", model, audio, model.Config.Levels);
            Report("trained, level 1 only", model, audio, 1);
            Report("untrained (floor)", untrained, audio, model.Config.Levels);
            if (File.Exists(Path.Combine(parseResult.GetValue(data)!, ImportManifest.FileName)))
                ReportByCategory(model, ImportManifest.Load(Path.Combine(parseResult.GetValue(data)!, ImportManifest.FileName)), (int)(length * rate), count);
            return 0;
        }));
        return command;
    }

    private static void Report(string label, EncodecModel model, List<float[]> audio, int levels)
    {
        double sdr = 0, mel = 0;
        foreach (var clip in audio)
        {
            var (clipSdr, clipMel, _) = Measure(model, clip, levels);
            (sdr, mel) = (sdr + clipSdr, mel + clipMel);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-24} SI-SDR {sdr / audio.Count,7:0.00} dB   mel distance {mel / audio.Count:0.000}"));
    }

    /// <summary>SI-SDR and mel distance of one clip through the codec with the given levels, and the reconstruction.</summary>
    private static (double SiSdr, double Mel, float[] Decoded) Measure(EncodecModel model, float[] clip, int levels)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var noGrad = TorchRuntime.NoGrad();
        var input = Tensor.FromArray(clip, 1, 1, clip.Length);
        var decoded = model.Decode(model.Encode(input, levels), clip.Length).Reshape(1, clip.Length);
        var reference = input.Reshape(1, clip.Length);
        return (CodecMetrics.SiSdr(decoded, reference)[0], CodecMetrics.MelDistance(decoded, reference, model.Config.SampleRate), decoded.ToArray<float>());
    }

    /// <summary>Per category of an import: up to <paramref name="count"/> stems (evenly spaced), SI-SDR, mel distance and the low-end share kept.</summary>
    private static void ReportByCategory(EncodecModel model, ImportManifest manifest, int length, int count)
    {
        var rate = model.Config.SampleRate;
        Console.WriteLine("per category (all levels): clips, SI-SDR, mel distance, share of energy below 250 Hz in the source -> after the codec");
        var stems = manifest.Tracks.SelectMany(t => t.Segments.SelectMany(s => s.Stems.Select(stem => (Category: t.Stem(stem.Id).Category, stem.File))))
            .GroupBy(s => s.Category).OrderBy(g => g.Key);
        foreach (var group in stems)
        {
            var clips = Clips(group.Select(s => manifest.PathOf(s.File)).Order(StringComparer.Ordinal).ToList(), rate, length, count);
            if (clips.Count == 0) continue;
            double sdr = 0, mel = 0, before = 0, after = 0;
            foreach (var clip in clips)
            {
                var (clipSdr, clipMel, decoded) = Measure(model, clip, model.Config.Levels);
                (sdr, mel) = (sdr + clipSdr, mel + clipMel);
                before += SpectralBalance.LowFrequencyShare(AudioBuffer.FromChannels(rate, clip));
                after += SpectralBalance.LowFrequencyShare(AudioBuffer.FromChannels(rate, decoded));
            }
            var n = clips.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key,-16} {n,3} clips  SI-SDR {sdr / n,7:0.00} dB  mel distance {mel / n:0.000}  below 250 Hz {before / n:P1} -> {after / n:P1}"));
        }
    }

    /// <summary>The audio files under a folder, evenly sampled into non-silent clips.</summary>
    private static List<float[]> HeldOutClips(string folder, int rate, int length, int count)
    {
        if (!Directory.Exists(folder)) throw new UsageException($"--data {folder}: no such folder");
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".flac", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        var clips = Clips(files, rate, length, count);
        return clips.Count > 0 ? clips : throw new UsageException($"--data {folder}: no non-silent audio of that length");
    }

    /// <summary>Evenly spaced files; from each, the middle clip when it is not silent (at most <paramref name="count"/>).</summary>
    private static List<float[]> Clips(List<string> files, int rate, int length, int count)
    {
        var clips = new List<float[]>();
        var stride = Math.Max(1, files.Count / count);
        for (var i = 0; i < files.Count && clips.Count < count; i += stride)
        {
            var samples = AudioFile.Load(files[i], rate, ChannelPolicy.Mono).Channel(0).ToArray();
            if (samples.Length < length) continue;
            var clip = samples.AsSpan((samples.Length - length) / 2, length).ToArray();
            if (!AudioBuffer.FromChannels(rate, clip).IsSilent()) clips.Add(clip);
        }
        return clips;
    }
}
