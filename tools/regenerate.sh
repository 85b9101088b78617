#!/bin/sh
# Regenerates every golden file in tests/data (and the demo's data set) from real PyTorch 1.13.
# Needs Debian's python3-torch (`apt-get install python3-torch`), which only /usr/bin/python3 sees.
# Run from anywhere; afterwards `git diff --stat tests/data` shows what PyTorch now says differently.
set -eu
cd "$(dirname "$0")/.."
py=/usr/bin/python3
$py -c 'import torch' 2>/dev/null || { echo "regenerate.sh needs python3-torch for /usr/bin/python3" >&2; exit 1; }

# Generators that write their file themselves.
for gen in gen_elementwise gen_elementwise_grad gen_index gen_linalg gen_addmm gen_mlp_step gen_reduce gen_views gen_random gen_optim gen_optim_state gen_lr_scheduler gen_init \
           gen_functional gen_demo_data gen_api gen_conv gen_simd_bits \
           gen_norm gen_batch_norm gen_group_norm gen_nn_norm gen_dropout gen_l1_loss gen_nn gen_empty gen_layout \
           gen_ranges gen_softmax gen_sum_bits; do
    $py tools/$gen.py >/dev/null
done
# Generators that print their file.
$py tools/gen_print.py > tests/data/print.txt
$py tools/gen_autograd.py > tests/data/autograd.txt
$py tools/gen_error_order.py > tests/data/error_order.txt
$py tools/gen_linalg_grad.py > tests/data/linalg_grad.txt
$py tools/gen_loss_grad.py > tests/data/loss_grad.txt
$py tools/gen_reduce_grad.py > tests/data/reduce_grad.txt
$py tools/gen_views_grad.py > tests/data/views_grad.txt
$py tools/gen_backward_edges.py > tests/data/backward_edges.txt
$py tools/gen_reentrant.py > tests/data/reentrant.txt
$py tools/gen_meta.py > tests/data/meta.txt
$py tools/gen_activation.py > tests/data/activation.txt
$py tools/gen_nnfunc.py > tests/data/nnfunc.txt
$py tools/gen_nn_activation.py > tests/data/nn_activation.txt
$py tools/gen_generator.py
$py tools/gen_safetensors.py
$py tools/gen_dataloader.py
$py tools/gen_transforms.py
$py tools/gen_train_parity.py >/dev/null
$py tools/gen_rnn.py
$py tools/gen_transformer.py
$py tools/demo.py > tests/data/demo.expected
$py tools/gen_losses.py >/dev/null
$py tools/gen_losses_regression.py >/dev/null
$py tools/gen_opinfo.py >/dev/null
$py tools/gen_losses_margin.py >/dev/null
$py tools/gen_shape.py >/dev/null
$py tools/gen_scan.py
$py tools/gen_sort.py
$py tools/gen_reduce_more.py 2>/dev/null
$py tools/gen_linalg_lapack.py >/dev/null
$py tools/gen_index_more.py >/dev/null
echo "regenerated tests/data"
