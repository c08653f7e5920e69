// Optimiser kernels over lists of parameters, run outside autograd.
#include "shim.h"

// One AdamW step (decoupled weight decay, bias-corrected moments) for parameters that have a
// gradient; `step` is the 1-based step count after this update.
SG_API int sg_adamw_step(const TH* params, const TH* exp_avg, const TH* exp_avg_sq, int64_t n, double lr,
                         double beta1, double beta2, double eps, double weight_decay, int64_t step) {
  SG_STATUS(({
    at::NoGradGuard ng;
    const double bc1 = 1.0 - std::pow(beta1, (double)step);
    const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, (double)step));
    for (int64_t i = 0; i < n; ++i) {
      auto& p = *params[i];
      const auto& g = p.grad();
      if (!g.defined()) continue;
      if (weight_decay != 0) p.mul_(1.0 - lr * weight_decay);
      exp_avg[i]->mul_(beta1).add_(g, 1.0 - beta1);
      exp_avg_sq[i]->mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      auto denom = (exp_avg_sq[i]->sqrt() / bc2_sqrt).add_(eps);
      p.addcdiv_(*exp_avg[i], denom, -lr / bc1);
    }
  }))
}

// Scales all gradients so that their global p-norm is at most max_norm; writes the norm before
// clipping to *total.
SG_API int sg_clip_grad_norm(const TH* params, int64_t n, double max_norm, double norm_type, double* total) {
  SG_STATUS(({
    at::NoGradGuard ng;
    std::vector<at::Tensor> norms;
    for (int64_t i = 0; i < n; ++i)
      if (params[i]->grad().defined()) norms.push_back(params[i]->grad().norm(norm_type));
    *total = 0.0;
    if (!norms.empty()) {
      const double t = at::stack(norms).norm(norm_type).item<double>();
      *total = t;
      const double coef = max_norm / (t + 1e-6);
      if (coef < 1.0)
        for (int64_t i = 0; i < n; ++i)
          if (params[i]->grad().defined()) params[i]->mutable_grad().mul_(coef);
    }
  }))
}
