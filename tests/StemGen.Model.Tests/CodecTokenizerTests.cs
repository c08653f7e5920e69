using StemGen.Audio;
using StemGen.Data.Tokens;
using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecTokenizerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-codec-cache-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static float[] Tone(int samples) =>
        Enumerable.Range(0, samples).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 440 * i / 32000)).ToArray();

    [Fact]
    public void Tokens_equal_the_codecs_own_encoding()
    {
        TorchRuntime.ManualSeed(11);
        using var model = new EncodecModel(CodecConfig.Tiny);
        var tokenizer = new CodecTokenizer(model);
        var audio = Tone(32000);
        var tokens = tokenizer.Encode(audio);
        var codes = model.EncodeMono(audio);
        Assert.Equal(new[] { 4, 50 }, new[] { tokens.GetLength(0), tokens.GetLength(1) });
        for (var q = 0; q < 4; q++)
            for (var t = 0; t < 50; t++)
                Assert.Equal(codes[q, t], tokens[q, t]);
        Assert.Equal(50, tokenizer.FrameRate);
    }

    [Fact]
    public void Batched_encoding_gives_the_tokens_of_one_by_one_encoding()
    {
        TorchRuntime.ManualSeed(13);
        using var model = new EncodecModel(CodecConfig.Tiny);
        model.Eval();
        // Short windows, so the 2.5 s clips take three windows each (125 frames, windows of 50).
        var tokenizer = new CodecTokenizer(model, new CodecWindowing(WindowFrames: 50, ContextFrames: 10, CrossfadeFrames: 4));
        var random = new Random(3);
        float[] Noise(int samples, float gain) => Enumerable.Range(0, samples).Select(_ => gain * (float)(random.NextDouble() * 2 - 1)).ToArray();
        // Three clips of one length (one batch), one of another (a batch of its own), in mixed order.
        var clips = new[] { Noise(80000, 0.3f), Tone(48000), Noise(80000, 0.05f), Noise(80000, 0.6f) };

        var batched = tokenizer.EncodeBatch(clips);
        Assert.Equal(clips.Length, batched.Count);
        for (var i = 0; i < clips.Length; i++)
        {
            var alone = tokenizer.Encode(clips[i]);
            Assert.Equal(new[] { 4, clips[i].Length / 640 }, new[] { batched[i].GetLength(0), batched[i].GetLength(1) });
            Assert.Equal(alone, batched[i]);
        }
    }

    [Fact]
    public void Other_weights_give_another_identity_and_so_another_cache()
    {
        TorchRuntime.ManualSeed(12);
        using var a = new EncodecModel(CodecConfig.Tiny);
        using var b = new EncodecModel(CodecConfig.Tiny);
        var first = new TokenCache(dir, new CodecTokenizer(a));
        var second = new TokenCache(dir, new CodecTokenizer(b));
        Assert.NotEqual(first.Directory, second.Directory);

        var audio = AudioBuffer.FromChannels(32000, Tone(16000));
        first.GetOrEncode("tone", 1, () => audio, out var miss);
        var cached = first.GetOrEncode("tone", 1, () => throw new InvalidOperationException("should be cached"), out var hit);
        Assert.Equal(CacheOutcome.Miss, miss);
        Assert.Equal(CacheOutcome.Hit, hit);
        Assert.Equal(new[] { 4, 25 }, new[] { cached.GetLength(0), cached.GetLength(1) });
        second.GetOrEncode("tone", 1, () => audio, out var otherCodec);
        Assert.Equal(CacheOutcome.Miss, otherCodec);
    }
}
