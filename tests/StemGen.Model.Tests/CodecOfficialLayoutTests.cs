using StemGen.Model.Codec;
using StemGen.Torch;

namespace StemGen.Model.Tests;

/// <summary>
/// The tensor list of facebook/encodec_32khz's model.safetensors, written out by hand from the layout
/// in docs/encodec.md (not derived from the model code), filled with random values.
/// </summary>
public sealed class OfficialCheckpointFixture : IDisposable
{
    public OfficialCheckpointFixture()
    {
        Layout = BuildLayout();
        using var scope = TorchRuntime.NewDisposeScope();
        TorchRuntime.ManualSeed(2024);
        foreach (var (name, shape) in Layout)
        {
            var tensor = name.EndsWith(".weight_g", StringComparison.Ordinal) ? Tensors.Rand(shape) + 0.5
                : name.EndsWith(".inited", StringComparison.Ordinal) || name.EndsWith(".cluster_size", StringComparison.Ordinal) ? Tensors.Ones(shape)
                : Tensors.Randn(shape) * 0.05;
            Values[name] = tensor.DetachFromDisposeScope();
        }
    }

    public List<(string Name, long[] Shape)> Layout { get; }
    public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);

    private static List<(string, long[])> BuildLayout()
    {
        var list = new List<(string, long[])>();
        void Conv(string prefix, long output, long input, long kernel)
        {
            list.Add(($"{prefix}.conv.weight_g", [output, 1, 1]));
            list.Add(($"{prefix}.conv.weight_v", [output, input, kernel]));
            list.Add(($"{prefix}.conv.bias", [output]));
        }
        void ConvTranspose(string prefix, long input, long output, long kernel)
        {
            list.Add(($"{prefix}.conv.weight_g", [input, 1, 1])); // weight (in, out, k), weight-norm dim 0
            list.Add(($"{prefix}.conv.weight_v", [input, output, kernel]));
            list.Add(($"{prefix}.conv.bias", [output]));
        }
        void Residual(string prefix, long dim)
        {
            Conv($"{prefix}.block.1", dim / 2, dim, 3);
            Conv($"{prefix}.block.3", dim, dim / 2, 1);
        }
        void Lstm(string prefix)
        {
            for (var l = 0; l < 2; l++)
            {
                list.Add(($"{prefix}.lstm.weight_ih_l{l}", [4096, 1024]));
                list.Add(($"{prefix}.lstm.weight_hh_l{l}", [4096, 1024]));
                list.Add(($"{prefix}.lstm.bias_ih_l{l}", [4096]));
                list.Add(($"{prefix}.lstm.bias_hh_l{l}", [4096]));
            }
        }
        const string e = "encoder.layers", d = "decoder.layers";
        Conv($"{e}.0", 64, 1, 7);
        Residual($"{e}.1", 64);
        Conv($"{e}.3", 128, 64, 8);
        Residual($"{e}.4", 128);
        Conv($"{e}.6", 256, 128, 8);
        Residual($"{e}.7", 256);
        Conv($"{e}.9", 512, 256, 10);
        Residual($"{e}.10", 512);
        Conv($"{e}.12", 1024, 512, 16);
        Lstm($"{e}.13");
        Conv($"{e}.15", 128, 1024, 7);

        Conv($"{d}.0", 1024, 128, 7);
        Lstm($"{d}.1");
        ConvTranspose($"{d}.3", 1024, 512, 16);
        Residual($"{d}.4", 512);
        ConvTranspose($"{d}.6", 512, 256, 10);
        Residual($"{d}.7", 256);
        ConvTranspose($"{d}.9", 256, 128, 8);
        Residual($"{d}.10", 128);
        ConvTranspose($"{d}.12", 128, 64, 8);
        Residual($"{d}.13", 64);
        Conv($"{d}.15", 1, 64, 7);

        for (var q = 0; q < 4; q++)
        {
            list.Add(($"quantizer.layers.{q}.codebook.inited", [1]));
            list.Add(($"quantizer.layers.{q}.codebook.cluster_size", [2048]));
            list.Add(($"quantizer.layers.{q}.codebook.embed", [2048, 128]));
            list.Add(($"quantizer.layers.{q}.codebook.embed_avg", [2048, 128]));
        }
        return list;
    }

    public void Dispose()
    {
        foreach (var t in Values.Values) t.Dispose();
    }
}

