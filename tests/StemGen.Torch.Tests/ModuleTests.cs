using StemGen.Torch.Modules;

namespace StemGen.Torch.Tests;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public readonly Linear Attention;
        public readonly RmsNorm Norm;

        public Block()
        {
            Attention = RegisterModule("attn", new Linear(4, 4, bias: false));
            Norm = RegisterModule("norm", new RmsNorm(4));
            RegisterBuffer("cache", Tensors.Zeros([2]), persistent: false);
            RegisterBuffer("table", Tensors.Ones([3]));
        }

        public Tensor Forward(Tensor x) => Attention.Forward(Norm.Forward(x));
    }

    private sealed class Net : Module
    {
        public readonly ModuleList<Block> Layers;
        public readonly Linear Head;

        public Net()
        {
            Layers = RegisterModule("layers", new ModuleList<Block>([new Block(), new Block()]));
            Head = RegisterModule("head", new Linear(4, 2));
        }

        public Tensor Forward(Tensor x)
        {
            foreach (var layer in Layers) x = layer.Forward(x);
            return Head.Forward(x);
        }
    }

    [Fact]
    public void Parameters_and_buffers_have_hierarchical_names()
    {
        using var net = new Net();
        Assert.Equal(
            ["layers.0.attn.weight", "layers.0.norm.weight", "layers.1.attn.weight", "layers.1.norm.weight", "head.weight", "head.bias"],
            net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["layers.0.table", "layers.1.table"], net.NamedBuffers(persistentOnly: true).Select(p => p.Name));
        Assert.Equal(2 * (16 + 4) + 8 + 2, net.ParameterCount);
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void State_dict_round_trip_reproduces_the_outputs()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var a = new Net();
        using var b = new Net();
        var x = Tensors.Randn([3, 4]);
        Assert.False(a.Forward(x).Sub(b.Forward(x)).Abs().Max().ToDouble() < 1e-6);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        Assert.DoesNotContain("layers.0.cache", a.StateDict().Keys);
    }

    [Fact]
    public void Strict_load_lists_every_mismatch_and_copies_nothing()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var net = new Net();
        var before = net.Head.Weight.ToArray<float>();
        var state = net.StateDict().ToDictionary(p => p.Key, p => p.Value.Clone());
        state.Remove("layers.1.norm.weight");
        state["extra.weight"] = Tensors.Zeros([1]);
        state["head.bias"] = Tensors.Zeros([3]);
        state["head.weight"] = Tensors.Zeros([2, 4]);
        var e = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(state));
        Assert.Equal(["layers.1.norm.weight"], e.Missing);
        Assert.Equal(["extra.weight"], e.Unexpected);
        Assert.Contains("head.bias: expected [2], got [3]", e.Message);
        Assert.Equal(before, net.Head.Weight.ToArray<float>());
    }

    [Fact]
    public void Non_strict_load_ignores_missing_and_unexpected_names()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var net = new Net();
        net.LoadStateDict(new Dictionary<string, Tensor> { ["head.bias"] = Tensors.Full([2], 7), ["other"] = Tensors.Zeros([1]) }, strict: false);
        Assert.Equal([7f, 7f], net.Head.Bias!.ToArray<float>());
    }

    [Fact]
    public void Train_and_eval_reach_every_submodule()
    {
        using var net = new Net();
        net.Eval();
        Assert.False(net.Layers[1].Norm.Training);
        net.Train();
        Assert.True(net.Layers[1].Norm.Training);
    }

    [Fact]
    public void To_converts_floating_tensors_in_place_keeping_identity()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var net = new Net();
        var weight = net.Head.Weight;
        net.To(Device.CPU, ScalarType.Float64);
        Assert.Same(weight, net.Head.Weight);
        Assert.Equal(ScalarType.Float64, weight.DType);
        Assert.True(weight.RequiresGrad);
        Assert.Equal(ScalarType.Float64, net.Forward(Tensors.Randn([1, 4], dtype: ScalarType.Float64)).DType);
    }

    [Fact]
    public void ZeroGrad_clears_every_gradient()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        using var net = new Net();
        net.Forward(Tensors.Randn([2, 4])).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    private sealed class Duplicate : Module
    {
        public Duplicate(string second)
        {
            RegisterParameter("w", Tensors.Zeros([1]));
            RegisterParameter(second, Tensors.Zeros([1]));
        }
    }

    [Theory]
    [InlineData("w")]
    [InlineData("a.b")]
    [InlineData("")]
    public void Bad_or_duplicate_member_names_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => new Duplicate(name));
    }

    [Fact]
    public void Lstm_layer_uses_pytorch_tensor_names()
    {
        using var lstm = new Lstm(3, 5, layers: 2);
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"],
            lstm.NamedParameters().Select(p => p.Name));
        Assert.Equal([20L, 3], lstm.StateDict()["weight_ih_l0"].Shape);
        using var scope = TorchRuntime.NewDisposeScope();
        var (output, hidden, _) = lstm.Forward(Tensors.Randn([7, 2, 3]));
        Assert.Equal([7L, 2, 5], output.Shape);
        Assert.Equal([2L, 2, 5], hidden.Shape);
    }

    [Fact]
    public void Default_initialisation_is_bounded_by_one_over_sqrt_fan_in()
    {
        using var conv = new Conv1d(4, 8, 3);
        var bound = 1 / Math.Sqrt(4 * 3);
        Assert.All(conv.Weight.ToArray<float>(), v => Assert.InRange(v, -bound, bound));
        using var transposed = new ConvTranspose1d(4, 6, 5, stride: 2, groups: 2);
        Assert.Equal([4L, 3, 5], transposed.Weight.Shape);
    }
}
