using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

public class CodecModelTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-codec-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Official_config_has_hop_640_and_50_frames_per_second()
    {
        var config = CodecConfig.Official32k;
        Assert.Equal(640, config.HopLength);
        Assert.Equal(50.0, config.FrameRate);
        Assert.Equal(1024, config.BottleneckChannels);
        Assert.Equal(CodecConfig.Official32k.HopLength, CodecConfig.Small.HopLength);
        Assert.Equal(CodecConfig.Official32k.CodebookSize, CodecConfig.Small.CodebookSize);
        Assert.Equal(0, config.FramesFor(0));
        Assert.Equal(1, config.FramesFor(1));
        Assert.Equal(1, config.FramesFor(640));
        Assert.Equal(2, config.FramesFor(641));
    }

    [Fact]
    public void Config_round_trips_through_json_and_compares_by_value()
    {
        var config = CodecTestData.Hop8 with { PadMode = PadMode.Constant };
        var json = config.ToJson();
        Assert.Contains("\"Constant\"", json);
        Assert.Equal(config, CodecConfig.FromJson(json));
        Assert.Equal(new CodecConfig { Ratios = [8, 5, 4, 4] }, CodecConfig.Official32k);
        Assert.NotEqual(CodecConfig.Small, CodecConfig.Official32k);
        Assert.Throws<ArgumentException>(() => new CodecConfig { Ratios = [] }.Validate());
    }

    [Fact]
    public void Hugging_face_config_json_maps_to_the_official_preset()
    {
        // The fields of facebook/encodec_32khz's config.json that shape the model.
        const string json = """
            {"architectures": ["EncodecModel"], "audio_channels": 1, "chunk_length_s": null, "codebook_dim": 128,
             "codebook_size": 2048, "compress": 2, "dilation_growth_rate": 2, "hidden_size": 128, "kernel_size": 7,
             "last_kernel_size": 7, "model_type": "encodec", "norm_type": "weight_norm", "normalize": false,
             "num_filters": 64, "num_lstm_layers": 2, "num_residual_layers": 1, "overlap": null, "pad_mode": "reflect",
             "residual_kernel_size": 3, "sampling_rate": 32000, "target_bandwidths": [2.2], "trim_right_ratio": 1.0,
             "upsampling_ratios": [8, 5, 4, 4], "use_causal_conv": false, "use_conv_shortcut": false}
            """;
        Assert.Equal(CodecConfig.Official32k, CodecConfig.FromHuggingFaceJson(json));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    [InlineData(639)]
    [InlineData(640)]
    [InlineData(641)]
    [InlineData(1279)]
    [InlineData(1280)]
    [InlineData(1281)]
    [InlineData(3333)]
    [InlineData(6400)]
    public void Encode_gives_ceil_length_over_640_frames_and_decode_the_requested_length(int length)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Micro);
        var audio = Tensors.Randn([2, 1, length]) * 0.1;
        var codes = codec.Encode(audio);
        Assert.Equal([2L, 2, (length + 639) / 640], codes.Shape);
        Assert.Equal(ScalarType.Int64, codes.DType);
        var decoded = codec.Decode(codes, length);
        Assert.Equal([2L, 1, length], decoded.Shape);
        Assert.True(decoded.IsFinite().All().ToBoolean());
    }

    [Fact]
    public void Frame_counts_follow_the_hop_for_every_length_with_other_ratios()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Hop8);
        Assert.Equal(8, codec.Config.HopLength);
        for (var length = 1; length <= 40; length++)
        {
            using var inner = TorchRuntime.NewDisposeScope();
            var codes = codec.Encode(Tensors.Randn([1, 1, length]));
            Assert.Equal([1L, 3, (length + 7) / 8], codes.Shape);
            Assert.Equal([1L, 1, length], codec.Decode(codes, length).Shape);
            Assert.Equal([1L, 1, length - 1], codec.Decode(codes.Narrow(1, 0, 2), length - 1).Shape); // fewer levels, shorter crop
        }
    }

    [Fact]
    public void Official_architecture_encodes_and_decodes_short_and_one_second_inputs()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecConfig.Official32k);
        foreach (var length in new[] { 1, 641, 32000 })
        {
            using var inner = TorchRuntime.NewDisposeScope();
            var codes = codec.Encode(Tensors.Randn([1, 1, length]) * 0.1);
            Assert.Equal([1L, 4, (length + 639) / 640], codes.Shape);
            Assert.InRange(codes.Max().ToInt64(), 0, 2047);
            Assert.Equal([1L, 1, length], codec.Decode(codes, length).Shape);
        }
    }

    [Fact]
    public void Empty_audio_gives_no_frames()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Micro);
        var codes = codec.Encode(Tensors.Zeros([3, 1, 0]));
        Assert.Equal([3L, 2, 0], codes.Shape);
        Assert.Equal([3L, 1, 0], codec.Decode(codes, 0).Shape);
    }

    [Fact]
    public void Bad_inputs_are_refused_with_clear_errors()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Micro);
        Assert.Throws<ArgumentException>(() => codec.Encode(Tensors.Zeros([1, 2, 100])));
        Assert.Throws<ArgumentException>(() => codec.Encode(Tensors.Zeros([100])));
        var codes = codec.Encode(Tensors.Randn([1, 1, 1000]));
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(codes, 1281)); // 2 frames hold 1280 samples
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(codes.Add(100L), 1000));
        Assert.Throws<ArgumentException>(() => codec.Decode(codes.To(ScalarType.Int32), 1000));
    }

    [Fact]
    public void Batched_encoding_equals_encoding_each_item()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Hop8);
        var audio = Tensors.Randn([3, 1, 77]);
        var batched = codec.Encode(audio);
        for (var i = 0; i < 3; i++)
            Assert.Equal(codec.Encode(audio.Narrow(0, i, 1)).ToArray<long>(), batched.Narrow(0, i, 1).ToArray<long>());
        var decoded = codec.Decode(batched, 77);
        for (var i = 0; i < 3; i++)
        {
            CodecTestData.AssertClose(CodecTestData.Values(codec.Decode(batched.Narrow(0, i, 1), 77)), CodecTestData.Values(decoded.Narrow(0, i, 1)));
        }
    }

    [Fact]
    public void Windowed_encoding_equals_one_pass_when_the_context_covers_the_receptive_field()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        TorchRuntime.ManualSeed(11);
        using var codec = new EncodecModel(CodecTestData.Micro); // no LSTM: finite receptive field
        var audio = Tensors.Randn([2, 1, 640 * 47 + 123]) * 0.1;
        var windowing = new CodecWindowing(WindowFrames: 10, ContextFrames: 12, CrossfadeFrames: 4);

        var whole = codec.Encode(audio).ToArray<long>();
        var windowed = codec.EncodeLong(audio, windowing).ToArray<long>();
        Assert.Equal(whole.Length, windowed.Length);
        var same = whole.Zip(windowed).Count(p => p.First == p.Second);
        Assert.True(same >= whole.Length * 0.99, $"{same} of {whole.Length} tokens agree");

        var codes = codec.Encode(audio);
        var once = CodecTestData.Values(codec.Decode(codes, audio.Size(2)));
        var inWindows = codec.DecodeLong(codes, audio.Size(2), windowing);
        Assert.Equal(audio.Shape, inWindows.Shape);
        var values = CodecTestData.Values(inWindows);
        var scale = once.Max(Math.Abs);
        var worst = once.Zip(values).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 1e-4 * scale, $"windowed decode differs by {worst} (signal peak {scale})");
    }

    [Fact]
    public void Long_helpers_fall_back_to_one_pass_for_short_inputs_and_handle_mono_arrays()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Hop8);
        var samples = CodecTestData.SyntheticClip(new Random(4), 1001);
        var tokens = codec.EncodeMono(samples, new CodecWindowing(WindowFrames: 30, ContextFrames: 8));
        Assert.Equal(3, tokens.GetLength(0));
        Assert.Equal(126, tokens.GetLength(1));
        var whole = codec.Encode(Tensor.FromArray(samples, 1, 1, samples.Length));
        var flat = new long[tokens.Length];
        Buffer.BlockCopy(tokens, 0, flat, 0, flat.Length * sizeof(long));
        Assert.Equal(whole.ToArray<long>().Length, flat.Length);
        Assert.Equal(1001, codec.DecodeMono(tokens, 1001, new CodecWindowing(WindowFrames: 30, ContextFrames: 8)).Length);
        Assert.Equal(whole.ToArray<long>(), codec.EncodeLong(Tensor.FromArray(samples, 1, 1, samples.Length)).ToArray<long>());
    }

    [Fact]
    public void Saved_codec_loads_back_with_its_config_and_gives_the_same_tokens_and_identity()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Hop8);
        var path = Path.Combine(dir, "hop8.safetensors");
        codec.Save(path);
        var metadata = SafeTensors.LoadMetadata(path);
        Assert.Equal(CodecTestData.Hop8, CodecConfig.FromJson(metadata[EncodecModel.ConfigMetadataKey]));
        Assert.Equal(codec.ComputeIdentity(), metadata[EncodecModel.IdentityMetadataKey]);

        using var loaded = EncodecModel.Load(path);
        Assert.Equal(CodecTestData.Hop8, loaded.Config);
        var audio = Tensors.Randn([2, 1, 200]);
        Assert.Equal(codec.Encode(audio).ToArray<long>(), loaded.Encode(audio).ToArray<long>());
        var codes = codec.Encode(audio);
        Assert.Equal(CodecTestData.Values(codec.Decode(codes, 200)), CodecTestData.Values(loaded.Decode(codes, 200)));
        // Folding v * (g / ||v||) after splitting w into (||w||, w) gives back exactly w, so the identity survives the round trip.
        Assert.Equal(metadata[EncodecModel.IdentityMetadataKey], loaded.ComputeIdentity());
    }

    [Fact]
    public void Identity_changes_with_the_weights_and_the_config_but_not_with_ema_statistics()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var codec = new EncodecModel(CodecTestData.Micro);
        var id = codec.ComputeIdentity();
        Assert.StartsWith("encodec-", id);
        Assert.Equal(id, codec.ComputeIdentity());
        codec.Quantizer.Layers[0].Codebook.ClusterSize.FillInPlace(5);
        Assert.Equal(id, codec.ComputeIdentity());
        using (TorchRuntime.NoGrad()) codec.Decoder.Parameters().First().MulInPlace(1.5);
        Assert.NotEqual(id, codec.ComputeIdentity());
        using var other = new EncodecModel(CodecTestData.Micro with { PadMode = PadMode.Constant });
        using var copy = new EncodecModel(CodecTestData.Micro);
        copy.LoadStateDict(codec.StateDict());
        other.LoadStateDict(codec.StateDict());
        Assert.Equal(copy.ComputeIdentity(), codec.ComputeIdentity());
        Assert.NotEqual(other.ComputeIdentity(), codec.ComputeIdentity());
    }
}
