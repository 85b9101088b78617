/* IDX files (MNIST's format): element types, big-endian values, and bad files, each with its message. */
#include "harness.h"

static void test_types(void) {
    const unsigned char u8[] = {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 0, 7, 255, 128, 1, 2};
    cg_tensor *t = cg_idx_load_buffer(u8, sizeof u8);
    CHECK_OK(t);
    CHECK(t && cg_get_dtype(t) == CG_INT64 && cg_ndim(t) == 3 && cg_size(t, 0) == 2 && cg_size(t, 2) == 3);
    CHECK(harness_values_close(t, (double[]){0, 7, 255, 128, 1, 2}, 0));
    const unsigned char i8[] = {0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x80};
    CHECK(harness_values_close(cg_idx_load_buffer(i8, sizeof i8), (double[]){-1, -128}, 0));
    const unsigned char i16[] = {0, 0, 0x0B, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00};
    CHECK(harness_values_close(cg_idx_load_buffer(i16, sizeof i16), (double[]){-2, 256}, 0));
    const unsigned char i32[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0x80, 0, 0, 0, 0, 0, 0xea, 0x60};
    CHECK(harness_values_close(cg_idx_load_buffer(i32, sizeof i32), (double[]){-2147483648.0, 60000}, 0));
    const unsigned char f32[] = {0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0x49, 0x0f, 0xdb};
    cg_tensor *f = cg_idx_load_buffer(f32, sizeof f32);
    CHECK(f && cg_get_dtype(f) == CG_FLOAT32 && harness_values_close(f, (double[]){1.5, -3.1415927410125732}, 0));
    const unsigned char f64[] = {0, 0, 0x0E, 0, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18};
    cg_tensor *d = cg_idx_load_buffer(f64, sizeof f64);
    CHECK(d && cg_get_dtype(d) == CG_FLOAT64 && cg_ndim(d) == 0 && cg_item(d) == 3.141592653589793);
    const unsigned char empty[] = {0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 28};
    cg_tensor *e = cg_idx_load_buffer(empty, sizeof empty);
    CHECK(e && cg_numel(e) == 0 && cg_size(e, 1) == 28);
}

/* gzip-compressed files (tools: Python's gzip.compress(data, mtime=0)) through zlib; without zlib a
 * clear refusal. */
static const unsigned char gz_u8[] = {  /* [[1, 2, 3], [4, 5, 6]] as uint8 */
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xe0, 0x60, 0x62, 0x60, 0x60, 0x00,
    0x61, 0x66, 0x46, 0x26, 0x66, 0x16, 0x56, 0x36, 0x00, 0x48, 0x94, 0x3e, 0xe5, 0x12, 0x00, 0x00, 0x00};

#ifdef CG_HAVE_ZLIB
static void test_gzip(void) {
    cg_tensor *t = cg_idx_load_buffer(gz_u8, sizeof gz_u8);
    CHECK_OK(t);
    CHECK(t && cg_get_dtype(t) == CG_INT64 && cg_ndim(t) == 2 && cg_size(t, 0) == 2 && cg_size(t, 1) == 3);
    CHECK(harness_values_close(t, (double[]){1, 2, 3, 4, 5, 6}, 0));
    /* Two gzip members (the header in one, the data in the other) read as one file, as gunzip does. */
    const unsigned char members[] = {
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xe0, 0x60, 0x62, 0x60, 0x60, 0x00, 0x00,
        0x34, 0x5c, 0x15, 0x07, 0x07, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63,
        0x62, 0x60, 0x60, 0x60, 0x66, 0x64, 0x62, 0x66, 0x61, 0x65, 0x03, 0x00, 0x37, 0xc4, 0x37, 0x32, 0x0b, 0x00, 0x00, 0x00};
    CHECK(harness_values_close(cg_idx_load_buffer(members, sizeof members), (double[]){1, 2, 3, 4, 5, 6}, 0));
    /* 100,000 zero bytes: the output buffer grows past its first block. */
    unsigned char zeros[138] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xed, 0xc1, 0x31, 0x01, 0x00,
                                0x00, 0x08, 0x03, 0xa0, 0xf9, 0x99, 0xdc, 0x1c, 0x46, 0xb5, 0x86, 0x07, 0x90, 0x74, 0xa5,
                                0x66, 0x03};
    memcpy(zeros + 128, (const unsigned char[]){0xbc, 0x75, 0xe9, 0x86, 0x5b, 0x53, 0xa8, 0x86, 0x01, 0x00}, 10);
    cg_tensor *z = cg_idx_load_buffer(zeros, sizeof zeros);
    CHECK_OK(z);
    CHECK(z && cg_numel(z) == 100000 && cg_item(cg_sum(z)) == 0);
    /* The same size checks as an uncompressed file: one byte too many, and a header that lies. */
    const unsigned char extra[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60,
                                   0xe0, 0x60, 0x64, 0x60, 0x60, 0x60, 0x65, 0x64, 0x62, 0x66, 0x61, 0x65,
                                   0x03, 0x00, 0xd9, 0x29, 0x35, 0x74, 0x0e, 0x00, 0x00, 0x00};
    CHECK_ERROR(cg_idx_load_buffer(extra, sizeof extra), "IDX: the sizes need 5 bytes of data, the file has 6");
    const unsigned char lie[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xe0, 0x60, 0xfa,
                                 0x0f, 0x05, 0x8c, 0x4c, 0xcc, 0x00, 0x88, 0x79, 0xfd, 0x3d, 0x0f, 0x00, 0x00, 0x00};
    CHECK_ERROR(cg_idx_load_buffer(lie, sizeof lie), "IDX: the sizes need 18446744065119617025 bytes of data, the file has 3");
    /* Truncated and corrupted streams. */
    CHECK_ERROR(cg_idx_load_buffer(gz_u8, sizeof gz_u8 - 9), "IDX: the gzip data ends early (a truncated file)");
    int loaded = 0;
    for (size_t n = 0; n < sizeof gz_u8; n++) loaded += cg_idx_load_buffer(gz_u8, n) != NULL;
    CHECK(loaded == 0);
    unsigned char bad[sizeof gz_u8];
    memcpy(bad, gz_u8, sizeof bad);
    bad[3] = 0xe0;  /* reserved flag bits */
    CHECK_ERROR(cg_idx_load_buffer(bad, sizeof bad), "IDX: the gzip data is corrupt (zlib: unknown header flags set)");
    memcpy(bad, gz_u8, sizeof bad);
    bad[sizeof bad - 6] ^= 1;  /* the CRC */
    CHECK_ERROR(cg_idx_load_buffer(bad, sizeof bad), "IDX: the gzip data is corrupt (zlib: incorrect data check)");
}
#else
static void test_gzip(void) {
    CHECK_ERROR(cg_idx_load_buffer(gz_u8, sizeof gz_u8),
                "IDX: the data is gzip-compressed, and this cgrad was built without zlib");
}
#endif

