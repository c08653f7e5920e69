using StemGen.Torch;
using static StemGen.Torch.Tests.OpAssert;

namespace StemGen.Torch.Tests;

public class ShapeOpsTests
{
    /// <summary>0 .. n-1 as float32 with the given shape.</summary>
    private static Tensor Seq(params long[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        return F(ToFloat(Iota((int)n)), shape);
    }

    [Fact]
    public void Reshape_keeps_row_major_order_and_infers_minus_one()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 6).Reshape(3, -1);
        Shape([3, 4], t);
        Assert.Equal(ToFloat(Iota(12)), t.ToArray<float>());
    }

    [Fact]
    public void View_shares_storage_with_the_source()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Seq(2, 3);
        var v = a.View(6);
        a.FillInPlace(1);
        Assert.Equal(Enumerable.Repeat(1f, 6), v.ToArray<float>());
    }

    [Fact]
    public void View_of_non_contiguous_tensor_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 3).Transpose(0, 1);
        var e = Assert.Throws<TorchException>(() => t.View(6));
        Assert.Contains("view", e.Message);
    }

    [Fact]
    public void Permute_moves_elements_to_permuted_positions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 3, 4).Permute(2, 0, 1);
        Shape([4, 2, 3], t);
        var v = t.ToArray<float>();
        for (var k = 0; k < 4; k++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 3; j++)
                    Assert.Equal(i * 12 + j * 4 + k, v[k * 6 + i * 3 + j]);
    }

    [Fact]
    public void Transpose_swaps_two_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 3).Transpose(0, 1);
        Shape([3, 2], t);
        Assert.Equal(new[] { 0f, 3, 1, 4, 2, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Contiguous_of_transposed_view_is_contiguous_with_same_values()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 3).Transpose(0, 1);
        Assert.False(t.IsContiguous);
        var c = t.Contiguous();
        Assert.True(c.IsContiguous);
        Assert.Equal(new[] { 0f, 3, 1, 4, 2, 5 }, c.ToArray<float>());
    }

    [Fact]
    public void Flatten_merges_the_given_dimension_range()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Shape([2, 12], Seq(2, 3, 4).Flatten(1));
        Shape([6, 4], Seq(2, 3, 4).Flatten(0, 1));
        Shape([24], Seq(2, 3, 4).Flatten());
    }

    [Fact]
    public void Expand_broadcasts_size_one_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2], 2, 1).Expand(2, 3);
        Assert.Equal(new[] { 1f, 1, 1, 2, 2, 2 }, t.ToArray<float>());
        Shape([4, 2, 3], F([1f, 2], 2, 1).Expand(4, -1, 3));
    }

    [Fact]
    public void Repeat_tiles_the_whole_tensor()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2]).Repeat(2, 2);
        Shape([2, 4], t);
        Assert.Equal(new[] { 1f, 2, 1, 2, 1, 2, 1, 2 }, t.ToArray<float>());
    }

    [Fact]
    public void Repeat_interleave_repeats_each_element_in_place()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { 1f, 1, 1, 2, 2, 2 }, F([1f, 2]).RepeatInterleave(3, 0).ToArray<float>());
        var rows = Seq(2, 2).RepeatInterleave(2, 1);
        Assert.Equal(new[] { 0f, 0, 1, 1, 2, 2, 3, 3 }, rows.ToArray<float>());
    }

    [Fact]
    public void Squeeze_and_unsqueeze_remove_and_add_size_one_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(1, 3, 1);
        Shape([3], t.Squeeze());
        Shape([3, 1], t.Squeeze(0));
        Shape([1, 3, 1], t.Squeeze(1)); // size 3: unchanged
        Shape([1, 3, 1, 1], t.Unsqueeze(-1));
        Shape([1, 1, 3, 1], t.Unsqueeze(1));
    }

    [Fact]
    public void Flip_reverses_the_given_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { 2f, 1, 0, 5, 4, 3 }, Seq(2, 3).Flip(1).ToArray<float>());
        Assert.Equal(new[] { 5f, 4, 3, 2, 1, 0 }, Seq(2, 3).Flip(0, 1).ToArray<float>());
    }

    [Fact]
    public void Roll_shifts_cyclically()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { 3f, 4, 0, 1, 2 }, Seq(5).Roll(2, 0).ToArray<float>());
        Assert.Equal(new[] { 1f, 2, 3, 4, 0 }, Seq(5).Roll(-1, 0).ToArray<float>());
    }

    [Fact]
    public void Tril_and_triu_keep_the_lower_and_upper_triangles()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var ones = Tensors.Ones([3, 3]);
        foreach (var k in new long[] { -1, 0, 1 })
        {
            var lower = ones.Tril(k).ToArray<float>();
            var upper = ones.Triu(k).ToArray<float>();
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++)
                {
                    Assert.Equal(j - i <= k ? 1f : 0f, lower[i * 3 + j]);
                    Assert.Equal(j - i >= k ? 1f : 0f, upper[i * 3 + j]);
                }
        }
    }

    [Fact]
    public void Narrow_takes_length_elements_from_start()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(3, 4).Narrow(1, 1, 2);
        Shape([3, 2], t);
        Assert.Equal(new[] { 1f, 2, 5, 6, 9, 10 }, t.ToArray<float>());
    }

    [Fact]
    public void Slice_with_step_takes_every_stepth_element()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Equal(new[] { 1f, 4, 7 }, Seq(10).Slice(0, 1, 9, 3).ToArray<float>());
        Assert.Equal(new[] { 0f, 2, 4, 6, 8 }, Seq(10).Slice(0, 0, long.MaxValue, 2).ToArray<float>());
    }

    [Fact]
    public void Select_removes_the_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 3).Select(1, -1);
        Shape([2], t);
        Assert.Equal(new[] { 2f, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Index_select_picks_rows_in_index_order_with_repeats()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(3, 2).IndexSelect(0, L([2, 0, 2]));
        Assert.Equal(new[] { 4f, 5, 0, 1, 4, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Index_with_long_tensor_selects_along_the_first_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(3, 2).Index(L([1, -1]));
        Assert.Equal(new[] { 2f, 3, 4, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Index_with_bool_tensor_keeps_rows_where_true()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(3, 2).Index(B([true, false, true]));
        Shape([2, 2], t);
        Assert.Equal(new[] { 0f, 1, 4, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Gather_reads_source_at_index_along_dim()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var src = Seq(2, 3);
        var index = new long[] { 2, 0, 1, 1 };
        var t = src.Gather(1, L(index, 2, 2)).ToArray<float>();
        var s = src.ToArray<float>();
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 2; j++)
                Assert.Equal(s[i * 3 + index[i * 2 + j]], t[i * 2 + j]);
    }

    [Fact]
    public void Scatter_with_tensor_writes_source_at_index_and_leaves_input_unchanged()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var input = Tensors.Zeros([2, 3]);
        var t = input.Scatter(1, L([2, 0], 2, 1), F([7f, 8], 2, 1));
        Assert.Equal(new[] { 0f, 0, 7, 8, 0, 0 }, t.ToArray<float>());
        Assert.Equal(new float[6], input.ToArray<float>());
    }

    [Fact]
    public void Scatter_with_value_writes_the_value_at_index()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([2, 3]).Scatter(1, L([1, 2], 2, 1), 5.0);
        Assert.Equal(new[] { 0f, 5, 0, 0, 0, 5 }, t.ToArray<float>());
    }

    [Fact]
    public void Scatter_add_accumulates_repeated_indices()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Ones([4]).ScatterAdd(0, L([0, 2, 0, 0]), F([1f, 2, 3, 4]));
        Assert.Equal(new[] { 9f, 1, 3, 1 }, t.ToArray<float>());
    }

    [Fact]
    public void Index_add_adds_source_rows_at_index_rows()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Zeros([3, 2]).IndexAdd(0, L([2, 0, 2]), F([1f, 2, 3, 4, 5, 6], 3, 2));
        Assert.Equal(new[] { 3f, 4, 0, 0, 6, 8 }, t.ToArray<float>());
    }

    [Fact]
    public void Masked_fill_replaces_where_mask_is_true()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(4).MaskedFill(B([true, false, false, true]), -1);
        Assert.Equal(new[] { -1f, 1, 2, -1 }, t.ToArray<float>());
    }

    [Fact]
    public void Masked_fill_broadcasts_the_mask()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 2).MaskedFill(B([false, true]), 9);
        Assert.Equal(new[] { 0f, 9, 2, 9 }, t.ToArray<float>());
    }

    [Fact]
    public void Masked_select_returns_selected_elements_as1_d()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Seq(2, 2).MaskedSelect(B([true, false, false, true], 2, 2));
        Shape([2], t);
        Assert.Equal(new[] { 0f, 3 }, t.ToArray<float>());
    }

    [Fact]
    public void Non_zero_returns_coordinates_of_non_zero_elements()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([0f, 1, 0, 2, 3, 0], 2, 3).NonZero();
        Shape([3, 2], t);
        Assert.Equal(new long[] { 0, 1, 1, 0, 1, 1 }, t.ToArray<long>());
    }

    [Fact]
    public void Where_takes_from_a_where_true_and_B_elsewhere()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Where(B([true, false, true]), F([1f, 2, 3]), F([-1f, -2, -3]));
        Assert.Equal(new[] { 1f, -2, 3 }, t.ToArray<float>());
    }

    [Fact]
    public void Cat_joins_along_an_existing_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var a = Seq(2, 2);
        var b = F([10f, 11], 2, 1);
        var t = Tensors.Cat([a, b], 1);
        Shape([2, 3], t);
        Assert.Equal(new[] { 0f, 1, 10, 2, 3, 11 }, t.ToArray<float>());
        Assert.Equal(new[] { 0f, 1, 2, 3, 0, 1, 2, 3 }, Tensors.Cat([a, a]).ToArray<float>());
    }

    [Fact]
    public void Stack_joins_along_a_new_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = Tensors.Stack([F([1f, 2]), F([3f, 4])], 1);
        Shape([2, 2], t);
        Assert.Equal(new[] { 1f, 3, 2, 4 }, t.ToArray<float>());
    }

    [Fact]
    public void Split_by_size_leaves_a_smaller_last_piece()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var parts = Seq(7).Split(3);
        Assert.Equal(3, parts.Length);
        Assert.Equal(new[] { 0f, 1, 2 }, parts[0].ToArray<float>());
        Assert.Equal(new[] { 3f, 4, 5 }, parts[1].ToArray<float>());
        Assert.Equal(new[] { 6f }, parts[2].ToArray<float>());
    }

    [Fact]
    public void Split_by_sizes_cuts_those_lengths()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var parts = Seq(2, 6).Split([1, 3, 2], 1);
        Assert.Equal(3, parts.Length);
        Shape([2, 1], parts[0]);
        Assert.Equal(new[] { 1f, 2, 3, 7, 8, 9 }, parts[1].ToArray<float>());
        Assert.Equal(new[] { 4f, 5, 10, 11 }, parts[2].ToArray<float>());
    }

    [Fact]
    public void Split_by_sizes_not_summing_to_the_dimension_throws_torch_exception()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        Assert.Throws<TorchException>(() => Seq(6).Split([1, 2]));
    }

    [Fact]
    public void Chunk_makes_at_most_N_pieces_of_ceil_size()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var parts = Seq(5).Chunk(3);
        Assert.Equal(new[] { 2L, 2, 1 }, parts.Select(p => p.NumEl));
        Assert.Equal(new[] { 4f }, parts[2].ToArray<float>());
        Assert.Equal(2, Seq(4).Chunk(3).Length); // sizes 2, 2: libtorch returns fewer chunks
    }

    [Fact]
    public void Unbind_returns_slices_without_the_dimension()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var rows = Seq(2, 3).Unbind(1);
        Assert.Equal(3, rows.Length);
        Shape([2], rows[0]);
        Assert.Equal(new[] { 2f, 5 }, rows[2].ToArray<float>());
    }

    [Fact]
    public void Pad_constant_adds_value_on_both_sides_of_the_last_dimensions()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2], 1, 2).Pad([1, 2, 1, 0], PadMode.Constant, 9);
        Shape([2, 5], t);
        Assert.Equal(new[] { 9f, 9, 9, 9, 9, 9, 1, 2, 9, 9 }, t.ToArray<float>());
    }

    [Fact]
    public void Pad_reflect_mirrors_without_repeating_the_edge()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2, 3, 4], 1, 4).Pad([2, 1], PadMode.Reflect);
        Assert.Equal(new[] { 3f, 2, 1, 2, 3, 4, 3 }, t.ToArray<float>());
    }

    [Fact]
    public void Pad_replicate_repeats_the_edge()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2, 3], 1, 3).Pad([2, 1], PadMode.Replicate);
        Assert.Equal(new[] { 1f, 1, 1, 2, 3, 3 }, t.ToArray<float>());
    }

    [Fact]
    public void Pad_circular_wraps_around()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var t = F([1f, 2, 3], 1, 1, 3).Pad([1, 2], PadMode.Circular);
        Assert.Equal(new[] { 3f, 1, 2, 3, 1, 2 }, t.ToArray<float>());
    }
}
