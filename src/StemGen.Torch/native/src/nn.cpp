// Layers, activations with parameters, attention and losses.
#include "shim.h"
#include <ATen/Parallel.h>
#include <atomic>

SG_API TH sg_linear(TH x, TH w, TH b) { SG_TENSOR(at::linear(*x, *w, sg_opt(b))) }
SG_API TH sg_embedding(TH weight, TH indices) { SG_TENSOR(at::embedding(*weight, *indices)) }
SG_API TH sg_conv1d(TH x, TH w, TH b, int64_t stride, int64_t padding, int64_t dilation, int64_t groups) {
  SG_TENSOR(at::conv1d(*x, *w, sg_opt(b), {stride}, {padding}, {dilation}, groups))
}
SG_API TH sg_conv_transpose1d(TH x, TH w, TH b, int64_t stride, int64_t padding, int64_t output_padding,
                              int64_t groups, int64_t dilation) {
  SG_TENSOR(at::conv_transpose1d(*x, *w, sg_opt(b), {stride}, {padding}, {output_padding}, groups, {dilation}))
}
SG_API TH sg_layer_norm(TH x, const int64_t* shape, int64_t n, TH w, TH b, double eps) {
  SG_TENSOR(at::layer_norm(*x, sg_dims(shape, n), sg_opt(w), sg_opt(b), eps))
}
// RMSNorm computed in float32 whatever the input type (LLaMA practice), result in the input type.
SG_API TH sg_rms_norm(TH x, TH w, double eps) {
  SG_TENSOR(([&] {
    auto xf = x->to(at::kFloat);
    auto y = (xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(x->scalar_type());
    return w ? y * *w : y;
  }()))
}
SG_API TH sg_dropout(TH x, double p, int train) { SG_TENSOR(at::dropout(*x, p, train != 0)) }
SG_API TH sg_elu(TH x, double alpha) { SG_TENSOR(at::elu(*x, alpha)) }
SG_API TH sg_leaky_relu(TH x, double slope) { SG_TENSOR(at::leaky_relu(*x, slope)) }
SG_API TH sg_softmax(TH x, int64_t dim) { SG_TENSOR(at::softmax(*x, dim)) }
SG_API TH sg_log_softmax(TH x, int64_t dim) { SG_TENSOR(at::log_softmax(*x, dim)) }

// Multi-layer LSTM over (T, B, I) or (B, T, I) input. params: per layer w_ih, w_hh[, b_ih, b_hh]
// (gate order i, f, g, o). h0/c0 may be null (zeros). Writes the final states to *hn and *cn.
SG_API TH sg_lstm(TH x, TH h0, TH c0, const TH* params, int64_t nparams, int has_biases, int64_t layers,
                  double dropout, int train, int batch_first, TH* hn, TH* cn) {
  SG_TENSOR(([&] {
    const int64_t batch = x->size(batch_first ? 0 : 1);
    const int64_t hidden = params[1]->size(1);
    auto opts = x->options();
    auto h = h0 ? *h0 : at::zeros({layers, batch, hidden}, opts);
    auto c = c0 ? *c0 : at::zeros({layers, batch, hidden}, opts);
    auto r = at::lstm(*x, {h, c}, sg_list(params, nparams), has_biases != 0, layers, dropout,
                      train != 0, false, batch_first != 0);
    *hn = new at::Tensor(std::get<1>(r));
    *cn = new at::Tensor(std::get<2>(r));
    return std::get<0>(r);
  }()))
}

// Attention without gradients, blocked (libtorch before 2.0 has no fused kernel): each task of the
// intra-op pool takes one (batch, head) pair and a block of queries, so its (block, Tk) scores stay
// near the core (up to 1 MB) instead of a (B, H, T, T) tensor going through memory three times, and the
// pool runs one team for the whole attention instead of one per op. Per element the same as the
// explicit form (scaled q kT, softmax along the row, times v), but BLAS may sum in another order
// (OpenBLAS's results depend on the rows per call and on its threads): equal to float rounding.
static std::atomic<bool> g_blocked_attention{true};
SG_API void sg_set_blocked_attention(int on) { g_blocked_attention = on != 0; }
SG_API int sg_blocked_attention() { return g_blocked_attention ? 1 : 0; }

static at::Tensor sg_attention_blocked(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
  const int64_t tq = q.size(-2), tk = k.size(-2), dh = q.size(-1), dv = v.size(-1);
  const int64_t pairs = q.numel() / (tq * dh);
  auto q3 = q.reshape({pairs, tq, dh}).contiguous();
  auto k3 = k.reshape({pairs, tk, dh}).contiguous();
  auto v3 = v.reshape({pairs, tk, dv}).contiguous();
  auto out = at::empty({pairs, tq, dv}, q.options());
  // Scores of one block: up to 1 MB of float32 (measured, 1 thread, 12 heads of 1000 x 1000: 1.4x
  // the explicit form's speed; blocks of 128 KB gained only 1.1x, the GEMMs preferring more rows).
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(tq, (256 * 1024) / std::max<int64_t>(tk, 1)));
  const int64_t blocks = (tq + block - 1) / block;
  // Tasks handed out one at a time: a pool thread that the OS deschedules (a shared machine) holds
  // up one task, not a fixed half of them.
  const int64_t tasks = pairs * blocks;
  std::atomic<int64_t> next{0};
  at::parallel_for(0, std::min<int64_t>(tasks, at::get_num_threads()), 1, [&](int64_t, int64_t) {
    for (int64_t i; (i = next.fetch_add(1)) < tasks;) {
      const int64_t p = i / blocks, start = (i % blocks) * block, len = std::min(block, tq - start);
      auto scores = at::empty({len, tk}, q.options());
      at::addmm_out(scores, scores, q3[p].narrow(0, start, len), k3[p].t(), 0, scale);  // scale inside the GEMM
      auto o = out[p].narrow(0, start, len);
      at::mm_out(o, at::softmax(scores, -1), v3[p]);
    }
  });
  auto shape = q.sizes().vec();
  shape.back() = dv;
  return out.view(shape);
}

