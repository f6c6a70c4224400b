/* The workbook's zip, assembled: every part libxlsxwriter wrote, with the data rows of
 * each population sheet (xlsx_rows.c) put back where they belong in its sheet part.
 *
 * libxlsxwriter writes each population sheet with its header row only, so its zip is
 * small and is read whole. A sheet part is split at its closing </sheetData>; the head
 * (with the dimension widened to the rows), the rows and the tail are three raw deflate
 * streams, the first two ending on a byte boundary without a final block, so that one
 * after the other they are a single valid deflate stream (RFC 1951; what pigz does). The
 * rows are copied compressed, never inflated again. Entries keep libxlsxwriter's order,
 * names, methods, dates and attributes; a size or offset past 4 GB gets ZIP64 fields. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render/xlsx_internal.h"

#define WORKBOOK_MAX (256u << 20) /* libxlsxwriter's part of the zip: headers and report sheets */
#define U32_MAX 0xFFFFFFFFu

typedef struct {
    const unsigned char *name;
    size_t name_len;
    uint16_t made_by, flags, method, time, date;
    uint32_t crc, ext_attr;
    uint16_t int_attr;
    uint64_t csize, usize;
    const unsigned char *data; /* compressed, in the zip read */
} zentry;

typedef struct {
    FILE *out;
    const char *label;
    uint64_t offset; /* bytes written so far */
    vp_error *err;
} zout;

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned char *wr16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static unsigned char *wr32(unsigned char *p, uint32_t v)
{
    p = wr16(p, v & 0xFFFF);
    return wr16(p, v >> 16);
}

static unsigned char *wr64(unsigned char *p, uint64_t v)
{
    p = wr32(p, (uint32_t)v);
    return wr32(p, (uint32_t)(v >> 32));
}

static vp_status put(zout *z, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, z->out) != n)
        return vp_error_set(z->err, VP_ERR_IO, "%s: write failed: %s", z->label, strerror(errno));
    z->offset += n;
    return VP_OK;
}

static vp_status read_all(const char *path, unsigned char **buf, size_t *len, vp_error *err)
{
    FILE *fp = fopen(path, "rb");
    long size = -1;
    *buf = NULL;
    if (!fp)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot read the workbook back: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) == 0)
        size = ftell(fp);
    if (size < 22 || (unsigned long)size > WORKBOOK_MAX || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: %ld bytes is not the small zip libxlsxwriter should write",
                            path, size);
    }
    *buf = malloc((size_t)size);
    if (!*buf || fread(*buf, 1, (size_t)size, fp) != (size_t)size) {
        int nomem = !*buf;
        fclose(fp);
        free(*buf);
        *buf = NULL;
        return nomem ? vp_error_set(err, VP_ERR_NOMEM, "out of memory")
                     : vp_error_set(err, VP_ERR_IO, "%s: read error", path);
    }
    fclose(fp);
    *len = (size_t)size;
    return VP_OK;
}

/* The central directory of a zip without ZIP64 fields (libxlsxwriter's, with use_zip64
 * off), checked against the buffer's bounds. */
static vp_status parse_zip(const char *path, const unsigned char *z, size_t len, zentry **out, size_t *count,
                           vp_error *err)
{
    size_t eocd = len - 22;
    while (eocd > 0 && rd32(z + eocd) != 0x06054b50)
        eocd--;
    if (rd32(z + eocd) != 0x06054b50)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: no end of central directory", path);
    size_t n = rd16(z + eocd + 10), at = rd32(z + eocd + 16), cd_size = rd32(z + eocd + 12);
    if (at > eocd || cd_size > eocd - at)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: central directory out of bounds", path);
    zentry *e = calloc(n ? n : 1, sizeof *e);
    if (!e)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const unsigned char *c = z + at;
        if (at + 46 > eocd || rd32(c) != 0x02014b50)
            goto bad;
        size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
        uint32_t local = rd32(c + 42);
        e[i] = (zentry){.name = c + 46, .name_len = nlen, .made_by = rd16(c + 4), .flags = rd16(c + 8),
                        .method = rd16(c + 10), .time = rd16(c + 12), .date = rd16(c + 14), .crc = rd32(c + 16),
                        .csize = rd32(c + 20), .usize = rd32(c + 24), .int_attr = rd16(c + 36),
                        .ext_attr = rd32(c + 38)};
        at += 46 + nlen + xlen + clen;
        if (at > eocd || e[i].csize == U32_MAX || e[i].usize == U32_MAX || local == U32_MAX ||
            (size_t)local + 30 > len || rd32(z + local) != 0x04034b50)
            goto bad;
        size_t data = (size_t)local + 30 + rd16(z + local + 26) + rd16(z + local + 28);
        if (data > len || e[i].csize > len - data)
            goto bad;
        e[i].data = z + data;
        e[i].flags &= (uint16_t)~0x0008u; /* sizes go in the headers: no data descriptors */
    }
    *out = e;
    *count = n;
    return VP_OK;
