using StemGen.Audio;
using StemGen.Data;
using StemGen.Model.Codec;
using StemGen.Model.Generation;
using StemGen.Model.Sampling;
using StemGen.Model.Training;

namespace StemGen.Model.Tests;

/// <summary>
/// The model shipped in models/ with the shipped codec, as every default (CLI, studio, evaluation)
/// loads them: they belong together, and a generation on a song neither has heard runs end to end.
/// </summary>
[Trait("Category", "Slow")] // PostgreSQL, a browser or the shipped models: left out by scripts/test.sh --fast
public class ShippedModelTests
{
    [Fact]
    public void The_shipped_model_belongs_to_the_shipped_codec_and_generates_for_an_unheard_song()
    {
        string codecIdentity;
        using (var codec = EncodecModel.Load(ShippedModels.CodecPath())) codecIdentity = codec.ComputeIdentity();
        var loaded = ModelCheckpoint.Load(ShippedModels.CheckpointPath());
        using (loaded.Model)
        {
            Assert.Equal(codecIdentity, loaded.CodecIdentity);
            Assert.Equal((4, 2048, 18), (loaded.Model.Config.Levels, loaded.Model.Config.CodebookSize, loaded.Model.Config.Categories));
            Assert.True(loaded.Model.Config.TrainingFrames > 0, "the shipped model records its training crop");
        }

        using var generator = StemGenerator.Load(ShippedModels.CodecPath(), ShippedModels.CheckpointPath(), StemGen.Torch.Device.CPU);
        var context = HeldOutSong.Stems(32000, seconds: 3).Select(s => AudioBuffer.FromChannels(32000, s)).ToList();
        var request = new GenerationRequest
        {
            Context = context, Category = InstrumentCategory.Bass, Variations = 2,
            Sampling = SamplingOptions.Best with { StepsPerLevel = [8, 4, 2, 2], Seed = 3 },
        };
        var result = generator.Generate(request);
        Assert.Equal(2, result.Stems.Count);
        foreach (var stem in result.Stems)
        {
            Assert.Equal((32000, 3 * 32000), (stem.Audio.SampleRate, stem.Audio.Frames));
            Assert.Equal(new[] { 4, 150 }, new[] { stem.Tokens.GetLength(0), stem.Tokens.GetLength(1) });
            Assert.All(stem.Audio.Channel(0).ToArray(), v => Assert.True(float.IsFinite(v)));
            Assert.False(stem.Audio.IsSilent(), "the generated stem is silent");
        }
        Assert.NotEqual(result.Stems[0].Tokens.Cast<long>(), result.Stems[1].Tokens.Cast<long>());
    }
}
