using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StemGen.Audio;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Cli;

/// <summary>
/// `stemgen codec info|encode|decode|roundtrip`: the EnCodec-family codec from the shell. Every
/// command names its weights file: the official facebook/encodec_32khz safetensors, or a codec
/// saved by StemGen (its config travels in the file's metadata).
/// </summary>
internal static class CodecCommands
{
    private const string CodesTensor = "codes";

    public static Command Create()
    {
        var codec = new Command("codec", "Encode audio to EnCodec tokens and back, and measure a codec.");
        codec.Subcommands.Add(Info());
        codec.Subcommands.Add(Encode());
        codec.Subcommands.Add(Decode());
        codec.Subcommands.Add(RoundTrip());
        codec.Subcommands.Add(CodecTrainCommand.Create());
        codec.Subcommands.Add(CodecEvaluateCommand.Create(WeightsOption));
        return codec;
    }

    private static Option<string> WeightsOption() => new("--weights")
    {
        Description = "Codec weights (.safetensors): the official facebook/encodec_32khz file or one saved by StemGen.",
        Required = true,
    };

    private static Command Info()
    {
        var weights = WeightsOption();
        var command = new Command("info", "Print a codec's architecture, size, identity and bitrate.");
        command.Options.Add(weights);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            using var model = EncodecModel.Load(parseResult.GetValue(weights)!);
            var c = model.Config;
            Console.WriteLine($"codec       {c.Describe()}");
            Console.WriteLine($"parameters  {model.ParameterCount:N0}");
            Console.WriteLine($"identity    {model.ComputeIdentity()}");
            Console.WriteLine($"tokens      {c.Levels} levels x {c.CodebookSize} codes at {Number(c.FrameRate)} frames/s (hop {c.HopLength} at {c.SampleRate} Hz)");
            Console.WriteLine($"bitrate     {Number(Bitrate(c) / 1000)} kbit/s");
            return 0;
        }));
        return command;
    }

    private static Command Encode()
    {
        var input = new Argument<string>("input") { Description = "Audio file (any rate and channels: resampled and mixed to mono)." };
        var output = new Option<string>("--output", "-o") { Description = "Tokens file to write (.safetensors).", Required = true };
        var weights = WeightsOption();
        var command = new Command("encode", "Encode an audio file to tokens [levels, frames].");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.Options.Add(weights);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            using var model = EncodecModel.Load(parseResult.GetValue(weights)!);
            var audio = AudioFile.Load(parseResult.GetValue(input)!, model.Config.SampleRate, ChannelPolicy.Mono);
            using var scope = TorchRuntime.NewDisposeScope();
            var codes = model.EncodeLong(Tensor.FromSpan(audio.Channel(0), [1, 1, audio.Frames])).Squeeze(0); // (Q, T)
            var path = parseResult.GetValue(output)!;
            SafeTensors.Save(path, new Dictionary<string, Tensor> { [CodesTensor] = codes }, new Dictionary<string, string>
            {
                [EncodecModel.IdentityMetadataKey] = model.ComputeIdentity(),
                ["stemgen.samples"] = audio.Frames.ToString(CultureInfo.InvariantCulture),
                ["stemgen.sample_rate"] = model.Config.SampleRate.ToString(CultureInfo.InvariantCulture),
            });
            Console.WriteLine($"{path}: {codes.Size(0)} levels x {codes.Size(1)} frames ({Number((double)audio.Frames / model.Config.SampleRate)} s)");
            return 0;
        }));
        return command;
    }

    private static Command Decode()
    {
        var input = new Argument<string>("tokens") { Description = "Tokens file written by `stemgen codec encode`." };
        var output = new Option<string>("--output", "-o") { Description = "Audio file to write (format from the extension).", Required = true };
        var weights = WeightsOption();
        var command = new Command("decode", "Decode tokens to audio with the codec that made them.");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.Options.Add(weights);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            using var model = EncodecModel.Load(parseResult.GetValue(weights)!);
            using var file = SafeTensorsFile.Open(parseResult.GetValue(input)!);
            if (!file.Contains(CodesTensor) || !file.Metadata.TryGetValue("stemgen.samples", out var samplesText))
                throw new UsageException($"{file.Path}: not a tokens file written by `stemgen codec encode`");
            var identity = model.ComputeIdentity();
            if (file.Metadata.TryGetValue(EncodecModel.IdentityMetadataKey, out var madeBy) && madeBy != identity)
                throw new UsageException($"{file.Path}: these tokens were made by codec {madeBy}, not by the given codec ({identity})");
            using var scope = TorchRuntime.NewDisposeScope();
            var codes = file.Load(CodesTensor);
            var shape = codes.Shape;
            if (shape.Length != 2 || shape[0] > model.Config.Levels)
                throw new UsageException($"{file.Path}: codes of shape [{string.Join(", ", shape)}] do not fit a codec with {model.Config.Levels} levels");
            var samples = int.Parse(samplesText, CultureInfo.InvariantCulture);
            var audio = model.DecodeLong(codes.Unsqueeze(0), samples).ToArray<float>();
            var path = parseResult.GetValue(output)!;
            AudioFile.Write(path, AudioBuffer.FromChannels(model.Config.SampleRate, audio));
            Console.WriteLine($"{path}: {Number((double)samples / model.Config.SampleRate)} s at {model.Config.SampleRate} Hz");
            return 0;
        }));
        return command;
    }

    private static Command RoundTrip()
    {
        var input = new Argument<string>("input") { Description = "Audio file to encode and decode." };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the reconstruction here." };
        var weights = WeightsOption();
        var command = new Command("roundtrip", "Encode and decode a file; report bitrate, SI-SDR, mel distance and speed.");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.Options.Add(weights);
        command.SetAction(parseResult => CommandErrors.Run(() =>
        {
            using var model = EncodecModel.Load(parseResult.GetValue(weights)!);
            var rate = model.Config.SampleRate;
            var original = AudioFile.Load(parseResult.GetValue(input)!, rate, ChannelPolicy.Mono).Channel(0).ToArray();
            var seconds = (double)original.Length / rate;
            var clock = Stopwatch.StartNew();
            var codes = model.EncodeMono(original);
            var encodeSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var decoded = model.DecodeMono(codes, original.Length);
            var decodeSeconds = clock.Elapsed.TotalSeconds;
            using var scope = TorchRuntime.NewDisposeScope();
            var mel = CodecMetrics.MelDistance(Tensor.FromArray(decoded, 1, decoded.Length), Tensor.FromArray(original, 1, original.Length), rate);
            Console.WriteLine($"audio        {Number(seconds)} s at {rate} Hz");
            Console.WriteLine($"bitrate      {Number(Bitrate(model.Config) / 1000)} kbit/s");
            Console.WriteLine($"SI-SDR       {Number(CodecMetrics.SiSdr(decoded, original))} dB");
            Console.WriteLine($"mel distance {Number(mel)}");
            Console.WriteLine($"speed        encode {Number(seconds / encodeSeconds)}x, decode {Number(seconds / decodeSeconds)}x real time");
            if (parseResult.GetValue(output) is { } path) AudioFile.Write(path, AudioBuffer.FromChannels(rate, decoded));
            return 0;
        }));
        return command;
    }

    /// <summary>Levels x log2(codebook size) bits per frame.</summary>
    private static double Bitrate(CodecConfig c) => c.Levels * Math.Log2(c.CodebookSize) * c.FrameRate;

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
