using System.Runtime.InteropServices;
using TH = StemGen.Torch.Interop.TensorHandle;
using GH = StemGen.Torch.Interop.GeneratorHandle;

namespace StemGen.Torch.Interop;

/// <summary>
/// The shim's C entry points (native/src/*.cpp), grouped as there. Returned IntPtr tensors are
/// new handles owned by the caller; zero means an error is waiting in sg_last_error.
/// </summary>
internal static unsafe partial class Native
{
    private const string Lib = NativeLoader.LibraryName;

    internal static string Text(IntPtr utf8) => Marshal.PtrToStringUTF8(utf8) ?? "";

    // ---- core.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_last_error();
    [LibraryImport(Lib)] internal static partial int sg_last_error_kind();
    [LibraryImport(Lib)] internal static partial void sg_clear_error();
    [LibraryImport(Lib)] internal static partial IntPtr sg_torch_version();
    [LibraryImport(Lib)] internal static partial IntPtr sg_parallel_info();
    [LibraryImport(Lib)] internal static partial int sg_get_num_threads();
    [LibraryImport(Lib)] internal static partial int sg_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int sg_get_num_interop_threads();
    [LibraryImport(Lib)] internal static partial int sg_cuda_is_available();
    [LibraryImport(Lib)] internal static partial long sg_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int sg_cuda_synchronize(long device);
    [LibraryImport(Lib)] internal static partial int sg_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial void sg_tensor_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial long sg_dim(TH t);
    [LibraryImport(Lib)] internal static partial int sg_shape(TH t, long* dims);
    [LibraryImport(Lib)] internal static partial int sg_dtype(TH t);
    [LibraryImport(Lib)] internal static partial int sg_device_type(TH t);
    [LibraryImport(Lib)] internal static partial int sg_device_index(TH t);
    [LibraryImport(Lib)] internal static partial long sg_numel(TH t);
    [LibraryImport(Lib)] internal static partial int sg_is_contiguous(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_to_string(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_from_data(void* data, long* dims, long ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial int sg_copy_to_host(TH t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int sg_item_double(TH t, out double value);
    [LibraryImport(Lib)] internal static partial int sg_item_long(TH t, out long value);
    [LibraryImport(Lib)] internal static partial IntPtr sg_to(TH t, int deviceType, int deviceIndex, int dtype, int nonBlocking);
    [LibraryImport(Lib)] internal static partial IntPtr sg_clone(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_detach(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_alias(TH t);
    [LibraryImport(Lib)] internal static partial int sg_copy_(TH dst, TH src);
    [LibraryImport(Lib)] internal static partial int sg_set_data(TH self, TH src);
    [LibraryImport(Lib)] internal static partial int sg_requires_grad(TH t);
    [LibraryImport(Lib)] internal static partial int sg_set_requires_grad(TH t, int value);
    [LibraryImport(Lib)] internal static partial int sg_grad(TH t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int sg_set_grad(TH t, TH grad);
    [LibraryImport(Lib)] internal static partial int sg_backward(TH t, TH gradOutput, int retainGraph);
    [LibraryImport(Lib)] internal static partial int sg_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial void sg_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int sg_set_autocast(int deviceType, int enabled, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr sg_generator_new(ulong seed, int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial void sg_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int sg_generator_set_seed(GH g, ulong seed);

    // ---- creation.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_zeros(long* dims, long n, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_ones(long* dims, long n, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_empty(long* dims, long n, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_full(long* dims, long n, double value, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_arange(double start, double end, double step, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_linspace(double start, double end, long steps, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_eye(long n, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_rand(long* dims, long n, GH g, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_randn(long* dims, long n, GH g, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_randint(long low, long high, long* dims, long n, GH g, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_randperm(long n, GH g, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_gumbel(long* dims, long n, GH g, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_gumbel_from_uniform(TH u);
    [LibraryImport(Lib)] internal static partial IntPtr sg_multinomial(TH probs, long samples, int replacement, GH g);
    [LibraryImport(Lib)] internal static partial IntPtr sg_bernoulli(TH probs, GH g);
    [LibraryImport(Lib)] internal static partial int sg_uniform_(TH t, double from, double to, GH g);
    [LibraryImport(Lib)] internal static partial int sg_normal_(TH t, double mean, double std, GH g);

    // ---- shape.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_reshape(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_view(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_permute(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_transpose(TH t, long a, long b);
    [LibraryImport(Lib)] internal static partial IntPtr sg_contiguous(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_flatten(TH t, long start, long end);
    [LibraryImport(Lib)] internal static partial IntPtr sg_expand(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_repeat(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_repeat_interleave(TH t, long repeats, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_squeeze(TH t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_squeeze_all(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_unsqueeze(TH t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_flip(TH t, long* dims, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_roll(TH t, long shift, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_tril(TH t, long k);
    [LibraryImport(Lib)] internal static partial IntPtr sg_triu(TH t, long k);
    [LibraryImport(Lib)] internal static partial IntPtr sg_narrow(TH t, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial IntPtr sg_slice(TH t, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial IntPtr sg_select(TH t, long dim, long index);
    [LibraryImport(Lib)] internal static partial IntPtr sg_index_select(TH t, long dim, TH index);
    [LibraryImport(Lib)] internal static partial IntPtr sg_index_tensor(TH t, TH index);
    [LibraryImport(Lib)] internal static partial IntPtr sg_gather(TH t, long dim, TH index);
    [LibraryImport(Lib)] internal static partial IntPtr sg_scatter(TH t, long dim, TH index, TH src);
    [LibraryImport(Lib)] internal static partial IntPtr sg_scatter_value(TH t, long dim, TH index, double value);
    [LibraryImport(Lib)] internal static partial IntPtr sg_scatter_add(TH t, long dim, TH index, TH src);
    [LibraryImport(Lib)] internal static partial IntPtr sg_index_add(TH t, long dim, TH index, TH src);
    [LibraryImport(Lib)] internal static partial IntPtr sg_masked_fill(TH t, TH mask, double value);
    [LibraryImport(Lib)] internal static partial IntPtr sg_masked_select(TH t, TH mask);
    [LibraryImport(Lib)] internal static partial IntPtr sg_nonzero(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_where(TH cond, TH a, TH b);
    [LibraryImport(Lib)] internal static partial IntPtr sg_cat(IntPtr* ts, long n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_stack(IntPtr* ts, long n, long dim);
    [LibraryImport(Lib)] internal static partial long sg_split(TH t, long size, long dim, IntPtr* outs, long cap);
    [LibraryImport(Lib)] internal static partial long sg_split_sizes(TH t, long* sizes, long n, long dim, IntPtr* outs, long cap);
    [LibraryImport(Lib)] internal static partial long sg_chunk(TH t, long chunks, long dim, IntPtr* outs, long cap);
    [LibraryImport(Lib)] internal static partial long sg_unbind(TH t, long dim, IntPtr* outs, long cap);
    [LibraryImport(Lib)] internal static partial IntPtr sg_pad(TH t, long* pads, long n, int mode, double value);

    // ---- math.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_unary(TH t, int op);
    [LibraryImport(Lib)] internal static partial IntPtr sg_binary(TH a, TH b, int op);
    [LibraryImport(Lib)] internal static partial IntPtr sg_binary_scalar(TH a, double s, int op);
    [LibraryImport(Lib)] internal static partial IntPtr sg_binary_scalar_long(TH a, long s, int op);
    [LibraryImport(Lib)] internal static partial IntPtr sg_scalar_binary(double s, TH b, int op);
    [LibraryImport(Lib)] internal static partial IntPtr sg_add_scaled(TH a, TH b, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr sg_clamp(TH t, double min, double max, int hasMin, int hasMax);
    [LibraryImport(Lib)] internal static partial IntPtr sg_lerp(TH a, TH b, double weight);
    [LibraryImport(Lib)] internal static partial int sg_add_(TH t, TH other, double alpha);
    [LibraryImport(Lib)] internal static partial int sg_mul_scalar_(TH t, double s);
    [LibraryImport(Lib)] internal static partial int sg_mul_(TH t, TH other);
    [LibraryImport(Lib)] internal static partial int sg_fill_(TH t, double v);
    [LibraryImport(Lib)] internal static partial int sg_lerp_(TH t, TH end, double weight);
    [LibraryImport(Lib)] internal static partial int sg_index_copy_(TH t, long dim, TH index, TH src);
    [LibraryImport(Lib)] internal static partial IntPtr sg_matmul(TH a, TH b);
    [LibraryImport(Lib)] internal static partial IntPtr sg_bmm(TH a, TH b);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr sg_einsum(string equation, IntPtr* ts, long n);
    [LibraryImport(Lib)] internal static partial IntPtr sg_sum(TH t, long* dims, long n, int keepdim, int dtype);
    [LibraryImport(Lib)] internal static partial IntPtr sg_mean(TH t, long* dims, long n, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_var(TH t, long* dims, long n, long correction, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_logsumexp(TH t, long* dims, long n, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_norm(TH t, double p, long* dims, long n, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_max_all(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_min_all(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_max_dim(TH t, long dim, int keepdim, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr sg_min_dim(TH t, long dim, int keepdim, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr sg_argmax(TH t, long dim, int hasDim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_argmin(TH t, long dim, int hasDim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_cumsum(TH t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_all(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_any(TH t);
    [LibraryImport(Lib)] internal static partial IntPtr sg_sort(TH t, long dim, int descending, int stable, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr sg_topk(TH t, long k, long dim, int largest, int sorted, out IntPtr indices);

    // ---- nn.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_linear(TH x, TH w, TH b);
    [LibraryImport(Lib)] internal static partial IntPtr sg_embedding(TH weight, TH indices);
    [LibraryImport(Lib)] internal static partial IntPtr sg_conv1d(TH x, TH w, TH b, long stride, long padding, long dilation, long groups);
    [LibraryImport(Lib)] internal static partial IntPtr sg_conv_transpose1d(TH x, TH w, TH b, long stride, long padding, long outputPadding, long groups, long dilation);
    [LibraryImport(Lib)] internal static partial IntPtr sg_layer_norm(TH x, long* shape, long n, TH w, TH b, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr sg_rms_norm(TH x, TH w, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr sg_dropout(TH x, double p, int train);
    [LibraryImport(Lib)] internal static partial IntPtr sg_elu(TH x, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr sg_leaky_relu(TH x, double slope);
    [LibraryImport(Lib)] internal static partial IntPtr sg_softmax(TH x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_log_softmax(TH x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr sg_lstm(TH x, TH h0, TH c0, IntPtr* parameters, long nparams, int hasBiases, long layers, double dropout, int train, int batchFirst, out IntPtr hn, out IntPtr cn);
    [LibraryImport(Lib)] internal static partial IntPtr sg_sdpa(TH q, TH k, TH v, TH mask, double dropout, int isCausal);
    [LibraryImport(Lib)] internal static partial int sg_has_fused_attention();
    [LibraryImport(Lib)] internal static partial void sg_set_blocked_attention(int on);
    [LibraryImport(Lib)] internal static partial int sg_blocked_attention();
    [LibraryImport(Lib)] internal static partial IntPtr sg_cross_entropy(TH logits, TH target, TH weight, long reduction, long ignoreIndex, double smoothing);
    [LibraryImport(Lib)] internal static partial IntPtr sg_nll_loss(TH logp, TH target, long reduction, long ignoreIndex);
    [LibraryImport(Lib)] internal static partial IntPtr sg_l1_loss(TH a, TH b, long reduction);
    [LibraryImport(Lib)] internal static partial IntPtr sg_mse_loss(TH a, TH b, long reduction);

    // ---- vision.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_conv2d(TH x, TH w, TH b, long strideH, long strideW, long padH, long padW, long dilH, long dilW, long groups);
    [LibraryImport(Lib)] internal static partial IntPtr sg_max_pool2d(TH x, long kernelH, long kernelW, long strideH, long strideW, long padH, long padW, int ceilMode);

    // ---- signal.cpp ----
    [LibraryImport(Lib)] internal static partial IntPtr sg_hann_window(long length, int periodic, int dtype, int dt, int di);
    [LibraryImport(Lib)] internal static partial IntPtr sg_stft(TH x, long nFft, long hop, long winLength, TH window, int center, int reflect, int normalized, int onesided);
    [LibraryImport(Lib)] internal static partial IntPtr sg_istft(TH spec, long nFft, long hop, long winLength, TH window, int center, int normalized, int onesided, long length);
    [LibraryImport(Lib)] internal static partial IntPtr sg_polar(TH abs, TH angle);

    // ---- optim.cpp ----
    [LibraryImport(Lib)] internal static partial int sg_adamw_step(IntPtr* parameters, IntPtr* expAvg, IntPtr* expAvgSq, long n, double lr, double beta1, double beta2, double eps, double weightDecay, long step);
    [LibraryImport(Lib)] internal static partial int sg_clip_grad_norm(IntPtr* parameters, long n, double maxNorm, double normType, out double total);
}