public class CodecOfficialLayoutTests(OfficialCheckpointFixture official) : IClassFixture<OfficialCheckpointFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("stemgen-official-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static long NumEl(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private static double[] FoldByLoop(float[] g, float[] v, long rows)
    {
        var perRow = v.Length / rows;
        var result = new double[v.Length];
        for (var r = 0; r < rows; r++)
        {
            var norm = Math.Sqrt(Enumerable.Range(0, (int)perRow).Sum(i => (double)v[r * perRow + i] * v[r * perRow + i]));
            for (var i = 0; i < perRow; i++) result[r * perRow + i] = g[r] * v[r * perRow + i] / norm;
        }
        return result;
    }

    private void AssertFolded(EncodecModel model, string prefix, long rows)
    {
        var expected = FoldByLoop(CodecTestData.Values(official.Values[$"{prefix}.weight_g"]), CodecTestData.Values(official.Values[$"{prefix}.weight_v"]), rows);
        var actual = CodecTestData.Values(model.StateDict()[$"{prefix}.weight"]);
        CodecTestData.AssertClose(expected.Select(x => (float)x).ToArray(), actual, 1e-5);
    }

    [Fact]
    public void Official_layout_has_116_tensors_about_59_M_values_and_57_M_folded_parameters()
    {
        Assert.Equal(116, official.Layout.Count);
        Assert.Equal(116, official.Layout.Select(t => t.Name).Distinct().Count());
        Assert.Equal(58_990_022, official.Layout.Sum(t => NumEl(t.Shape)));
        // Folding drops each weight_g; the codebooks are buffers, not parameters.
        var folded = official.Layout.Where(t => !t.Name.EndsWith(".weight_g", StringComparison.Ordinal) && !t.Name.StartsWith("quantizer.", StringComparison.Ordinal)).Sum(t => NumEl(t.Shape));
        Assert.Equal(56_876_737, folded);
        using var model = new EncodecModel(CodecConfig.Official32k);
        Assert.Equal(folded, model.ParameterCount);
    }

    [Fact]
    public void Exporting_the_official_architecture_writes_exactly_the_official_names_and_shapes()
    {
        using var model = new EncodecModel(CodecConfig.Official32k);
        var exported = model.ExportTensors();
        try
        {
            Assert.Equal(official.Layout.Select(t => t.Name).Order(StringComparer.Ordinal), exported.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, shape) in official.Layout) Assert.True(shape.SequenceEqual(exported[name].Shape), $"{name}: [{string.Join(", ", exported[name].Shape)}]");
        }
        finally
        {
            foreach (var t in exported.Values) t.Dispose();
        }
    }

    [Fact]
    public void Official_file_loads_in_both_weight_norm_spellings_with_folded_weights()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var legacy = Path.Combine(dir, "legacy.safetensors");
        SafeTensors.Save(legacy, official.Values, new Dictionary<string, string> { ["format"] = "pt" });
        using var model = EncodecModel.Load(legacy);
        Assert.Equal(CodecConfig.Official32k, model.Config);

        AssertFolded(model, "encoder.layers.0.conv", 64);          // conv 1 -> 64, k7
        AssertFolded(model, "encoder.layers.10.block.1.conv", 256); // residual k3
        AssertFolded(model, "decoder.layers.12.conv", 128);         // transposed: g over dim 0 = input channels
        AssertFolded(model, "decoder.layers.15.conv", 1);           // conv 64 -> 1: one norm over everything
        var state = model.StateDict();
        foreach (var name in new[] { "encoder.layers.13.lstm.weight_hh_l1", "decoder.layers.1.lstm.bias_ih_l0", "decoder.layers.6.conv.bias", "quantizer.layers.3.codebook.embed" })
            Assert.Equal(CodecTestData.Values(official.Values[name]), CodecTestData.Values(state[name]));

        var renamed = official.Values.ToDictionary(
            p => p.Key.Replace(".weight_g", ".parametrizations.weight.original0").Replace(".weight_v", ".parametrizations.weight.original1"),
            p => p.Value);
        var parametrized = Path.Combine(dir, "parametrizations.safetensors");
        SafeTensors.Save(parametrized, renamed);
        using var second = EncodecModel.Load(parametrized);
        foreach (var (name, tensor) in second.StateDict())
            Assert.True(tensor.Eq(state[name]).All().ToBoolean(), $"{name} differs between the two spellings");
    }

    [Fact]
    public void Training_only_buffers_are_optional()
    {
        var required = official.Values.Where(p => !(p.Key.EndsWith(".inited", StringComparison.Ordinal) || p.Key.EndsWith(".cluster_size", StringComparison.Ordinal) || p.Key.EndsWith(".embed_avg", StringComparison.Ordinal)))
            .ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(104, required.Count);
        using var model = EncodecModel.FromTensors(required, CodecConfig.Official32k);
        Assert.Equal(1, model.Quantizer.Layers[0].Codebook.Inited.ToDouble());
    }

    [Fact]
    public void A_renamed_tensor_fails_naming_the_missing_tensor()
    {
        var tensors = new Dictionary<string, Tensor>(official.Values);
        const string name = "encoder.layers.4.block.1.conv.weight_v";
        tensors["encoder.layers.4.block.1.conv.weight_w"] = tensors[name];
        tensors.Remove(name);
        var error = Assert.Throws<CodecWeightsException>(() => EncodecModel.FromTensors(tensors, CodecConfig.Official32k));
        Assert.Equal(name, error.TensorName);
        Assert.Contains($"missing tensor '{name}'", error.Message);
        Assert.Contains("unexpected tensor 'encoder.layers.4.block.1.conv.weight_w'", error.Message);
    }

    [Fact]
    public void A_mis_shaped_tensor_in_a_file_fails_naming_it_before_reading_weights()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const string name = "decoder.layers.6.conv.weight_v";
        var tensors = new Dictionary<string, Tensor>(official.Values) { [name] = Tensors.Zeros([512, 256, 9], ScalarType.Float16) };
        var path = Path.Combine(dir, "misshaped.safetensors");
        SafeTensors.Save(path, tensors);
        var error = Assert.Throws<CodecWeightsException>(() => EncodecModel.Load(path, CodecConfig.Official32k));
        Assert.Equal(name, error.TensorName);
        Assert.Contains($"tensor '{name}' has shape [512, 256, 9], expected [512, 256, 10]", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_mis_shaped_weight_g_and_an_unknown_extra_tensor_are_refused()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(official.Values) { ["decoder.layers.3.conv.weight_g"] = Tensors.Ones([1024, 2, 1]) };
        var error = Assert.Throws<CodecWeightsException>(() => EncodecModel.FromTensors(tensors, CodecConfig.Official32k));
        Assert.Equal("decoder.layers.3.conv.weight_g", error.TensorName);

        var extra = new Dictionary<string, Tensor>(official.Values) { ["decoder.layers.16.conv.bias"] = Tensors.Ones([1]) };
        error = Assert.Throws<CodecWeightsException>(() => EncodecModel.FromTensors(extra, CodecConfig.Official32k));
        Assert.Equal("decoder.layers.16.conv.bias", error.TensorName);
    }

    [Fact]
    public void Loading_the_official_layout_into_a_smaller_config_names_the_first_misfit()
    {
        var error = Assert.Throws<CodecWeightsException>(() => EncodecModel.FromTensors(official.Values, CodecConfig.Small));
        Assert.Equal("encoder.layers.0.conv.weight_g", error.TensorName);
        Assert.Contains("32 filters", error.Message);
    }
}
