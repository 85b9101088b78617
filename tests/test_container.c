/* nn.ModuleList, nn.ModuleDict and Module.get_submodule: PyTorch 1.13's keys, order and messages
 * (checked with it: Sequential(Linear(2, 2), ModuleList([ReLU()])).get_submodule("2") raises
 * "Sequential has no attribute `2`", ModuleList()(x) "Module [ModuleList] is missing the required
 * "forward" function", ModuleDict keeps insertion order). */
#include "harness.h"

static void test_module_list(void) {
    cg_manual_seed(0);
    cg_module *net = cg_module_new("Net", NULL, NULL, NULL);
    CHECK(cg_module_add_module(net, "layers", cg_nn_module_list(CG_MODULES(cg_nn_linear(2, 3), cg_nn_relu()))) == 0);
    cg_module *layers = cg_module_get_submodule(net, "layers");
    CHECK(layers && !strcmp(cg_module_type(layers), "ModuleList") && cg_module_num_children(layers) == 2);
    CHECK(cg_nn_sequential_append(layers, cg_nn_linear(3, 1)) == 0);
    cg_named_tensors sd = {0};
    CHECK(cg_module_state_dict(net, &sd) == 0 && sd.n == 4);
    if (sd.n == 4) {
        CHECK_STR(sd.names[0], "layers.0.weight");
        CHECK_STR(sd.names[3], "layers.2.bias");
    }
    cg_named_tensors_free(&sd);
    CHECK(cg_module_get_submodule(net, "layers.2") == cg_module_child(layers, 2));
    CHECK(cg_module_get_submodule(net, "") == net);
    CHECK_ERROR(cg_module_forward(layers, cg_zeros(1, 2)), "Module [ModuleList] is missing the required \"forward\" function");
    CHECK(cg_last_error_kind() == CG_NOT_IMPLEMENTED_ERROR);
    CHECK_ERROR(cg_module_get_submodule(net, "layers.5"), "ModuleList has no attribute `5`");
    CHECK_ERROR(cg_module_get_submodule(net, "layers.0.weight"), "`weight` is not an nn.Module");
    CHECK_ERROR(cg_module_get_submodule(net, "lay"), "Net has no attribute `lay`");
    cg_module_free(net);
}

static void test_module_dict(void) {
    cg_module *d = cg_nn_module_dict((const char *[]){"b", "a"}, CG_MODULES(cg_nn_relu(), cg_nn_linear(1, 1)));
    CHECK_OK(d);
    cg_named_tensors sd = {0};
    CHECK(cg_module_state_dict(d, &sd) == 0 && sd.n == 2 && !strcmp(sd.names[0], "a.weight"));
    cg_named_tensors_free(&sd);
    CHECK(cg_module_get_submodule(d, "b") && !strcmp(cg_module_type(cg_module_get_submodule(d, "b")), "ReLU"));
    cg_module_free(d);
    /* a failed constructor among them fails the container and frees the others */
    CHECK(cg_nn_module_list(CG_MODULES(cg_nn_relu(), cg_nn_rnn(2, 0), cg_nn_linear(1, 1))) == NULL);
    CHECK_STR(harness_error(), "ValueError: proj_size has to be smaller than hidden_size");
    CHECK(cg_nn_module_dict((const char *[]){"x", "x"}, CG_MODULES(cg_nn_relu(), cg_nn_relu())) == NULL);
}

int main(void) {
    RUN(test_module_list);
    RUN(test_module_dict);
    HARNESS_END();
}
