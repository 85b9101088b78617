#!/bin/bash
# The device seam's rule: only src/backend/ touches tensor bytes or calls a backend's kernel by its
# own name. Fails when code elsewhere in src/ uses the byte accessors (cg_tensor_data, cg_element,
# cg_bytes, storage->data) or calls a cg_kernel_* function, beyond the allow-list below; ops reach
# kernels with CG_KERNEL(t, name) and values with cg_read_element / cg_write_element /
# copy_to_host (src/backend/backend.h).
set -u
cd "$(dirname "$0")/.."

pattern='cg_tensor_data\(|cg_element\(|cg_bytes\(|storage->data|cg_kernel_[a-z0-9_]+\('

# file  allowed-matches  why
allow=(
    "src/core/tensor.h 3 defines cg_element and cg_tensor_data, the accessors the backends use"
    "src/core/tensor.c 4 cg_data_ptr hands out the address; cg_shares_storage compares addresses"
    "src/core/shape.c 3 memory overlap compares addresses and reads no byte"
    "src/ops/reduce.c 1 passes cg_bytes pointers to the table's raw-pointer row kernels, no arithmetic"
    "src/ops/conv.c 4 passes cg_bytes pointers to the table's raw-pointer conv kernels, no arithmetic"
    "src/ops/pool.c 5 passes cg_bytes pointers to the table's raw-pointer pooling kernels, no arithmetic"
    "src/ops/linalg.c 3 the batched gemm loop and addmm hand operand pointers to the product kernel (to move into backend/cpu/matmul.c)"
)

status=0
declare -A limit
for entry in "${allow[@]}"; do
    read -r file count _ <<<"$entry"
    limit[$file]=$count
done
files=$(find src -name '*.[ch]' -not -path 'src/backend/*' | sort)
for f in $files; do
    # comments do not count: strip /* ... */ on one line and lines inside a block comment
    n=$(sed -e 's#/\*.*\*/##g' -e '/^\s*\*/d' -e '/^\s*\/\*/d' "$f" | grep -cE "$pattern")
    max=${limit[$f]:-0}
    if [ "$n" -gt "$max" ]; then
        echo "check_bytes: $f touches tensor bytes or calls a kernel by name ($n uses, $max allowed):"
        grep -nE "$pattern" "$f" | sed 's/^/    /'
        status=1
    fi
done
[ $status -eq 0 ] && echo "check_bytes: bytes stay inside src/backend/"
exit $status