// Scaled dot-product attention over (B, H, T, Dh); mask (optional) is boolean "may attend" or
// additive float. Uses libtorch's fused kernel where it exists (2.0+), the explicit form otherwise
// (blocked, see above, on the CPU when no gradient is recorded).
SG_API TH sg_sdpa(TH q, TH k, TH v, TH mask, double dropout, int is_causal) {
  SG_TENSOR(([&]() -> at::Tensor {
#if TORCH_VERSION_MAJOR >= 2
    return at::scaled_dot_product_attention(*q, *k, *v, sg_opt(mask), dropout, is_causal != 0);
#else
    const double scale = 1.0 / std::sqrt((double)q->size(-1));
    const bool records = at::GradMode::is_enabled() && (q->requires_grad() || k->requires_grad() || v->requires_grad());
    if (g_blocked_attention && !records && !mask && !is_causal && dropout == 0 && q->is_cpu() && q->numel() > 0 && k->numel() > 0 &&
        q->scalar_type() == at::kFloat && k->scalar_type() == at::kFloat && v->scalar_type() == at::kFloat &&
        q->dim() >= 2 && q->sizes().slice(0, q->dim() - 2) == k->sizes().slice(0, k->dim() - 2) &&
        k->sizes().slice(0, k->dim() - 1) == v->sizes().slice(0, v->dim() - 1))
      return sg_attention_blocked(*q, *k, *v, scale);
    auto scores = at::matmul(*q, k->transpose(-2, -1)) * scale;
    if (is_causal) {
      auto keep = at::ones({q->size(-2), k->size(-2)}, q->options().dtype(at::kBool)).tril();
      scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
    }
    if (mask) scores = mask->scalar_type() == at::kBool
                           ? scores.masked_fill(mask->logical_not(), -std::numeric_limits<double>::infinity())
                           : scores + *mask;
    auto attn = at::softmax(scores, -1);
    if (dropout > 0) attn = at::dropout(attn, dropout, true);
    return at::matmul(attn, *v);
#endif
  }()))
}
SG_API int sg_has_fused_attention() { return TORCH_VERSION_MAJOR >= 2 ? 1 : 0; }

// ---- losses; reduction: 0 none, 1 mean, 2 sum ----
SG_API TH sg_cross_entropy(TH logits, TH target, TH weight, int64_t reduction, int64_t ignore_index, double smoothing) {
  SG_TENSOR(at::cross_entropy_loss(*logits, *target, sg_opt(weight), reduction, ignore_index, smoothing))
}
SG_API TH sg_nll_loss(TH logp, TH target, int64_t reduction, int64_t ignore_index) {
  SG_TENSOR(at::nll_loss_nd(*logp, *target, c10::nullopt, reduction, ignore_index))
}
SG_API TH sg_l1_loss(TH a, TH b, int64_t reduction) { SG_TENSOR(at::l1_loss(*a, *b, reduction)) }
SG_API TH sg_mse_loss(TH a, TH b, int64_t reduction) { SG_TENSOR(at::mse_loss(*a, *b, reduction)) }
