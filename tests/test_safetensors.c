/* safetensors save and load against files written to the format's specification by
 * tools/gen_safetensors.py (tests/data/safetensors/), and bad files: each fails with a clear message,
 * leaves the output empty and leaks nothing (valgrind, ASan). */
#include "harness.h"

#define GOLDEN "tests/data/safetensors/golden.safetensors"
#define OUT_PATH CG_BUILD_DIR "/tests/safetensors_out.safetensors"

static unsigned char *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static bool exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static bool same_bits(cg_tensor *a, cg_tensor *b) {
    if (!a || !b || cg_get_dtype(a) != cg_get_dtype(b) || cg_ndim(a) != cg_ndim(b)) return false;
    for (int d = 0; d < cg_ndim(a); d++)
        if (cg_size(a, d) != cg_size(b, d)) return false;
    size_t n = (size_t)cg_numel(a), bytes = n * cg_dtype_size(cg_get_dtype(a));
    unsigned char *x = malloc(bytes + 1), *y = malloc(bytes + 1);
    bool same = x && y && cg_copy_to(a, x, n, cg_get_dtype(a)) == 0 && cg_copy_to(b, y, n, cg_get_dtype(b)) == 0 &&
                memcmp(x, y, bytes) == 0;
    free(x);
    free(y);
    return same;
}

static const char *const NAMES[] = {"steps", "layer.0\"q\\\xc3\xa9\n", "scale", "bias", "empty", "weight", "mask"};

/* The tensors tools/gen_safetensors.py saves, made in cgrad, in the file's order. */
static void golden_tensors(cg_tensor **t) {
    cg_manual_seed(0);
    t[5] = cg_randn(3, 4);
    t[0] = cg_tensor_i64(((int64_t[]){-3, 0, ((int64_t)1 << 40) + 1}), 3);
    t[1] = cg_tensor_f64(((double[]){1.0, -0.0}), 2);
    t[2] = cg_div_scalar(cg_scalar(2.5, CG_FLOAT64), 3);
    t[3] = cg_div_scalar(cg_arange(0, 4, 1, CG_FLOAT32), 7);
    t[4] = cg_empty(0, 3);
    t[6] = cg_tensor_bool(((bool[]){true, false, false, true}), 2, 2);
}

static void test_load_golden(void) {
    cg_named_tensors st;
    CHECK_MSG(cg_safetensors_load(GOLDEN, &st) == 0, "%s", cg_last_error());
    cg_tensor *expected[7];
    golden_tensors(expected);
    CHECK(st.n == 7);
    for (int i = 0; i < 7 && i < st.n; i++) {
        CHECK_STR(st.names[i], NAMES[i]);
        CHECK_MSG(same_bits(st.tensors[i], expected[i]), "tensor %d (%s)", i, NAMES[i]);
    }
    cg_named_tensors_free(&st);
}

/* Saving the same tensors (given in another order, one of them strided) writes the same bytes. */
static void test_save_matches_python(void) {
    cg_tensor *t[7];
    golden_tensors(t);
    cg_tensor *weight_t = cg_contiguous(cg_transpose(t[5], 0, 1));
    t[5] = cg_transpose(weight_t, 0, 1); /* the same values, column-major */
    CHECK(!cg_is_contiguous(t[5]));
    char *names[7];
    cg_tensor *tensors[7];
    for (int i = 0; i < 7; i++) {
        names[i] = (char *)NAMES[6 - i];
        tensors[i] = t[6 - i];
    }
    cg_named_tensors list = {names, tensors, 7};
    const char *metadata[] = {"format", "pt", NULL};
    CHECK_MSG(cg_safetensors_save(OUT_PATH, &list, metadata) == 0, "%s", cg_last_error());
    size_t a_size = 0, b_size = 0;
    unsigned char *a = read_all(OUT_PATH, &a_size), *b = read_all(GOLDEN, &b_size);
    CHECK(a && b && a_size == b_size && memcmp(a, b, a_size) == 0);
    free(a);
    free(b);
    remove(OUT_PATH);
}

static void test_save_load_round_trip(void) {
    cg_tensor *x = cg_randn_shape(CG_FLOAT64, CG_SHAPE(2, 3, 1, 2));
    char *names[] = {"x", "n"};
    cg_tensor *tensors[] = {x, cg_scalar(7, CG_INT64)};
    cg_named_tensors list = {names, tensors, 2};
    CHECK(cg_safetensors_save(OUT_PATH, &list, NULL) == 0);
    cg_named_tensors back;
    CHECK_MSG(cg_safetensors_load(OUT_PATH, &back) == 0, "%s", cg_last_error());
    CHECK(back.n == 2 && cg_named_tensors_get(&back, "x") && same_bits(cg_named_tensors_get(&back, "x"), x));
    CHECK(back.n == 2 && same_bits(cg_named_tensors_get(&back, "n"), tensors[1]));
    cg_named_tensors_free(&back);
    remove(OUT_PATH);
}

