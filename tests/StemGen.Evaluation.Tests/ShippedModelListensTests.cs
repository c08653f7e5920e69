using StemGen.Audio;
using StemGen.Data;
using StemGen.Data.Rendering;
using StemGen.Data.Slakh;
using StemGen.Evaluation.Mir;
using StemGen.Model;
using StemGen.Model.Codec;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;
using StemGen.Model.Training;
using StemGen.Torch;
using Xunit.Abstractions;

namespace StemGen.Evaluation.Tests;

/// <summary>
/// A listening song rendered once with the project's renderer (chords, bass, lead and drums on shared
/// random onsets), as mono stems at the codec rate.
/// </summary>
public abstract class ListeningSongFixture : IDisposable
{
    public const int Rate = 32000;
    public const double Seconds = 10;

    protected ListeningSongFixture(long seed, string soundFont)
    {
        var plan = ListeningSongPlan.Create(seed, 0, new ListeningSongOptions { MinSeconds = 12, MaxSeconds = 14 });
        var song = plan.Generate([soundFont]);
        var track = Path.Combine(folder.FullName, $"Track{seed:00000}");
        SlakhTrackWriter.Write(track, song.Midi, song.Parts, song.Metadata);
        var frames = (int)(Seconds * Rate);
        foreach (var stem in SlakhMetadata.Load(Path.Combine(track, "metadata.yaml")).Stems)
        {
            var audio = AudioFile.Load(Path.Combine(track, "stems", stem.Id + ".flac"), Rate, ChannelPolicy.Mono);
            Stems[stem.Part!] = StemGenerator.FitLength(audio, frames);
        }
    }

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("stemgen-listening-song-");

    /// <summary>Mono stems at the codec rate by part name: Chords, Bass, Lead, Drum.</summary>
    public Dictionary<string, AudioBuffer> Stems { get; } = [];

    public AudioBuffer MixOf(params string[] parts) => Mixer.Mix(parts.Select(p => Stems[p]).ToArray()).Audio;

    public void Dispose() => folder.Delete(recursive: true);
}

/// <summary>A song from a seed no shipped model was trained on (9002; training used seeds 1-3), in TimGM6mb, a SoundFont the training data used.</summary>
public sealed class UnheardListeningSong() : ListeningSongFixture(9002, SoundFonts.TimGM6mb);

/// <summary>
/// A song from an unused seed (9101) rendered with MuseScore General, a SoundFont no training song
/// used: what a model makes of timbres it never heard.
/// </summary>
public sealed class HeldOutTimbreSong() : ListeningSongFixture(9101, SoundFonts.MuseScore);

/// <summary>
/// The shipped model listens: on the unheard song it predicts a stem's coarsest level better with
/// the context than without (the listening gain of `stemgen train --listening-check`, on audio
/// neither model has seen), and the category steers it: the real stem is likelier under its own
/// category, and a generated Bass carries clearly more low-frequency energy than a generated Drums
/// stem for the same context. The provisional step-416 model failed all three (Bass gain 0.022 nats;
/// Bass tokens 0.06 nats likelier as Bass than as Drums; generated bass 15.7 % below 250 Hz, drums 38.5 %).
/// </summary>
public abstract class ShippedModelListens<TSong>(TSong song, ITestOutputHelper output) : IClassFixture<TSong>, IDisposable where TSong : ListeningSongFixture
{
    /// <summary>How many times the generated Bass's share of energy below 250 Hz must exceed the generated Drums'.</summary>
    protected abstract double BassOverDrumsLowEnd { get; }

    private readonly EncodecModel codec = EncodecModel.Load(ShippedModels.CodecPath());
    private readonly Model.Transformer.StemGenModel model = LoadModel();

    private static Model.Transformer.StemGenModel LoadModel()
    {
        var model = ModelCheckpoint.Load(ShippedModels.CheckpointPath()).Model;
        model.Eval();
        return model;
    }

