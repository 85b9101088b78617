/* For the C++ test: a tensor's reference count, which only the C internals can read. */
#include "core/tensor.h"

int test_refcount(const cg_tensor *t);

int test_refcount(const cg_tensor *t) { return t->refcount; }