bad:
    free(e);
    return vp_error_set(err, VP_ERR_INTERNAL, "%s: a central directory entry is malformed", path);
}

static vp_status inflate_part(const zentry *e, unsigned char **xml, vp_error *err)
{
    z_stream s = {0};
    *xml = NULL;
    if (e->method != Z_DEFLATED || e->usize > WORKBOOK_MAX)
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: %.*s is not a deflated sheet", (int)e->name_len, e->name);
    *xml = malloc(e->usize + 1);
    if (!*xml || inflateInit2(&s, -MAX_WBITS) != Z_OK) {
        free(*xml);
        *xml = NULL;
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    s.next_in = (Bytef *)e->data;
    s.avail_in = (uInt)e->csize;
    s.next_out = *xml;
    s.avail_out = (uInt)e->usize;
    int rc = inflate(&s, Z_FINISH);
    inflateEnd(&s);
    if (rc != Z_STREAM_END || s.total_out != e->usize || crc32(0, *xml, (uInt)e->usize) != e->crc) {
        free(*xml);
        *xml = NULL;
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: %.*s does not inflate to what its header says",
                            (int)e->name_len, e->name);
    }
    (*xml)[e->usize] = '\0';
    return VP_OK;
}

static vp_status deflate_piece(const char *xml, size_t len, int flush, vpc_buf *out, vp_error *err)
{
    z_stream s = {0};
    unsigned char chunk[16384];
    if (deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    s.next_in = (Bytef *)xml;
    s.avail_in = (uInt)len;
    do {
        s.next_out = chunk;
        s.avail_out = sizeof chunk;
        deflate(&s, flush);
        vpc_buf_add(out, chunk, sizeof chunk - s.avail_out);
    } while (s.avail_out == 0);
    deflateEnd(&s);
    return out->nomem ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : VP_OK;
}

/* The first and last cells of a dimension's ref ("A1:P1", or "A1" for one cell). */
static int parse_dimension(const char *ref, size_t len, unsigned long *r0, unsigned long *c0, unsigned long *r1,
                           unsigned long *c1)
{
    char text[LXW_MAX_CELL_RANGE_LENGTH + 1];
    if (len == 0 || len >= sizeof text || ref[0] < 'A' || ref[0] > 'Z')
        return -1;
    memcpy(text, ref, len);
    text[len] = '\0';
    const char *colon = strchr(text, ':');
    *r0 = lxw_name_to_row(text);
    *c0 = lxw_name_to_col(text);
    *r1 = colon ? lxw_name_to_row_2(text) : *r0;
    *c1 = colon ? lxw_name_to_col_2(text) : *c0;
    return 0;
}

/* The sheet's head with its <dimension> widened to cover the rows, as libxlsxwriter
 * would have written it had it written the rows itself. */
static vp_status head_of(const zentry *e, const char *xml, size_t head_len, const xlsx_rows_info *ri, vpc_buf *out,
                         vp_error *err)
{
    static const char open[] = "<dimension ref=\"";
    const char *d = strstr(xml, open), *ref = d ? d + sizeof open - 1 : NULL, *q = ref ? strchr(ref, '"') : NULL;
    unsigned long r0, c0, r1, c1;
    char first[LXW_MAX_CELL_NAME_LENGTH], last[LXW_MAX_CELL_NAME_LENGTH];
    if (!q || (size_t)(q - xml) > head_len || parse_dimension(ref, (size_t)(q - ref), &r0, &c0, &r1, &c1))
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: %.*s has no dimension libxlsxwriter's way",
                            (int)e->name_len, e->name);
    if (ri->last_row) {
        r1 = ri->last_row - 1 > r1 ? ri->last_row - 1 : r1;
        c0 = ri->min_col < c0 ? ri->min_col : c0;
        c1 = ri->max_col - 1 > c1 ? ri->max_col - 1 : c1;
    }
    lxw_rowcol_to_cell(first, (lxw_row_t)r0, (lxw_col_t)c0);
    lxw_rowcol_to_cell(last, (lxw_row_t)r1, (lxw_col_t)c1);
    vpc_buf_add(out, xml, (size_t)(ref - xml));
    vpc_buf_adds(out, first);
    if (strcmp(first, last) != 0) {
        vpc_buf_adds(out, ":");
        vpc_buf_adds(out, last);
    }
    vpc_buf_add(out, q, head_len - (size_t)(q - xml));
    return out->nomem ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : VP_OK;
}

