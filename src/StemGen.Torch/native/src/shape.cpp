// Views, indexing and joins.
#include "shim.h"
namespace F = torch::nn::functional;

SG_API TH sg_reshape(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->reshape(sg_dims(d, n))) }
SG_API TH sg_view(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->view(sg_dims(d, n))) }
SG_API TH sg_permute(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->permute(sg_dims(d, n))) }
SG_API TH sg_transpose(TH t, int64_t a, int64_t b) { SG_TENSOR(t->transpose(a, b)) }
SG_API TH sg_contiguous(TH t) { SG_TENSOR(t->contiguous()) }
SG_API TH sg_flatten(TH t, int64_t start, int64_t end) { SG_TENSOR(t->flatten(start, end)) }
SG_API TH sg_expand(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->expand(sg_dims(d, n))) }
SG_API TH sg_repeat(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->repeat(sg_dims(d, n))) }
SG_API TH sg_repeat_interleave(TH t, int64_t repeats, int64_t dim) { SG_TENSOR(t->repeat_interleave(repeats, dim)) }
SG_API TH sg_squeeze(TH t, int64_t dim) { SG_TENSOR(t->squeeze(dim)) }
SG_API TH sg_squeeze_all(TH t) { SG_TENSOR(t->squeeze()) }
SG_API TH sg_unsqueeze(TH t, int64_t dim) { SG_TENSOR(t->unsqueeze(dim)) }
SG_API TH sg_flip(TH t, const int64_t* d, int64_t n) { SG_TENSOR(t->flip(sg_dims(d, n))) }
SG_API TH sg_roll(TH t, int64_t shift, int64_t dim) { SG_TENSOR(t->roll(shift, dim)) }
SG_API TH sg_tril(TH t, int64_t k) { SG_TENSOR(t->tril(k)) }
SG_API TH sg_triu(TH t, int64_t k) { SG_TENSOR(t->triu(k)) }

SG_API TH sg_narrow(TH t, int64_t dim, int64_t start, int64_t length) { SG_TENSOR(t->narrow(dim, start, length)) }
SG_API TH sg_slice(TH t, int64_t dim, int64_t start, int64_t end, int64_t step) { SG_TENSOR(t->slice(dim, start, end, step)) }
SG_API TH sg_select(TH t, int64_t dim, int64_t index) { SG_TENSOR(t->select(dim, index)) }
SG_API TH sg_index_select(TH t, int64_t dim, TH index) { SG_TENSOR(t->index_select(dim, *index)) }
SG_API TH sg_index_tensor(TH t, TH index) { SG_TENSOR(t->index({*index})) }
SG_API TH sg_gather(TH t, int64_t dim, TH index) { SG_TENSOR(t->gather(dim, *index)) }
SG_API TH sg_scatter(TH t, int64_t dim, TH index, TH src) { SG_TENSOR(t->scatter(dim, *index, *src)) }
SG_API TH sg_scatter_value(TH t, int64_t dim, TH index, double value) { SG_TENSOR(t->scatter(dim, *index, value)) }
SG_API TH sg_scatter_add(TH t, int64_t dim, TH index, TH src) { SG_TENSOR(t->scatter_add(dim, *index, *src)) }
SG_API TH sg_index_add(TH t, int64_t dim, TH index, TH src) { SG_TENSOR(t->index_add(dim, *index, *src)) }
SG_API TH sg_masked_fill(TH t, TH mask, double value) { SG_TENSOR(t->masked_fill(*mask, value)) }
SG_API TH sg_masked_select(TH t, TH mask) { SG_TENSOR(t->masked_select(*mask)) }
SG_API TH sg_nonzero(TH t) { SG_TENSOR(t->nonzero()) }
SG_API TH sg_where(TH cond, TH a, TH b) { SG_TENSOR(at::where(*cond, *a, *b)) }

SG_API TH sg_cat(const TH* ts, int64_t n, int64_t dim) { SG_TENSOR(at::cat(sg_list(ts, n), dim)) }
SG_API TH sg_stack(const TH* ts, int64_t n, int64_t dim) { SG_TENSOR(at::stack(sg_list(ts, n), dim)) }
SG_API int64_t sg_split(TH t, int64_t size, int64_t dim, TH* out, int64_t cap) { SG_VALUE(sg_write_list(t->split(size, dim), out, cap), -1) }
SG_API int64_t sg_split_sizes(TH t, const int64_t* sizes, int64_t n, int64_t dim, TH* out, int64_t cap) {
  SG_VALUE(sg_write_list(t->split_with_sizes(sg_dims(sizes, n), dim), out, cap), -1)
}
SG_API int64_t sg_chunk(TH t, int64_t chunks, int64_t dim, TH* out, int64_t cap) { SG_VALUE(sg_write_list(t->chunk(chunks, dim), out, cap), -1) }
SG_API int64_t sg_unbind(TH t, int64_t dim, TH* out, int64_t cap) { SG_VALUE(sg_write_list(t->unbind(dim), out, cap), -1) }

// mode: 0 constant, 1 reflect, 2 replicate, 3 circular. pads: last dimension first, as torch.
SG_API TH sg_pad(TH t, const int64_t* pads, int64_t n, int mode, double value) {
  SG_TENSOR(([&] {
    auto opts = F::PadFuncOptions(std::vector<int64_t>(pads, pads + n));
    switch (mode) {
      case 0: opts.mode(torch::kConstant).value(value); break;
      case 1: opts.mode(torch::kReflect); break;
      case 2: opts.mode(torch::kReplicate); break;
      case 3: opts.mode(torch::kCircular); break;
      default: throw std::invalid_argument("unknown pad mode " + std::to_string(mode));
    }
    return F::pad(*t, opts);
  }()))
}
