// Tensor creation: constants, ranges, random draws.
#include "shim.h"

SG_API TH sg_zeros(const int64_t* dims, int64_t n, int dtype, int dt, int di) { SG_TENSOR(at::zeros(sg_dims(dims, n), sg_options(dtype, dt, di))) }
SG_API TH sg_ones(const int64_t* dims, int64_t n, int dtype, int dt, int di) { SG_TENSOR(at::ones(sg_dims(dims, n), sg_options(dtype, dt, di))) }
SG_API TH sg_empty(const int64_t* dims, int64_t n, int dtype, int dt, int di) { SG_TENSOR(at::empty(sg_dims(dims, n), sg_options(dtype, dt, di))) }
SG_API TH sg_full(const int64_t* dims, int64_t n, double value, int dtype, int dt, int di) { SG_TENSOR(at::full(sg_dims(dims, n), value, sg_options(dtype, dt, di))) }
SG_API TH sg_arange(double start, double end, double step, int dtype, int dt, int di) { SG_TENSOR(at::arange(start, end, step, sg_options(dtype, dt, di))) }
SG_API TH sg_linspace(double start, double end, int64_t steps, int dtype, int dt, int di) { SG_TENSOR(at::linspace(start, end, steps, sg_options(dtype, dt, di))) }
SG_API TH sg_eye(int64_t n, int dtype, int dt, int di) { SG_TENSOR(at::eye(n, sg_options(dtype, dt, di))) }

SG_API TH sg_rand(const int64_t* dims, int64_t n, GH g, int dtype, int dt, int di) { SG_TENSOR(at::rand(sg_dims(dims, n), sg_gen(g), sg_options(dtype, dt, di))) }
SG_API TH sg_randn(const int64_t* dims, int64_t n, GH g, int dtype, int dt, int di) { SG_TENSOR(at::randn(sg_dims(dims, n), sg_gen(g), sg_options(dtype, dt, di))) }
SG_API TH sg_randint(int64_t low, int64_t high, const int64_t* dims, int64_t n, GH g, int dtype, int dt, int di) {
  SG_TENSOR(at::randint(low, high, sg_dims(dims, n), sg_gen(g), sg_options(dtype, dt, di)))
}
SG_API TH sg_randperm(int64_t n, GH g, int dtype, int dt, int di) { SG_TENSOR(at::randperm(n, sg_gen(g), sg_options(dtype, dt, di))) }
// Standard Gumbel noise -log(-log(U)), U clamped away from 0 and 1 so the result is finite.
// Half and bfloat16 draw in float32 (1e-10 underflows to 0 in half, and CPU clamp lacks half).
static at::Tensor sg_gumbel_from(const at::Tensor& u) { return -at::log(-at::log(u.clamp(1e-10, 1.0 - 1e-7))); }
SG_API TH sg_gumbel(const int64_t* dims, int64_t n, GH g, int dtype, int dt, int di) {
  SG_TENSOR(([&] {
    const auto type = static_cast<at::ScalarType>(dtype);
    const bool reduced = type == at::kHalf || type == at::kBFloat16;
    auto noise = sg_gumbel_from(at::rand(sg_dims(dims, n), sg_gen(g), sg_options(reduced ? (int)at::kFloat : dtype, dt, di)));
    return reduced ? noise.to(type) : noise;
  }()))
}
// The same noise from uniform draws made earlier (e.g. some rows of a larger draw).
SG_API TH sg_gumbel_from_uniform(TH u) { SG_TENSOR(sg_gumbel_from(*u)) }
SG_API TH sg_multinomial(TH probs, int64_t samples, int replacement, GH g) { SG_TENSOR(at::multinomial(*probs, samples, replacement != 0, sg_gen(g))) }
SG_API TH sg_bernoulli(TH probs, GH g) { SG_TENSOR(at::bernoulli(*probs, sg_gen(g))) }
SG_API int sg_uniform_(TH t, double from, double to, GH g) { SG_STATUS(({ at::NoGradGuard ng; t->uniform_(from, to, sg_gen(g)); })) }
SG_API int sg_normal_(TH t, double mean, double std, GH g) { SG_STATUS(({ at::NoGradGuard ng; t->normal_(mean, std, sg_gen(g)); })) }