static void test_save_refuses(void) {
    char *names[] = {"a", "a"};
    cg_tensor *tensors[] = {cg_ones(2), cg_zeros(1)};
    cg_named_tensors list = {names, tensors, 2};
    CHECK_ERROR(cg_safetensors_save(OUT_PATH, &list, NULL) == 0, "safetensors: duplicate tensor name \"a\"");
    names[1] = "__metadata__";
    CHECK_ERROR(cg_safetensors_save(OUT_PATH, &list, NULL) == 0, "safetensors: a tensor cannot be named __metadata__");
    names[1] = "b";
    const char *odd[] = {"k", NULL, NULL};
    CHECK_ERROR(cg_safetensors_save(OUT_PATH, &list, odd) == 0, "safetensors: metadata key \"k\" has no value");
    CHECK(!exists(OUT_PATH));
    CHECK_ERROR(cg_safetensors_save(CG_BUILD_DIR "/no/such/dir/x.safetensors", &list, NULL) == 0,
                "safetensors: cannot create " CG_BUILD_DIR "/no/such/dir/x.safetensors");
    cg_tensor *meta = cg_to_device(cg_ones(2), CG_META);
    tensors[1] = meta;
    cg_clear_error();
    CHECK(cg_safetensors_save(OUT_PATH, &list, NULL) != 0 && cg_last_error()[0]);
    CHECK(!exists(OUT_PATH));
}

/* A file of an 8-byte length, header and data bytes (data: n bytes of 0). */
static int load_parts(const char *header, size_t data, cg_named_tensors *out) {
    size_t n = strlen(header), size = 8 + n + data;
    unsigned char *buf = calloc(size, 1);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    int rc = cg_safetensors_load_buffer(buf, size, out);
    free(buf);
    return rc;
}

#define CHECK_BAD(header, data, message)                                            \
    do {                                                                            \
        cg_named_tensors out_ = {NULL, NULL, 5};                                    \
        CHECK_ERROR(load_parts(header, data, &out_) == 0, message);                 \
        CHECK(out_.n == 0 && out_.names == NULL && out_.tensors == NULL);           \
    } while (0)

#define E "Error while deserializing header: "
#define T1(dtype, shape, offsets) "{\"t\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offsets "}}"

