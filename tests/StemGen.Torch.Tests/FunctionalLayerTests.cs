namespace StemGen.Torch.Tests;

/// <summary>Layers and losses against loops written out in plain C#.</summary>
public class FunctionalLayerTests
{
    [Fact]
    public void Linear_computes_x_times_weight_transposed_plus_bias()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        double[] x = OpAssert.Noise(2 * 3, 1), w = OpAssert.Noise(4 * 3, 2), b = OpAssert.Noise(4, 3);
        var y = Functional.Linear(OpAssert.D(x, 2, 3), OpAssert.D(w, 4, 3), OpAssert.D(b, 4)).ToArray<double>();
        var expected = new double[8];
        for (var n = 0; n < 2; n++)
            for (var o = 0; o < 4; o++)
                expected[n * 4 + o] = b[o] + Enumerable.Range(0, 3).Sum(i => x[n * 3 + i] * w[o * 3 + i]);
        OpAssert.Close(expected, y);
    }

    [Fact]
    public void Embedding_picks_rows()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var table = OpAssert.D([0, 1, 10, 11, 20, 21], 3, 2);
        var rows = Functional.Embedding(table, Tensor.FromArray(new long[] { 2, 0, 2 }));
        Assert.Equal([3L, 2], rows.Shape);
        Assert.Equal([20.0, 21, 0, 1, 20, 21], rows.ToArray<double>());
    }

    [Theory]
    [InlineData(1, 0, 1, 1)]
    [InlineData(2, 1, 1, 1)]
    [InlineData(3, 2, 2, 1)]
    [InlineData(1, 0, 1, 2)]
    public void Conv1d_matches_a_direct_loop(int stride, int padding, int dilation, int groups)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int batch = 2, cin = 4, cout = 6, k = 3, length = 11;
        var x = OpAssert.Noise(batch * cin * length, 10);
        var w = OpAssert.Noise(cout * (cin / groups) * k, 11);
        var b = OpAssert.Noise(cout, 12);
        var y = Functional.Conv1d(OpAssert.D(x, batch, cin, length), OpAssert.D(w, cout, cin / groups, k),
            OpAssert.D(b, cout), stride, padding, dilation, groups);
        var outLength = (length + 2 * padding - dilation * (k - 1) - 1) / stride + 1;
        Assert.Equal([batch, cout, (long)outLength], y.Shape);
        var expected = new double[batch * cout * outLength];
        int cinPerGroup = cin / groups, coutPerGroup = cout / groups;
        for (var n = 0; n < batch; n++)
            for (var o = 0; o < cout; o++)
                for (var t = 0; t < outLength; t++)
                {
                    var sum = b[o];
                    var g = o / coutPerGroup;
                    for (var ci = 0; ci < cinPerGroup; ci++)
                        for (var j = 0; j < k; j++)
                        {
                            var pos = t * stride - padding + j * dilation;
                            if (pos < 0 || pos >= length) continue;
                            sum += w[(o * cinPerGroup + ci) * k + j] * x[(n * cin + g * cinPerGroup + ci) * length + pos];
                        }
                    expected[(n * cout + o) * outLength + t] = sum;
                }
        OpAssert.Close(expected, y.ToArray<double>());
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(2, 0, 0)]
    [InlineData(4, 2, 1)]
    public void ConvTranspose1d_matches_a_scatter_loop(int stride, int padding, int outputPadding)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int batch = 1, cin = 3, cout = 2, k = 5, length = 6;
        var x = OpAssert.Noise(batch * cin * length, 20);
        var w = OpAssert.Noise(cin * cout * k, 21);
        var y = Functional.ConvTranspose1d(OpAssert.D(x, batch, cin, length), OpAssert.D(w, cin, cout, k),
            null, stride, padding, outputPadding);
        var full = (length - 1) * stride + k + outputPadding;
        var outLength = full - 2 * padding;
        Assert.Equal([batch, cout, (long)outLength], y.Shape);
        var expected = new double[cout * outLength];
        for (var ci = 0; ci < cin; ci++)
            for (var t = 0; t < length; t++)
                for (var o = 0; o < cout; o++)
                    for (var j = 0; j < k; j++)
                    {
                        var pos = t * stride + j - padding;
                        if (pos >= 0 && pos < outLength) expected[o * outLength + pos] += x[ci * length + t] * w[(ci * cout + o) * k + j];
                    }
        OpAssert.Close(expected, y.ToArray<double>());
    }

    [Fact]
    public void Lstm_two_layers_match_the_gate_equations()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int steps = 4, input = 3, hidden = 2, layers = 2;
        var x = OpAssert.Noise(steps * input, 30);
        var weights = new List<double[]>();
        var tensors = new List<Tensor>();
        for (var l = 0; l < layers; l++)
        {
            var inSize = l == 0 ? input : hidden;
            foreach (var (count, shape) in new (int, long[])[]
                     { (4 * hidden * inSize, [4 * hidden, inSize]), (4 * hidden * hidden, [4 * hidden, hidden]), (4 * hidden, [4 * hidden]), (4 * hidden, [4 * hidden]) })
            {
                var data = OpAssert.Noise(count, 31 + weights.Count);
                weights.Add(data);
                tensors.Add(Tensor.FromArray(data, shape));
            }
        }
        var (output, hn, cn) = Functional.Lstm(OpAssert.D(x, steps, 1, input), tensors, layers);

        // Reference: i, f, g, o gates; c = f c + i g; h = o tanh(c); layer 2 reads layer 1's h.
        var sequence = Enumerable.Range(0, steps).Select(t => x.Skip(t * input).Take(input).ToArray()).ToArray();
        var finalH = new List<double>();
        var finalC = new List<double>();
        for (var l = 0; l < layers; l++)
        {
            double[] wih = weights[4 * l], whh = weights[4 * l + 1], bih = weights[4 * l + 2], bhh = weights[4 * l + 3];
            var inSize = sequence[0].Length;
            var h = new double[hidden];
            var c = new double[hidden];
            for (var t = 0; t < steps; t++)
            {
                var gates = new double[4 * hidden];
                for (var r = 0; r < 4 * hidden; r++)
                {
                    gates[r] = bih[r] + bhh[r];
                    for (var i = 0; i < inSize; i++) gates[r] += wih[r * inSize + i] * sequence[t][i];
                    for (var i = 0; i < hidden; i++) gates[r] += whh[r * hidden + i] * h[i];
                }
                for (var u = 0; u < hidden; u++)
                {
                    double ig = Sigmoid(gates[u]), fg = Sigmoid(gates[hidden + u]), gg = Math.Tanh(gates[2 * hidden + u]), og = Sigmoid(gates[3 * hidden + u]);
                    c[u] = fg * c[u] + ig * gg;
                    h[u] = og * Math.Tanh(c[u]);
                }
                sequence[t] = (double[])h.Clone();
            }
            finalH.AddRange(h);
            finalC.AddRange(c);
        }
        OpAssert.Close(sequence.SelectMany(s => s).ToArray(), output.ToArray<double>());
        OpAssert.Close([.. finalH], hn.ToArray<double>());
        OpAssert.Close([.. finalC], cn.ToArray<double>());

        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
    }

    [Fact]
    public void LayerNorm_and_RmsNorm_match_their_formulas()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = OpAssert.Noise(2 * 5, 40, -3, 3);
        var gain = OpAssert.Noise(5, 41);
        var t = OpAssert.D(x, 2, 5);
        var layer = Functional.LayerNorm(t, [5], OpAssert.D(gain, 5), null, 1e-5).ToArray<double>();
        var rms = Functional.RmsNorm(t.To(ScalarType.Float32), OpAssert.D(gain, 5).To(ScalarType.Float32), 1e-5).To(ScalarType.Float64).ToArray<double>();
        for (var r = 0; r < 2; r++)
        {
            var row = x.Skip(r * 5).Take(5).ToArray();
            var mean = row.Average();
            var variance = row.Select(v => (v - mean) * (v - mean)).Average();
            var meanSquare = row.Select(v => v * v).Average();
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal((row[i] - mean) / Math.Sqrt(variance + 1e-5) * gain[i], layer[r * 5 + i], 9);
                Assert.Equal(row[i] / Math.Sqrt(meanSquare + 1e-5) * gain[i], rms[r * 5 + i], 5);
            }
        }
    }

    [Fact]
    public void RmsNorm_keeps_the_input_type()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensors.Randn([2, 8]).To(ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, Functional.RmsNorm(x, Tensors.Ones([8], ScalarType.BFloat16)).DType);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Attention_is_softmax_of_scaled_scores_times_values(bool withMask)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int tq = 3, tk = 4, d = 2;
        double[] q = OpAssert.Noise(tq * d, 50), k = OpAssert.Noise(tk * d, 51), v = OpAssert.Noise(tk * d, 52);
        var allowed = new[] { true, false, true, true, false, true, true, true, true, true, false, true };
        var mask = withMask ? Tensor.FromArray(allowed, 1, 1, tq, tk) : null;
        var y = Functional.ScaledDotProductAttention(OpAssert.D(q, 1, 1, tq, d), OpAssert.D(k, 1, 1, tk, d),
            OpAssert.D(v, 1, 1, tk, d), mask).ToArray<double>();
        var expected = new double[tq * d];
        for (var i = 0; i < tq; i++)
        {
            var scores = new double[tk];
            for (var j = 0; j < tk; j++)
                scores[j] = withMask && !allowed[i * tk + j] ? double.NegativeInfinity
                    : (q[i * d] * k[j * d] + q[i * d + 1] * k[j * d + 1]) / Math.Sqrt(d);
            var max = scores.Max();
            var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
            var total = weights.Sum();
            for (var j = 0; j < tk; j++)
                for (var c = 0; c < d; c++)
                    expected[i * d + c] += weights[j] / total * v[j * d + c];
        }
        OpAssert.Close(expected, y);
    }

    [Theory]
    [InlineData(2, 3, 37, 37, 8)]    // one block of queries
    [InlineData(1, 2, 300, 129, 16)] // blocks of 254 queries, the last one short
    [InlineData(1, 1, 1000, 1000, 32)]
    [InlineData(3, 1, 1, 5, 4)]
    public void Attention_without_gradients_runs_blocked_with_the_explicit_forms_values(int b, int h, int tq, int tk, int d)
    {
        if (TorchRuntime.HasFusedAttention) return; // libtorch 2.x: the fused kernel, not the blocked path
        using var scope = TorchRuntime.NewDisposeScope();
        using var g = new Generator(11);
        var q = Tensors.Randn([b, h, tq, d], g);
        var k = Tensors.Randn([b, h, tk, d], g) * 2;
        var v = Tensors.Randn([b, tk, h, d], g).Transpose(1, 2); // a strided view, as the model passes it
        Tensor blocked, full;
        using (TorchRuntime.NoGrad())
        {
            blocked = Functional.ScaledDotProductAttention(q, k, v);
            TorchRuntime.BlockedAttention = false;
            try { full = Functional.ScaledDotProductAttention(q, k, v); }
            finally { TorchRuntime.BlockedAttention = true; }
        }
        Assert.Equal(new long[] { b, h, tq, d }, blocked.Shape);
        // The same ops per element; only BLAS's summation order may differ (it depends on the rows
        // multiplied at once and on the threads), so float rounding apart.
        OpAssert.Close(OpAssert.Values(full), blocked, 1e-5);
        // Recording gradients takes the explicit form, whose backward exists.
        var qg = q.Detach();
        qg.RequiresGrad = true;
        Functional.ScaledDotProductAttention(qg, k, v).Sum().Backward();
        Assert.NotNull(qg.Grad);
    }

    [Fact]
    public void CrossEntropy_applies_ignore_index_and_label_smoothing()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        const int n = 4, classes = 3;
        const double smoothing = 0.1;
        var logits = OpAssert.Noise(n * classes, 60, -2, 2);
        long[] target = [2, -100, 0, 1];
        var loss = Functional.CrossEntropy(OpAssert.D(logits, n, classes), Tensor.FromArray(target), labelSmoothing: smoothing).ToDouble();
        double sum = 0;
        var counted = 0;
        for (var i = 0; i < n; i++)
        {
            if (target[i] == -100) continue;
            var row = logits.Skip(i * classes).Take(classes).ToArray();
            var logZ = Math.Log(row.Sum(Math.Exp));
            var logp = row.Select(z => z - logZ).ToArray();
            sum += -(1 - smoothing) * logp[target[i]] - smoothing / classes * logp.Sum();
            counted++;
        }
        Assert.Equal(sum / counted, loss, 9);
    }

    [Fact]
    public void L1_and_Mse_losses_reduce_as_asked()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = OpAssert.D([1, 2, 3], 3);
        var b = OpAssert.D([2, 0, 3], 3);
        Assert.Equal(1.0, Functional.L1Loss(a, b).ToDouble(), 12);
        Assert.Equal(3.0, Functional.L1Loss(a, b, Reduction.Sum).ToDouble(), 12);
        Assert.Equal(5.0 / 3, Functional.MseLoss(a, b).ToDouble(), 12);
        Assert.Equal([1.0, 4, 0], Functional.MseLoss(a, b, Reduction.None).ToArray<double>());
    }

    [Fact]
    public void Dropout_is_identity_in_eval_and_rescales_survivors_in_training()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var x = Tensors.Ones([10000]);
        Assert.Equal(x.ToArray<float>(), Functional.Dropout(x, 0.5, training: false).ToArray<float>());
        var kept = Functional.Dropout(x, 0.5, training: true).ToArray<float>();
        Assert.All(kept, v => Assert.True(v == 0 || v == 2));
        Assert.InRange(kept.Count(v => v == 0) / 10000.0, 0.45, 0.55);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, 1.5, true));
    }

    [Theory]
    [InlineData("conv1d")]
    [InlineData("conv_transpose1d")]
    [InlineData("lstm")]
    [InlineData("attention")]
    [InlineData("layer_norm")]
    public void Layer_gradients_match_finite_differences(string layer)
    {
        var w = OpAssert.Noise(2 * 2 * 3, 70);
        var lstm = new[] { OpAssert.Noise(8 * 3, 71), OpAssert.Noise(8 * 2, 72), OpAssert.Noise(8, 73), OpAssert.Noise(8, 74) };
        var x = OpAssert.Noise(6, 75);
        Func<Tensor[], Tensor> f = layer switch
        {
            "conv1d" => t => Functional.Conv1d(t[0], t[1], stride: 2, padding: 1).Tanh(),
            "conv_transpose1d" => t => Functional.ConvTranspose1d(t[0], t[1], stride: 2),
            "lstm" => t => Functional.Lstm(t[0].Reshape(2, 1, 3), [t[1], t[2], t[3], t[4]], 1).Output,
            "attention" => t => { var q = t[0].Reshape(1, 1, 3, 2); return Functional.ScaledDotProductAttention(q, q.Mul(0.5), q.Square()); }
            ,
            _ => t => Functional.LayerNorm(t[0].Reshape(2, 3), [3], t[1].Narrow(0, 0, 3)),
        };
        GradCheck.Input[] inputs = layer switch
        {
            "conv1d" or "conv_transpose1d" => [GradCheck.In(x, 1, 2, 3), GradCheck.In(w, 2, 2, 3)],
            "lstm" => [GradCheck.In(x), GradCheck.In(lstm[0], 8, 3), GradCheck.In(lstm[1], 8, 2), GradCheck.In(lstm[2]), GradCheck.In(lstm[3])],
            "attention" => [GradCheck.In(x)],
            _ => [GradCheck.In(x), GradCheck.In(w)],
        };
        GradCheck.Check(f, inputs);
    }

    [Fact]
    public void Lstm_refuses_a_wrong_number_of_weights()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => Functional.Lstm(Tensors.Zeros([2, 1, 3]), [Tensors.Zeros([8, 3])], 1));
        Assert.Contains("takes 4 weight tensors, got 1", e.Message);
    }
}
