/*
 * hw/acpi/aml.h: a small builder that emits ACPI Machine Language
 * bytecode (ACPI 6.4, chapter 20 "ACPI Machine Language Specification")
 * and resource descriptors (6.4 "Resource Data Types for ACPI").
 *
 * The builder appends to one growable buffer in prefix order, the order
 * AML itself has: an operator, then its operands.  Objects with a
 * PkgLength (Scope, Device, Method, If, Else, While, Package, Buffer,
 * Field) are opened with *_begin and closed with aml_end(), which then
 * inserts the PkgLength in its shortest encoding.  Operand expressions are
 * emitted by the same calls (aml_int, aml_name, aml_local, ...), so
 *     aml_store(b); aml_int(b, 5); aml_name(b, "PRQ0");
 * is "Store (5, PRQ0)".  Operators taking a Target get it as an operand;
 * aml_null_name() (0x00) means "no target".
 */
#ifndef SATORI_HW_AML_H
#define SATORI_HW_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 32

struct aml {
    uint8_t *data;
    size_t len, cap;
    size_t open[AML_MAX_DEPTH];     /* where each open PkgLength goes */
    uint8_t kind[AML_MAX_DEPTH];    /* what was opened (for Buffer sizes) */
    int depth;
    bool error;                     /* bad name or unbalanced nesting */
};

void aml_init(struct aml *b);
void aml_free(struct aml *b);
/* Raw bytes (table headers, descriptor contents). */
void aml_bytes(struct aml *b, const void *p, size_t n);
void aml_byte(struct aml *b, uint8_t v);

/* ---- data objects (20.2.3) ---------------------------------------------- */

/* ZeroOp, OneOp, BytePrefix, WordPrefix, DWordPrefix or QWordPrefix:
 * whichever is the shortest that holds v. */
void aml_int(struct aml *b, uint64_t v);
void aml_string(struct aml *b, const char *s);
/* EISA ID "PNP0A03" as its compressed 32-bit integer (6.1.5 _HID). */
void aml_eisaid(struct aml *b, const char *id);
uint32_t aml_eisaid_value(const char *id);
/* Buffer with the given contents. */
void aml_buffer(struct aml *b, const void *p, size_t n);
/* Package with n elements; the elements follow, then aml_end(). */
void aml_package_begin(struct aml *b, unsigned n);

/* ---- names (20.2.2) ------------------------------------------------------- */

/* NameString: "\\_SB.PCI0", "^LNKA", "_HID" (segments padded with '_'). */
void aml_name(struct aml *b, const char *path);
void aml_null_name(struct aml *b);
/* Name (path, value): the value follows. */
void aml_name_decl(struct aml *b, const char *path);
void aml_local(struct aml *b, int n);    /* Local0..Local7 */
void aml_arg(struct aml *b, int n);      /* Arg0..Arg6 */

/* ---- namespace modifiers and named objects ------------------------------ */

void aml_scope_begin(struct aml *b, const char *path);
void aml_device_begin(struct aml *b, const char *path);
void aml_method_begin(struct aml *b, const char *path, int nargs, bool serialized);
enum aml_region_space { AML_SYSTEM_MEMORY = 0, AML_SYSTEM_IO = 1, AML_PCI_CONFIG = 2 };
void aml_operation_region(struct aml *b, const char *name, enum aml_region_space space,
                          uint64_t offset, uint64_t len);
enum aml_access { AML_ANY_ACC = 0, AML_BYTE_ACC = 1, AML_WORD_ACC = 2, AML_DWORD_ACC = 3 };
enum aml_update { AML_PRESERVE = 0, AML_WRITE_AS_ONES = 1, AML_WRITE_AS_ZEROS = 2 };
/* Field (region, access, lock, update); then aml_field_unit()s, aml_end(). */
void aml_field_begin(struct aml *b, const char *region, enum aml_access acc, bool lock,
                     enum aml_update upd);
/* A named field of bits bits; name NULL: an unnamed gap (ReservedField). */
void aml_field_unit(struct aml *b, const char *name, unsigned bits);
/* CreateDWordField (source buffer operand follows..., index, name): emits
 * the operator; the caller emits the source and index, then the name. */
void aml_create_dword_field(struct aml *b);

/* ---- statements and expressions (20.2.5) --------------------------------- */

void aml_if_begin(struct aml *b);       /* predicate, then body, aml_end */
void aml_else_begin(struct aml *b);
void aml_while_begin(struct aml *b);
void aml_return(struct aml *b);         /* value follows */
void aml_store(struct aml *b);          /* source, target */
void aml_notify(struct aml *b);         /* object, value */

enum aml_op {
    AML_ADD = 0x72, AML_SUBTRACT = 0x74, AML_INCREMENT = 0x75, AML_DECREMENT = 0x76,
    AML_SHIFT_LEFT = 0x79, AML_SHIFT_RIGHT = 0x7a, AML_AND = 0x7b, AML_OR = 0x7d,
    AML_NOT = 0x80, AML_DEREF_OF = 0x83, AML_SIZE_OF = 0x87, AML_INDEX = 0x88,
    AML_LAND = 0x90, AML_LOR = 0x91, AML_LNOT = 0x92, AML_LEQUAL = 0x93,
    AML_LGREATER = 0x94, AML_LLESS = 0x95,
};
/* The operator byte; its operands (and Target, where it has one) follow. */
void aml_op(struct aml *b, enum aml_op op);

/* Close the innermost *_begin, inserting its PkgLength. */
void aml_end(struct aml *b);

/* PkgLength encoding of a body of n bytes into out (1..4 bytes); returns
 * its size, or 0 when n is too large (20.2.4). */
int aml_pkglen_encode(size_t n, uint8_t out[4]);

/* ---- resource descriptors (6.4) ------------------------------------------ */

/* Build descriptors into r (an aml used as a byte buffer), then
 * aml_resource_template() emits Buffer { r..., EndTag }. */
void aml_res_io(struct aml *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
void aml_res_irq_noflags(struct aml *r, uint16_t mask);
/* Extended Interrupt (6.4.3.6): consumer, level/edge, active high/low, shared. */
void aml_res_interrupt(struct aml *r, bool edge, bool active_low, bool shared,
                       const uint32_t *irqs, int n);
void aml_res_memory32_fixed(struct aml *r, bool writable, uint32_t base, uint32_t len);
/* Address space descriptors, producer, min and max fixed, positive decode. */
void aml_res_word_bus_number(struct aml *r, uint16_t min, uint16_t max);
void aml_res_dword_io(struct aml *r, uint32_t min, uint32_t max);
void aml_res_dword_memory(struct aml *r, bool cacheable, uint32_t min, uint32_t max);
void aml_res_qword_memory(struct aml *r, bool cacheable, uint64_t min, uint64_t max);
void aml_resource_template(struct aml *b, const struct aml *r);

#endif