    public void Dispose()
    {
        codec.Dispose();
        model.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void The_shipped_model_predicts_the_unheard_bass_and_drums_better_with_their_context()
    {
        foreach (var (target, category) in new[] { ("Bass", InstrumentCategory.Bass), ("Drum", InstrumentCategory.Drums) })
        {
            var context = song.MixOf(song.Stems.Keys.Where(k => k != target).ToArray());
            var heard = CoarsestLevelLoss(context, song.Stems[target], category, dropContext: false);
            var deaf = CoarsestLevelLoss(context, song.Stems[target], category, dropContext: true);
            output.WriteLine($"{target}: level-1 loss {heard:0.000} nats with context, {deaf:0.000} without, gain {deaf - heard:+0.000}");
            Assert.True(deaf - heard >= 0.05, $"{target}: listening gain {deaf - heard:0.000} nats (with context {heard:0.000}, without {deaf:0.000})");
        }
    }

    [Fact]
    public void The_category_steers_the_prediction_the_real_stem_is_likelier_under_its_own_category()
    {
        foreach (var (target, own, other) in new[] { ("Bass", InstrumentCategory.Bass, InstrumentCategory.Drums), ("Drum", InstrumentCategory.Drums, InstrumentCategory.Bass) })
        {
            var context = song.MixOf(song.Stems.Keys.Where(k => k != target).ToArray());
            var right = CoarsestLevelLoss(context, song.Stems[target], own, dropContext: false);
            var wrong = CoarsestLevelLoss(context, song.Stems[target], other, dropContext: false);
            output.WriteLine($"{target}: level-1 loss {right:0.000} nats asked for {own}, {wrong:0.000} asked for {other}");
            Assert.True(wrong - right >= 0.1, $"{target}: level-1 loss {right:0.000} as {own} vs {wrong:0.000} as {other}");
        }
    }

    [Fact]
    public void A_generated_bass_has_clearly_more_low_end_than_generated_drums_for_the_same_context()
    {
        using var generator = StemGenerator.Load(ShippedModels.CodecPath(), ShippedModels.CheckpointPath(), Device.CPU);
        var context = new[] { song.Stems["Chords"], song.Stems["Lead"] };
        double LowShare(InstrumentCategory category)
        {
            var result = generator.Generate(new GenerationRequest
            {
                Context = context, Category = category, Variations = 2,
                Sampling = SamplingOptions.Best with { StepsPerLevel = [16, 8, 4, 4], Seed = 5 },
            });
            return result.Stems.Average(s => LowFrequencyShare(s.Audio));
        }
        var bass = LowShare(InstrumentCategory.Bass);
        var drums = LowShare(InstrumentCategory.Drums);
        // The codec is the ceiling: what share of the real stems' low end survives encoding and decoding.
        double Coded(string part)
        {
            var samples = song.Stems[part].Channel(0).ToArray();
            return LowFrequencyShare(AudioBuffer.FromChannels(ListeningSongFixture.Rate, generator.Codec.DecodeMono(generator.Codec.EncodeMono(samples), samples.Length)));
        }
        output.WriteLine($"energy below 250 Hz: generated bass {bass:P1}, generated drums {drums:P1}; real bass {LowFrequencyShare(song.Stems["Bass"]):P1} " +
                         $"(through the codec {Coded("Bass"):P1}), real drums through the codec {Coded("Drum"):P1}");
        Assert.True(bass >= BassOverDrumsLowEnd * drums, $"generated bass {bass:P1} vs generated drums {drums:P1} of energy below 250 Hz (wanted {BassOverDrumsLowEnd:0.0}x)");
    }

    /// <summary>
    /// Mean cross-entropy of the target's level-1 tokens with every target token masked (the model
    /// has only the conditioning: the context, unless dropped, and the category), over 5 s windows
    /// (the crop the shipped model was trained on).
    /// </summary>
    private double CoarsestLevelLoss(AudioBuffer context, AudioBuffer target,
        InstrumentCategory category, bool dropContext)
    {
        var contextCodes = codec.EncodeMono(context.Channel(0));
        var targetCodes = codec.EncodeMono(target.Channel(0));
        int levels = model.Config.Levels, length = contextCodes.GetLength(1), window = 250;
        double total = 0;
        var windows = 0;
        using var noGrad = TorchRuntime.NoGrad();
        for (var start = 0; start + window <= length; start += window, windows++)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            var ctx = Window(contextCodes, start, window, levels);
            var truth = Window(targetCodes, start, window, levels).Select(1, 0).Squeeze(0); // (T)
            var masked = Tensors.Full([1, levels, window], model.Config.MaskToken, ScalarType.Int64);
            var cat = Tensor.FromArray(new[] { (long)category }, 1);
            var logits = model.ForwardLevel(0, ctx, masked, cat, Tensor.FromArray(new[] { dropContext }, 1), Tensor.FromArray(new[] { false }, 1)); // (1, T, K)
            var logp = logits.Squeeze(0).LogSoftmax(-1);                                                                                          // (T, K)
            total += -logp.Gather(-1, truth.Unsqueeze(-1)).Mean().ToArray<float>()[0];
        }
        return total / windows;
    }

    private static Tensor Window(long[,] codes, int start, int length, int levels)
    {
        var values = new long[levels * length];
        for (var q = 0; q < levels; q++)
            for (var t = 0; t < length; t++) values[q * length + t] = codes[q, start + t];
        return Tensor.FromArray(values, 1, levels, length);
    }

    /// <summary>Share of the spectral energy below 250 Hz (the evaluation's figure: magnitude-squared STFT, 2048-point frames, hop 512).</summary>
    private static double LowFrequencyShare(AudioBuffer audio) => SpectralBalance.LowFrequencyShare(audio);
}

/// <summary>On a song in a timbre the training data has (TimGM6mb).</summary>
[Trait("Category", "Slow")] // the shipped models: left out by scripts/test.sh --fast
public sealed class ShippedModelListensTests(UnheardListeningSong song, ITestOutputHelper output) : ShippedModelListens<UnheardListeningSong>(song, output)
{
    protected override double BassOverDrumsLowEnd => 1.3;
}

/// <summary>
/// On a song in a timbre no training song has (MuseScore General): the model must listen to music, not to one
/// SoundFont. The low-end bar is the in-distribution one: a 2x bar fails every model here, and the real stems
/// do not reach it either (on this song the real bass keeps 10.1 % of its energy below 250 Hz through the codec,
/// the real drums 35.2 %; the shipped model's generated stems give 1.70x, the varied-data fine-tune 1.46x).
/// </summary>
[Trait("Category", "Slow")] // the shipped models: left out by scripts/test.sh --fast
public sealed class ShippedModelListensOnHeldOutTimbreTests(HeldOutTimbreSong song, ITestOutputHelper output) : ShippedModelListens<HeldOutTimbreSong>(song, output)
{
    protected override double BassOverDrumsLowEnd => 1.3;
}
