using System.CommandLine;
using System.Globalization;
using StemGen.Audio;

namespace StemGen.Cli;

/// <summary>`stemgen audio info FILE` and `stemgen audio convert IN OUT`: the audio library from the shell.</summary>
internal static class AudioCommands
{
    public static Command Create()
    {
        var audio = new Command("audio", "Inspect and convert audio files (WAV, FLAC, Ogg Vorbis, Opus, MP3).");
        audio.Subcommands.Add(Info());
        audio.Subcommands.Add(Convert());
        return audio;
    }

    private static Command Info()
    {
        var file = new Argument<string>("file") { Description = "The audio file." };
        var command = new Command("info", "Print format, sample rate, channels, duration, loudness (EBU R128) and peak.");
        command.Arguments.Add(file);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            var path = parseResult.GetValue(file)!;
            using var reader = AudioFile.OpenRead(path);
            var info = reader.Info;
            // One streaming pass: constant memory whatever the length.
            using var meter = new LoudnessMeter(info.Channels, info.SampleRate, truePeak: true);
            var block = reader.CreateBlock();
            int n;
            while ((n = reader.Read(block)) > 0) meter.Add(block, n);
            var loudness = meter.Result();
            var frames = reader.Position;
            Console.WriteLine($"file       {path}");
            Console.WriteLine($"format     {info.FormatName}");
            Console.WriteLine($"rate       {info.SampleRate} Hz");
            Console.WriteLine($"channels   {info.Channels}");
            Console.WriteLine($"duration   {Duration(frames, info.SampleRate)} ({frames} frames)");
            Console.WriteLine($"loudness   {(loudness.IsSilent ? "-inf LUFS (silent, or shorter than one 0.4 s gating block)" : $"{Number(loudness.IntegratedLufs)} LUFS integrated, LRA {Number(loudness.LoudnessRangeLu)} LU")}");
            Console.WriteLine($"peak       {Decibels(loudness.SamplePeakDb)} dBFS sample, {Decibels(loudness.TruePeakDb)} dBTP true peak");
            return 0;
        }));
        return command;
    }

    private static Command Convert()
    {
        var input = new Argument<string>("input") { Description = "The file to read." };
        var output = new Argument<string>("output") { Description = "The file to write; its extension picks the format (.wav, .flac, .ogg, .opus, .mp3)." };
        var rate = new Option<int?>("--rate") { Description = "Resample to this rate in Hz (libsoxr, high quality)." };
        var mono = new Option<bool>("--mono") { Description = "Downmix to one channel (the mean of all channels)." };
        var format = new Option<string?>("--format")
        {
            Description = "Sample format: wav16, wav24, wavf, flac16, flac24, ogg, opus or mp3 (default: from the extension, keeping 24-bit/float resolution).",
        };
        var command = new Command("convert", "Convert an audio file, optionally resampling and downmixing; the output appears only when complete.");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(rate);
        command.Options.Add(mono);
        command.Options.Add(format);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            var target = parseResult.GetValue(rate);
            if (target is < 1) throw new UsageException($"--rate must be a positive number of Hz, not {target}");
            var result = AudioFile.Convert(parseResult.GetValue(input)!, parseResult.GetValue(output)!, new ConvertOptions
            {
                SampleRate = target,
                Channels = parseResult.GetValue(mono) ? ChannelPolicy.Mono : ChannelPolicy.Keep,
                Format = ParseFormat(parseResult.GetValue(format)),
            });
            var written = result.Output;
            Console.WriteLine($"{written.Path}: {result.Format}, {result.SampleRate} Hz, {result.Channels} ch, {Duration(written.Frames, result.SampleRate)} ({written.Frames} frames)");
            if (written.Clipped)
                Console.Error.WriteLine($"warning: {written.ClippedSamples} samples were past full scale (peak {Decibels(Levels.ToDecibels(written.Peak))} dBFS) and were clipped; " +
                                        "lower the level or write float WAV (--format wavf)");
            return 0;
        }));
        return command;
    }

    private static AudioWriteFormat? ParseFormat(string? name) => name?.ToLowerInvariant() switch
    {
        null => null,
        "wav16" => AudioWriteFormat.Wav16,
        "wav24" => AudioWriteFormat.Wav24,
        "wavf" or "wavfloat" => AudioWriteFormat.WavFloat,
        "flac16" => AudioWriteFormat.Flac16,
        "flac24" => AudioWriteFormat.Flac24,
        "ogg" or "vorbis" => AudioWriteFormat.OggVorbis,
        "opus" => AudioWriteFormat.Opus,
        "mp3" => AudioWriteFormat.Mp3,
        _ => throw new UsageException($"unknown --format '{name}' (use wav16, wav24, wavf, flac16, flac24, ogg, opus or mp3)"),
    };

    /// <summary>Expected failures (bad files, bad arguments) are one line on stderr and exit code 1; nothing else is caught.</summary>
    private static string Duration(long frames, int rate)
    {
        var time = TimeSpan.FromSeconds((double)frames / rate);
        return time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss\.fff", CultureInfo.InvariantCulture) : time.ToString(@"m\:ss\.fff", CultureInfo.InvariantCulture);
    }

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    private static string Decibels(double value) => double.IsNegativeInfinity(value) ? "-inf" : Number(value);
}
