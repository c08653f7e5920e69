// Errors, runtime information, tensor lifetime and metadata, host copies, autograd switches,
// autocast and generators.
#include "shim.h"
#include <ATen/autocast_mode.h>
#include <ATen/CPUGeneratorImpl.h>
#include <cstring>
#include <sstream>

static thread_local std::string g_error;
static thread_local int g_error_kind = 0;
static thread_local std::string g_text;  // storage for strings returned to C#

void sg_set_error(int kind, const char* message) {
  g_error_kind = kind;
  g_error = message ? message : "";
}

SG_API const char* sg_last_error() { return g_error.c_str(); }
SG_API int sg_last_error_kind() { return g_error_kind; }
SG_API void sg_clear_error() { g_error.clear(); g_error_kind = 0; }

// ---- runtime ----
SG_API const char* sg_torch_version() {
  g_text = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
  return g_text.c_str();
}
SG_API int sg_get_num_threads() { return at::get_num_threads(); }
SG_API int sg_set_num_threads(int n) { SG_STATUS(at::set_num_threads(n)) }
SG_API int sg_get_num_interop_threads() { return at::get_num_interop_threads(); }
SG_API int sg_cuda_is_available() { SG_VALUE(torch::cuda::is_available() ? 1 : 0, -1) }
SG_API int64_t sg_cuda_device_count() { SG_VALUE((int64_t)torch::cuda::device_count(), -1) }
SG_API int sg_cuda_synchronize(int64_t device) { SG_STATUS(torch::cuda::synchronize(device)) }
SG_API int sg_manual_seed(uint64_t seed) { SG_STATUS(torch::manual_seed(seed)) }
SG_API const char* sg_parallel_info() {
  g_text = at::get_parallel_info();
  return g_text.c_str();
}

// ---- lifetime ----
SG_API void sg_tensor_free(TH t) { delete t; }

// ---- metadata ----
SG_API int64_t sg_dim(TH t) { SG_VALUE(t->dim(), -1) }
SG_API int sg_shape(TH t, int64_t* out) {
  SG_STATUS(for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i))
}
SG_API int sg_dtype(TH t) { SG_VALUE((int)t->scalar_type(), -1) }
SG_API int sg_device_type(TH t) { SG_VALUE((int)t->device().type(), -1) }
SG_API int sg_device_index(TH t) { SG_VALUE((int)t->device().index(), -2) }
SG_API int64_t sg_numel(TH t) { SG_VALUE(t->numel(), -1) }
SG_API int sg_is_contiguous(TH t) { SG_VALUE(t->is_contiguous() ? 1 : 0, -1) }
SG_API const char* sg_to_string(TH t) {
  try {
    std::ostringstream s;
    s << *t;
    g_text = s.str();
    return g_text.c_str();
  }
  SG_CATCH return nullptr;
}

