// Elementwise arithmetic, comparisons, reductions, sorting, matrix products.
// Unary and binary ops are dispatched by code to keep the C ABI small; the codes are mirrored
// by StemGen.Torch.UnaryOp / BinaryOp.
#include "shim.h"

static at::Tensor unary(const at::Tensor& t, int op) {
  switch (op) {
    case 0: return at::neg(t);
    case 1: return at::abs(t);
    case 2: return at::sqrt(t);
    case 3: return at::rsqrt(t);
    case 4: return at::exp(t);
    case 5: return at::log(t);
    case 6: return at::sin(t);
    case 7: return at::cos(t);
    case 8: return at::tanh(t);
    case 9: return at::sigmoid(t);
    case 10: return at::relu(t);
    case 11: return at::silu(t);
    case 12: return at::gelu(t);
    case 13: return at::logical_not(t);
    case 14: return at::sign(t);
    case 15: return at::floor(t);
    case 16: return at::ceil(t);
    case 17: return at::round(t);
    case 18: return at::square(t);
    case 19: return at::reciprocal(t);
    case 20: return at::isnan(t);
    case 21: return at::isinf(t);
    case 22: return at::isfinite(t);
    case 23: return at::log1p(t);
    case 24: return at::expm1(t);
    case 25: return at::log2(t);
    case 26: return at::log10(t);
    case 27: return at::real(t);
    case 28: return at::imag(t);
    case 29: return at::angle(t);
    case 30: return at::view_as_real(t);
    case 31: return at::view_as_complex(t);
    case 32: return at::gelu(t, "tanh");
    case 33: return at::atan(t);
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

static at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int op) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::eq(a, b);
    case 6: return at::ne(a, b);
    case 7: return at::lt(a, b);
    case 8: return at::le(a, b);
    case 9: return at::gt(a, b);
    case 10: return at::ge(a, b);
    case 11: return at::maximum(a, b);
    case 12: return at::minimum(a, b);
    case 13: return at::logical_and(a, b);
    case 14: return at::logical_or(a, b);
    case 15: return at::logical_xor(a, b);
    case 16: return at::remainder(a, b);
    case 17: return at::div(a, b, "floor");
    case 18: return at::atan2(a, b);
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

static at::Tensor wrapped(const at::Scalar& s) {
  auto t = at::scalar_to_tensor(s);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

SG_API TH sg_unary(TH t, int op) { SG_TENSOR(unary(*t, op)) }
SG_API TH sg_binary(TH a, TH b, int op) { SG_TENSOR(binary(*a, *b, op)) }
// Scalars are wrapped as 0-dim "wrapped numbers" so they promote like Python scalars
// (an int64 tensor plus 1 stays int64; plus 0.5 becomes float).
SG_API TH sg_binary_scalar(TH a, double s, int op) { SG_TENSOR(binary(*a, wrapped(s), op)) }
SG_API TH sg_binary_scalar_long(TH a, int64_t s, int op) { SG_TENSOR(binary(*a, wrapped(s), op)) }
SG_API TH sg_scalar_binary(double s, TH b, int op) { SG_TENSOR(binary(wrapped(s), *b, op)) }
SG_API TH sg_add_scaled(TH a, TH b, double alpha) { SG_TENSOR(at::add(*a, *b, alpha)) }
SG_API TH sg_clamp(TH t, double min, double max, int has_min, int has_max) {
  SG_TENSOR(at::clamp(*t, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                      has_max ? c10::optional<at::Scalar>(max) : c10::nullopt))
}
SG_API TH sg_lerp(TH a, TH b, double weight) { SG_TENSOR(at::lerp(*a, *b, weight)) }

// In-place updates, always outside autograd (optimisers, EMA codebooks, running statistics).
SG_API int sg_add_(TH t, TH other, double alpha) { SG_STATUS(({ at::NoGradGuard g; t->add_(*other, alpha); })) }
SG_API int sg_mul_scalar_(TH t, double s) { SG_STATUS(({ at::NoGradGuard g; t->mul_(s); })) }
SG_API int sg_mul_(TH t, TH other) { SG_STATUS(({ at::NoGradGuard g; t->mul_(*other); })) }
SG_API int sg_fill_(TH t, double v) { SG_STATUS(({ at::NoGradGuard g; t->fill_(v); })) }
SG_API int sg_lerp_(TH t, TH end, double weight) { SG_STATUS(({ at::NoGradGuard g; t->lerp_(*end, weight); })) }
SG_API int sg_index_copy_(TH t, int64_t dim, TH index, TH src) { SG_STATUS(({ at::NoGradGuard g; t->index_copy_(dim, *index, *src); })) }

// ---- matrix products ----
SG_API TH sg_matmul(TH a, TH b) { SG_TENSOR(at::matmul(*a, *b)) }
SG_API TH sg_bmm(TH a, TH b) { SG_TENSOR(at::bmm(*a, *b)) }
SG_API TH sg_einsum(const char* eq, const TH* ts, int64_t n) { SG_TENSOR(at::einsum(eq, sg_list(ts, n))) }

// ---- reductions (ndims == 0 means all dimensions; dtype < 0 means keep) ----
static c10::optional<at::ScalarType> opt_dtype(int dtype) {
  return dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(static_cast<at::ScalarType>(dtype));
}
SG_API TH sg_sum(TH t, const int64_t* d, int64_t n, int keepdim, int dtype) {
  SG_TENSOR(n == 0 ? at::sum(*t, opt_dtype(dtype)) : at::sum(*t, sg_dims(d, n), keepdim != 0, opt_dtype(dtype)))
}
SG_API TH sg_mean(TH t, const int64_t* d, int64_t n, int keepdim) {
  SG_TENSOR(n == 0 ? at::mean(*t) : at::mean(*t, sg_dims(d, n), keepdim != 0))
}
SG_API TH sg_var(TH t, const int64_t* d, int64_t n, int64_t correction, int keepdim) {
  SG_TENSOR(at::var(*t, n == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(sg_dims(d, n)), correction, keepdim != 0))
}
SG_API TH sg_logsumexp(TH t, const int64_t* d, int64_t n, int keepdim) { SG_TENSOR(at::logsumexp(*t, sg_dims(d, n), keepdim != 0)) }
SG_API TH sg_norm(TH t, double p, const int64_t* d, int64_t n, int keepdim) {
  SG_TENSOR(n == 0 ? at::norm(*t, p) : at::norm(*t, p, sg_dims(d, n), keepdim != 0))
}
SG_API TH sg_max_all(TH t) { SG_TENSOR(at::max(*t)) }
SG_API TH sg_min_all(TH t) { SG_TENSOR(at::min(*t)) }
SG_API TH sg_max_dim(TH t, int64_t dim, int keepdim, TH* indices) {
  SG_TENSOR(([&] { auto r = at::max(*t, dim, keepdim != 0); *indices = new at::Tensor(std::get<1>(r)); return std::get<0>(r); }()))
}
SG_API TH sg_min_dim(TH t, int64_t dim, int keepdim, TH* indices) {
  SG_TENSOR(([&] { auto r = at::min(*t, dim, keepdim != 0); *indices = new at::Tensor(std::get<1>(r)); return std::get<0>(r); }()))
}
SG_API TH sg_argmax(TH t, int64_t dim, int has_dim, int keepdim) {
  SG_TENSOR(at::argmax(*t, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
SG_API TH sg_argmin(TH t, int64_t dim, int has_dim, int keepdim) {
  SG_TENSOR(at::argmin(*t, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
SG_API TH sg_cumsum(TH t, int64_t dim) { SG_TENSOR(at::cumsum(*t, dim)) }
SG_API TH sg_all(TH t) { SG_TENSOR(at::all(*t)) }
SG_API TH sg_any(TH t) { SG_TENSOR(at::any(*t)) }
SG_API TH sg_sort(TH t, int64_t dim, int descending, int stable, TH* indices) {
  SG_TENSOR(([&] { auto r = at::sort(*t, stable != 0, dim, descending != 0); *indices = new at::Tensor(std::get<1>(r)); return std::get<0>(r); }()))
}
SG_API TH sg_topk(TH t, int64_t k, int64_t dim, int largest, int sorted, TH* indices) {
  SG_TENSOR(([&] { auto r = at::topk(*t, k, dim, largest != 0, sorted != 0); *indices = new at::Tensor(std::get<1>(r)); return std::get<0>(r); }()))
}
