using System.Text;
using System.Text.Json;
using StemGen.Evaluation.Fad;

namespace StemGen.Evaluation.Tests;

public class VggishTests
{
    [Fact]
    public void Front_end_frames_and_examples_follow_the_vggish_rules()
    {
        // 2 s at 16 kHz: 1 + (32000 - 400) / 160 = 198 frames -> 1 + (198 - 96) / 96 = 2 examples.
        var samples = new float[32000];
        for (var i = 0; i < samples.Length; i++) samples[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / 16000.0));
        Assert.Equal(198, VggishFrontEnd.LogMel(samples).Length);
        var examples = VggishFrontEnd.Examples(new StemGen.Audio.AudioBuffer(samples, 1, 16000));
        Assert.Equal(2, examples.Count);
        Assert.Equal(96 * 64, examples[0].Length);
        // The loudest band of a 1 kHz tone is the band whose centre is nearest 1 kHz on the mel scale.
        var frame = examples[0].AsSpan(50 * 64, 64).ToArray();
        var loudest = Array.IndexOf(frame, frame.Max());
        double low = VggishFrontEnd.HertzToMel(125), high = VggishFrontEnd.HertzToMel(7500);
        var centres = Enumerable.Range(0, 64).Select(b => low + (high - low) * (b + 1) / 65).ToArray();
        var nearest = Enumerable.Range(0, 64).MinBy(b => Math.Abs(centres[b] - VggishFrontEnd.HertzToMel(1000)));
        Assert.InRange(loudest, nearest - 1, nearest + 1);
        // Silence gives log(0 + 0.01) everywhere.
        var silent = VggishFrontEnd.LogMel(new float[1000]);
        Assert.All(silent.SelectMany(r => r), v => Assert.Equal(Math.Log(0.01), v, 9));
    }

    [Fact]
    public void Mel_matrix_is_triangular_with_a_zero_dc_row()
    {
        var w = VggishFrontEnd.MelWeights;
        Assert.Equal(257, w.GetLength(0));
        Assert.Equal(64, w.GetLength(1));
        for (var b = 0; b < 64; b++)
        {
            Assert.Equal(0, w[0, b]);
            var column = Enumerable.Range(0, 257).Select(k => w[k, b]).ToArray();
            Assert.InRange(column.Max(), 0.3, 1.0);
            Assert.All(column, v => Assert.InRange(v, 0, 1));
        }
    }

    [Fact]
    public void Short_clips_give_no_examples()
    {
        Assert.Empty(VggishFrontEnd.Examples(new StemGen.Audio.AudioBuffer(new float[16000 / 2], 1, 16000)));
    }

    [Fact]
    public void Loader_accepts_the_official_layout_and_the_network_runs_end_to_end()
    {
        var path = TempFile();
        try
        {
            // All weights zero except the last bias: every embedding must equal that bias (1, 2, ..., 128).
            var lastBias = Enumerable.Range(1, 128).Select(i => (float)i).ToArray();
            WriteSparse(path, VggishWeights.Expected, new Dictionary<string, float[]> { ["embeddings.4.bias"] = lastBias });
            VggishWeights.Validate(path);
            using var vggish = VggishEmbedding.Load(path);
            var audio = new StemGen.Audio.AudioBuffer(new float[16000 * 2], 1, 16000);
            var embeddings = vggish.Embed(audio);
            Assert.Equal(2, embeddings.Count);
            Assert.All(embeddings, e => Assert.Equal(lastBias, e));
            Assert.Equal("vggish", vggish.Name);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Loader_rejects_a_renamed_tensor_naming_it()
    {
        var path = TempFile();
        try
        {
            var layout = VggishWeights.Expected.Select(e => e.Name == "features.8.weight" ? ("features.8.kernel", e.Shape) : e).ToList();
            WriteSparse(path, layout, []);
            var error = Assert.Throws<VggishWeightsException>(() => VggishWeights.Validate(path));
            Assert.Contains("'features.8.weight' is missing", error.Message);
            Assert.Contains("unexpected tensor 'features.8.kernel'", error.Message);
            Assert.Throws<VggishWeightsException>(() => VggishEmbedding.Load(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Loader_rejects_a_misshaped_tensor_naming_it_and_both_shapes()
    {
        var path = TempFile();
        try
        {
            var layout = VggishWeights.Expected.Select(e => e.Name == "embeddings.2.weight" ? (e.Name, new long[] { 4096, 4095 }) : e).ToList();
            WriteSparse(path, layout, []);
            var error = Assert.Throws<VggishWeightsException>(() => VggishWeights.Validate(path));
            Assert.Contains("'embeddings.2.weight' has shape [4096, 4095], VGGish needs [4096, 4096]", error.Message);
        }
        finally { File.Delete(path); }
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"vggish-test-{Guid.NewGuid():N}.safetensors");

    /// <summary>
    /// Writes a safetensors file with the given layout without materialising 70 M parameters: the header
    /// by hand, the data region as a sparse extension (zeros), then the few given tensors at their offsets.
    /// Large matrices are F16 (the loader converts any floating type), biases F32.
    /// </summary>
    private static void WriteSparse(string path, IReadOnlyList<(string Name, long[] Shape)> layout, Dictionary<string, float[]> values)
    {
        var header = new Dictionary<string, object>();
        var offsets = new Dictionary<string, long>();
        long offset = 0;
        foreach (var (name, shape) in layout)
        {
            var isBias = shape.Length == 1;
            var bytes = shape.Aggregate(1L, (a, b) => a * b) * (isBias ? 4 : 2);
            header[name] = new { dtype = isBias ? "F32" : "F16", shape, data_offsets = new[] { offset, offset + bytes } };
            offsets[name] = offset;
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(BitConverter.GetBytes((long)padded));
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        var dataStart = 8 + padded;
        stream.SetLength(dataStart + offset);
        foreach (var (name, data) in values)
        {
            stream.Position = dataStart + offsets[name];
            foreach (var v in data) stream.Write(BitConverter.GetBytes(v));
        }
    }
}