static void test_bad_files(void) {
    const unsigned char magic[] = {0, 1, 8, 1};
    CHECK_ERROR(cg_idx_load_buffer(magic, sizeof magic),
                "IDX: bad magic number (an IDX file starts with two zero bytes, a type and the number of dims)");
    const unsigned char type[] = {0, 0, 0x0A, 1, 0, 0, 0, 0};
    CHECK_ERROR(cg_idx_load_buffer(type, sizeof type), "IDX: unknown element type 0x0a");
    const unsigned char dims[] = {0, 0, 8, 9};
    CHECK_ERROR(cg_idx_load_buffer(dims, sizeof dims), "IDX: 9 dims, cgrad tensors have at most 8");
    const unsigned char cut[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0};
    CHECK_ERROR(cg_idx_load_buffer(cut, sizeof cut), "IDX: the file ends inside its sizes");
    const unsigned char short_data[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0};
    CHECK_ERROR(cg_idx_load_buffer(short_data, sizeof short_data), "IDX: the sizes need 8 bytes of data, the file has 5");
    const unsigned char huge[] = {0, 0, 0x0E, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
    CHECK_ERROR(cg_idx_load_buffer(huge, sizeof huge),
                "IDX: the sizes need over 18446744073709551615 bytes of data, the file has 1");
    CHECK_ERROR(cg_idx_load("tests/data/no_such.idx"), "IDX: cannot open tests/data/no_such.idx");
    /* Every strict prefix of a good file fails cleanly. */
    const unsigned char good[] = {0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
    int loaded = 0;
    for (size_t n = 0; n < sizeof good; n++) loaded += cg_idx_load_buffer(good, n) != NULL;
    CHECK(loaded == 0);
}

/* A dim of size 0 beside sizes whose product passes int64 (found by the IDX fuzzer: the strides'
 * product overflowed): an empty tensor whose strides wrap around as PyTorch's do. */
static void test_empty_dim_with_huge_sizes(void) {
    static const unsigned char file[] = {0, 0, 0x08, 4, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
                                         0x20, 0x03, 0x00, 0xc0, 0xc9, 0x0f, 0x00, 0xc0};
    cg_tensor *t = cg_idx_load_buffer(file, sizeof file);
    CHECK(t != NULL);
    if (!t) return;
    CHECK(cg_numel(t) == 0 && cg_size(t, 1) == 0xffffff && cg_size(t, 3) == 0xc90f00c0);
    CHECK(cg_stride(t, 3) == 1 && cg_stride(t, 2) == 0xc90f00c0);
    CHECK(cg_stride(t, 1) == (int64_t)((uint64_t)0x200300c0 * 0xc90f00c0));
    CHECK(cg_stride(t, 0) == (int64_t)((uint64_t)0x200300c0 * 0xc90f00c0 * 0xffffff));
    int64_t sizes[3] = {0, (int64_t)1 << 40, (int64_t)1 << 40};
    cg_tensor *e = cg_zeros_shape(CG_FLOAT32, 3, sizes);
    CHECK(e != NULL);
    if (e) CHECK(cg_stride(e, 0) == 0 && cg_stride(e, 1) == (int64_t)1 << 40 && cg_stride(e, 2) == 1);
}

int main(void) {
    RUN(test_types);
    RUN(test_gzip);
    RUN(test_bad_files);
    RUN(test_empty_dim_with_huge_sizes);
    HARNESS_END();
}