/* One entry: local header, then data. For a spliced sheet, the data is head, rows, tail. */
typedef struct {
    const zentry *e;
    uint32_t crc;
    uint64_t csize, usize, offset;
    const vpc_buf *head, *tail; /* compressed; NULL when the entry is copied */
    xlsx_rows *rows;
} zitem;

static int needs64(const zitem *it)
{
    return it->csize >= U32_MAX || it->usize >= U32_MAX;
}

static vp_status copy_rows(zout *z, xlsx_rows *rows)
{
    unsigned char chunk[1 << 16];
    FILE *in = vpr_rows_file(rows);
    uint64_t want = vpr_rows_info(rows)->deflated_size, got = 0;
    size_t n;
    vp_status st;
    while (got < want && (n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        if (n > want - got)
            n = (size_t)(want - got);
        if ((st = put(z, chunk, n)))
            return st;
        got += n;
    }
    if (got != want)
        return vp_error_set(z->err, VP_ERR_IO, "XLSX: the rows' temporary file ended after %llu of %llu bytes",
                            (unsigned long long)got, (unsigned long long)want);
    return VP_OK;
}

/* The fields local and central headers share, from "version needed" to the sizes. */
static unsigned char *shared_fields(unsigned char *p, const zitem *it, int z64, int needs45)
{
    const zentry *e = it->e;
    p = wr16(p, needs45 ? 45 : 20);
    p = wr16(p, e->flags);
    p = wr16(p, e->method);
    p = wr16(p, e->time);
    p = wr16(p, e->date);
    p = wr32(p, it->crc);
    p = wr32(p, z64 ? U32_MAX : (uint32_t)it->csize);
    return wr32(p, z64 ? U32_MAX : (uint32_t)it->usize);
}

static vp_status write_local(zout *z, zitem *it, int force64)
{
    unsigned char h[30 + 20], *p = h;
    int z64 = force64 || needs64(it);
    const zentry *e = it->e;
    it->offset = z->offset;
    p = wr32(p, 0x04034b50);
    p = shared_fields(p, it, z64, z64);
    p = wr16(p, (unsigned)e->name_len);
    p = wr16(p, z64 ? 20 : 0);
    vp_status st = put(z, h, 30);
    if (!st)
        st = put(z, e->name, e->name_len);
    if (!st && z64) {
        p = wr16(h, 0x0001);
        p = wr16(p, 16);
        p = wr64(p, it->usize);
        p = wr64(p, it->csize);
        st = put(z, h, 20);
    }
    if (st)
        return st;
    if (!it->head)
        return put(z, e->data, e->csize);
    if ((st = put(z, it->head->s, it->head->len)) || (st = copy_rows(z, it->rows)))
        return st;
    return put(z, it->tail->s, it->tail->len);
}

static vp_status write_central(zout *z, const zitem *it, int force64)
{
    unsigned char h[46 + 28], x[28], *p = h, *q = x;
    const zentry *e = it->e;
    int z64 = force64 || needs64(it), off64 = force64 || it->offset >= U32_MAX;
    if (z64) {
        q = wr64(q, it->usize);
        q = wr64(q, it->csize);
    }
    if (off64)
        q = wr64(q, it->offset);
    size_t xlen = q > x ? (size_t)(q - x) + 4 : 0;
    p = wr32(p, 0x02014b50);
    p = wr16(p, e->made_by);
    p = shared_fields(p, it, z64, z64 || off64);
    p = wr16(p, (unsigned)e->name_len);
    p = wr16(p, (unsigned)xlen);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, e->int_attr);
    p = wr32(p, e->ext_attr);
    p = wr32(p, off64 ? U32_MAX : (uint32_t)it->offset);
    vp_status st = put(z, h, 46);
    if (!st)
        st = put(z, e->name, e->name_len);
    if (!st && xlen) {
        unsigned char tag[4];
        wr16(wr16(tag, 0x0001), (unsigned)(xlen - 4));
        if (!(st = put(z, tag, 4)))
            st = put(z, x, xlen - 4);
    }
    return st;
}

static vp_status write_end(zout *z, size_t n, uint64_t cd_at, int force64)
{
    unsigned char h[56 + 20 + 22], *p = h;
    uint64_t cd_size = z->offset - cd_at, end64 = z->offset;
    int z64 = force64 || n >= 0xFFFF || cd_at >= U32_MAX || cd_size >= U32_MAX;
    if (z64) {
        p = wr32(p, 0x06064b50);
        p = wr64(p, 44);
        p = wr16(p, 45);
        p = wr16(p, 45);
        p = wr32(p, 0);
        p = wr32(p, 0);
        p = wr64(p, n);
        p = wr64(p, n);
        p = wr64(p, cd_size);
        p = wr64(p, cd_at);
        p = wr32(p, 0x07064b50);
        p = wr32(p, 0);
        p = wr64(p, end64);
        p = wr32(p, 1);
    }
    p = wr32(p, 0x06054b50);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, z64 ? 0xFFFF : (unsigned)n);
    p = wr16(p, z64 ? 0xFFFF : (unsigned)n);
    p = wr32(p, z64 ? U32_MAX : (uint32_t)cd_size);
    p = wr32(p, z64 ? U32_MAX : (uint32_t)cd_at);
    p = wr16(p, 0);
    return put(z, h, (size_t)(p - h));
}