static void test_bad_headers(void) {
    CHECK_BAD(T1("F32", "[2]", "[0,8]"), 4, E "MetadataIncompleteBuffer: the tensors take 8 bytes, the file holds 4 after the header");
    CHECK_BAD(T1("F32", "[2]", "[0,8]"), 9, E "MetadataIncompleteBuffer: the tensors take 8 bytes, the file holds 9 after the header");
    CHECK_BAD(T1("F32", "[2]", "[0,4]"), 4, E "TensorInvalidInfo: tensor \"t\" of dtype F32 and shape [2] needs 8 bytes, its data_offsets give 4");
    CHECK_BAD(T1("F32", "[2]", "[4,12]"), 12, E "InvalidOffset(\"t\"): tensor data overlaps or leaves a gap");
    CHECK_BAD(T1("F32", "[2]", "[8,0]"), 8, E "InvalidOffset(\"t\"): tensor data overlaps or leaves a gap");
    CHECK_BAD(T1("F32", "[4294967296,4294967296,4]", "[0,0]"), 0, E "ValidationOverflow: the size of tensor \"t\" overflows");
    CHECK_BAD(T1("F32", "[18446744073709551616]", "[0,0]"), 0, E "InvalidHeaderDeserialization: integer too large in the JSON header");
    CHECK_BAD(T1("F32", "[-1]", "[0,0]"), 0, E "InvalidHeaderDeserialization: expected a non-negative integer in the JSON header");
    CHECK_BAD(T1("F32", "[1.5]", "[0,4]"), 4, E "InvalidHeaderDeserialization: expected an integer in the JSON header");
    CHECK_BAD(T1("F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]"), 4, E "InvalidHeaderDeserialization: too many values in an array of the JSON header");
    CHECK_BAD(T1("F32", "[1]", "[0,4,8]"), 8, E "InvalidHeaderDeserialization: too many values in an array of the JSON header");
    CHECK_BAD(T1("F17", "[1]", "[0,4]"), 4, E "InvalidHeaderDeserialization: unknown dtype in the JSON header");
    CHECK_BAD("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, E "InvalidHeaderDeserialization: missing field in a tensor of the JSON header");
    CHECK_BAD("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}", 0, E "InvalidHeaderDeserialization: duplicate field in a tensor of the JSON header");
    CHECK_BAD("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, E "InvalidHeaderDeserialization: expected '}' in the JSON header");
    CHECK_BAD("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}x", 4, E "InvalidHeaderDeserialization: trailing characters after the JSON header");
    CHECK_BAD("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
              8, E "InvalidHeaderDeserialization: duplicate tensor name in the JSON header");
    CHECK_BAD("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
              4, E "InvalidOffset(\"b\"): tensor data overlaps or leaves a gap");
    CHECK_BAD("{\"t\x01\":{}}", 0, E "InvalidHeaderDeserialization: control character in a string of the JSON header");
    CHECK_BAD("{\"t\\u0000\":{}}", 0, E "InvalidHeaderDeserialization: NUL character in a string of the JSON header");
    CHECK_BAD("{\"t\\ud800\":{}}", 0, E "InvalidHeaderDeserialization: lone surrogate in the JSON header");
    CHECK_BAD("{\"t", 0, E "InvalidHeaderDeserialization: unterminated string in the JSON header");
    CHECK_BAD("{\"t\\", 0, E "InvalidHeaderDeserialization: unterminated string in the JSON header");
    CHECK_BAD("", 0, E "InvalidHeaderDeserialization: expected '{' in the JSON header");
    CHECK_BAD("{\"__metadata__\":{\"k\":1}}", 0, E "InvalidHeaderDeserialization: expected '\"' in the JSON header");
    CHECK_BAD(T1("BOOL", "[2]", "[0,2]") , 0, E "MetadataIncompleteBuffer: the tensors take 2 bytes, the file holds 0 after the header");
    CHECK_BAD(T1("BF16", "[2]", "[0,4]"), 4, "safetensors: tensor \"t\" has dtype BF16, which cgrad does not have (it has F64, F32, I64 and BOOL)");
}

static void test_bad_lengths(void) {
    unsigned char buf[16] = {0};
    cg_named_tensors out;
    CHECK_ERROR(cg_safetensors_load_buffer(buf, 7, &out) == 0, E "HeaderTooSmall: the file has 7 bytes, fewer than 8");
    buf[7] = 0x80; /* 2^63 */
    CHECK_ERROR(cg_safetensors_load_buffer(buf, 16, &out) == 0, E "HeaderTooLarge: 9223372036854775808 bytes");
    memset(buf, 0, 8);
    buf[0] = 9;
    CHECK_ERROR(cg_safetensors_load_buffer(buf, 16, &out) == 0, E "InvalidHeaderLength: the header says 9 bytes, the file has 8 after its length");
    CHECK_ERROR(cg_safetensors_load("tests/data/safetensors/no_such_file", &out) == 0,
                "safetensors: cannot open tests/data/safetensors/no_such_file");
    CHECK(out.n == 0);
    /* Every strict prefix of a good file fails cleanly. */
    size_t size = 0;
    unsigned char *good = read_all(GOLDEN, &size);
    CHECK(good != NULL);
    int failed = 0;
    for (size_t n = 0; good && n < size; n++)
        if (cg_safetensors_load_buffer(good, n, &out) == 0 || out.n != 0) failed++;
    CHECK(failed == 0);
    free(good);
}

static void test_bool_bytes_and_empty(void) {
    size_t n = strlen(T1("BOOL", "[2]", "[0,2]"));
    unsigned char buf[128] = {0};
    buf[0] = (unsigned char)n;
    memcpy(buf + 8, T1("BOOL", "[2]", "[0,2]"), n);
    buf[8 + n] = 1;
    buf[8 + n + 1] = 2;
    cg_named_tensors out;
    CHECK_ERROR(cg_safetensors_load_buffer(buf, 8 + n + 2, &out) == 0,
                "safetensors: tensor \"t\" of dtype BOOL holds a byte other than 0 and 1");
    buf[8 + n + 1] = 0;
    CHECK(cg_safetensors_load_buffer(buf, 8 + n + 2, &out) == 0 && out.n == 1);
    cg_tensor *want = cg_tensor_bool(((bool[]){true, false}), 2);
    CHECK(out.n == 1 && same_bits(out.tensors[0], want));
    cg_named_tensors_free(&out);
    /* No tensors at all, and metadata only. */
    CHECK(load_parts("{}", 0, &out) == 0 && out.n == 0);
    CHECK(load_parts("{\"__metadata__\":{\"a\":\"\\u00e9\\ud83d\\ude00\"}}  ", 0, &out) == 0 && out.n == 0);
}

static void test_half_refused(void) {
    cg_named_tensors out;
    CHECK_ERROR(cg_safetensors_load("tests/data/safetensors/half.safetensors", &out) == 0,
                "safetensors: tensor \"h\" has dtype F16, which cgrad does not have (it has F64, F32, I64 and BOOL)");
    CHECK(out.n == 0);
}

int main(void) {
    RUN(test_load_golden);
    RUN(test_save_matches_python);
    RUN(test_save_load_round_trip);
    RUN(test_save_refuses);
    RUN(test_bad_headers);
    RUN(test_bad_lengths);
    RUN(test_bool_bytes_and_empty);
    RUN(test_half_refused);
    HARNESS_END();
}