// ---- host copies ----
SG_API TH sg_from_data(const void* data, const int64_t* dims, int64_t ndim, int dtype,
                       int device_type, int device_index) {
  SG_TENSOR(([&] {
    auto cpu = at::empty(sg_dims(dims, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    if (cpu.numel() > 0) std::memcpy(cpu.data_ptr(), data, cpu.numel() * cpu.element_size());
    return device_type == (int)at::kCPU ? cpu : cpu.to(at::Device(static_cast<at::DeviceType>(device_type), (c10::DeviceIndex)device_index));
  }()))
}
// Copies the tensor's elements (any device, any layout) into `dst`, which holds exactly `nbytes`.
SG_API int sg_copy_to_host(TH t, void* dst, int64_t nbytes) {
  SG_STATUS(({
    auto c = t->detach().to(at::kCPU).contiguous();
    const int64_t need = c.numel() * (int64_t)c.element_size();
    if (need != nbytes)
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes, tensor needs " + std::to_string(need));
    if (need > 0) std::memcpy(dst, c.data_ptr(), (size_t)need);
  }))
}
SG_API int sg_item_double(TH t, double* out) { SG_STATUS(*out = t->item<double>()) }
SG_API int sg_item_long(TH t, int64_t* out) { SG_STATUS(*out = t->item<int64_t>()) }

// ---- conversions and copies ----
SG_API TH sg_to(TH t, int device_type, int device_index, int dtype, int non_blocking) {
  SG_TENSOR(t->to(at::Device(static_cast<at::DeviceType>(device_type), (c10::DeviceIndex)device_index),
                  static_cast<at::ScalarType>(dtype), non_blocking != 0))
}
SG_API TH sg_clone(TH t) { SG_TENSOR(t->clone()) }
SG_API TH sg_detach(TH t) { SG_TENSOR(t->detach()) }
SG_API TH sg_alias(TH t) { SG_TENSOR(*t) }
SG_API int sg_copy_(TH dst, TH src) { SG_STATUS(({ at::NoGradGuard g; dst->copy_(*src); })) }
// Replaces the storage of `self` keeping its identity (what Module.To needs for parameters).
SG_API int sg_set_data(TH self, TH src) { SG_STATUS(self->set_data(*src)) }

// ---- autograd ----
SG_API int sg_requires_grad(TH t) { SG_VALUE(t->requires_grad() ? 1 : 0, -1) }
SG_API int sg_set_requires_grad(TH t, int value) { SG_STATUS(t->set_requires_grad(value != 0)) }
// Writes the gradient handle to *out, or null when the tensor has no gradient.
SG_API int sg_grad(TH t, TH* out) {
  SG_STATUS(({ const auto& g = t->grad(); *out = g.defined() ? new at::Tensor(g) : nullptr; }))
}
SG_API int sg_set_grad(TH t, TH grad) { SG_STATUS(t->mutable_grad() = sg_or_undefined(grad)) }
SG_API int sg_backward(TH t, TH grad_output, int retain_graph) {
  SG_STATUS(t->backward(sg_or_undefined(grad_output), retain_graph != 0))
}
SG_API int sg_is_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
SG_API void sg_set_grad_enabled(int enabled) { at::GradMode::set_enabled(enabled != 0); }

// ---- autocast (mixed precision); returns the previous state, or -1 on error ----
SG_API int sg_set_autocast(int device_type, int enabled, int dtype) {
  try {
    const auto dev = static_cast<at::DeviceType>(device_type);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    const bool previous = at::autocast::is_autocast_enabled(dev);
    at::autocast::set_autocast_enabled(dev, enabled != 0);
    at::autocast::set_autocast_dtype(dev, static_cast<at::ScalarType>(dtype));
#else
    bool previous;
    if (dev == at::kCUDA) {
      previous = at::autocast::is_enabled();
      at::autocast::set_enabled(enabled != 0);
      at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(dtype));
    } else if (dev == at::kCPU) {
      previous = at::autocast::is_cpu_enabled();
      at::autocast::set_cpu_enabled(enabled != 0);
      at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(dtype));
    } else {
      throw std::invalid_argument("autocast is supported on cpu and cuda only");
    }
#endif
    if (enabled == 0) at::autocast::clear_cache();
    return previous ? 1 : 0;
  }
  SG_CATCH return -1;
}

// ---- generators ----
SG_API GH sg_generator_new(uint64_t seed, int device_type, int device_index) {
  try {
    if (device_type == (int)at::kCPU) return new at::Generator(at::detail::createCPUGenerator(seed));
    if (device_type == (int)at::kCUDA) {
      // A copy of the device's default generator (the stable API in 1.13 and 2.x), re-seeded.
      auto g = at::globalContext().defaultGenerator(at::Device(at::kCUDA, (c10::DeviceIndex)device_index)).clone();
      g.set_current_seed(seed);
      return new at::Generator(g);
    }
    throw std::invalid_argument("generators exist for cpu and cuda devices only");
  }
  SG_CATCH return nullptr;
}
SG_API void sg_generator_free(GH g) { delete g; }
SG_API int sg_generator_set_seed(GH g, uint64_t seed) { SG_STATUS(g->set_current_seed(seed)) }