/* Prepares a spliced entry: head and tail compressed, sizes and CRC of the whole. */
static vp_status prepare_splice(zitem *it, xlsx_rows *rows, vpc_buf *head, vpc_buf *tail, vp_error *err)
{
    static const char close_tag[] = "</sheetData>";
    unsigned char *xml;
    vpc_buf plain = VPC_BUF_INIT;
    const xlsx_rows_info *ri = vpr_rows_info(rows);
    vp_status st = inflate_part(it->e, &xml, err);
    if (st)
        return st;
    const char *s = (const char *)xml, *cut = NULL;
    for (const char *p = strstr(s, close_tag); p; p = strstr(p + 1, close_tag))
        cut = p;
    if (!cut) {
        free(xml);
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: %.*s has no </sheetData>", (int)it->e->name_len,
                            it->e->name);
    }
    size_t head_len = (size_t)(cut - s), tail_len = it->e->usize - head_len;
    if (!(st = head_of(it->e, s, head_len, ri, &plain, err)) &&
        !(st = deflate_piece(plain.s, plain.len, Z_SYNC_FLUSH, head, err)) &&
        !(st = deflate_piece(cut, tail_len, Z_FINISH, tail, err))) {
        uint32_t crc = (uint32_t)crc32(0, (const Bytef *)plain.s, (uInt)plain.len);
        crc = (uint32_t)crc32_combine(crc, ri->crc, (z_off_t)ri->xml_size);
        it->crc = (uint32_t)crc32_combine(crc, (uint32_t)crc32(0, (const Bytef *)cut, (uInt)tail_len),
                                          (z_off_t)tail_len);
        it->usize = plain.len + ri->xml_size + tail_len;
        it->csize = head->len + ri->deflated_size + tail->len;
        it->head = head;
        it->tail = tail;
        it->rows = rows;
    }
    vpc_buf_free(&plain);
    free(xml);
    return st;
}

static xlsx_rows *rows_for(const zentry *e, const xlsx_splice *sp, size_t n)
{
    char name[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "xl/worksheets/sheet%u.xml", sp[i].index + 1);
        if (strlen(name) == e->name_len && memcmp(name, e->name, e->name_len) == 0)
            return sp[i].rows;
    }
    return NULL;
}

vp_status vpr_xlsx_splice(const char *path, const xlsx_splice *sp, size_t nsp, int force64, FILE *out,
                          const char *label, vp_error *err)
{
    unsigned char *zip;
    size_t len = 0, n = 0, spliced = 0;
    zentry *e = NULL;
    zitem *items = NULL;
    vpc_buf *bufs = NULL;
    zout z = {out, label ? label : "workbook", 0, err};
    vp_status st = read_all(path, &zip, &len, err);
    if (st)
        return st;
    if ((st = parse_zip(path, zip, len, &e, &n, err)))
        goto done;
    items = calloc(n ? n : 1, sizeof *items);
    bufs = calloc(2 * (n ? n : 1), sizeof *bufs);
    if (!items || !bufs) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && !st; i++) {
        xlsx_rows *rows = rows_for(&e[i], sp, nsp);
        items[i] = (zitem){.e = &e[i], .crc = e[i].crc, .csize = e[i].csize, .usize = e[i].usize};
        if (rows) {
            st = prepare_splice(&items[i], rows, &bufs[2 * i], &bufs[2 * i + 1], err);
            spliced++;
        }
    }
    if (!st && spliced != nsp)
        st = vp_error_set(err, VP_ERR_INTERNAL, "XLSX: %zu of %zu sheets with rows found in the zip", spliced, nsp);
    for (size_t i = 0; i < n && !st; i++)
        st = write_local(&z, &items[i], force64);
    uint64_t cd_at = z.offset;
    for (size_t i = 0; i < n && !st; i++)
        st = write_central(&z, &items[i], force64);
    if (!st)
        st = write_end(&z, n, cd_at, force64);
    if (!st && fflush(out) != 0)
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", z.label, strerror(errno));
done:
    for (size_t i = 0; bufs && i < 2 * n; i++)
        vpc_buf_free(&bufs[i]);
    free(bufs);
    free(items);
    free(e);
    free(zip);
    return st;
}
