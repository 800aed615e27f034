/*
 * hw/globals.c: -global DRIVER.PROP=VALUE (QEMU's syntax): a list of
 * property defaults that devices read when the board creates them.  A
 * device property given with -device overrides its -global, as in QEMU.
 * The drivers and properties that exist are listed in known[] below (one
 * line per property: add yours when your device reads it), so a typo is a
 * clear error naming what exists instead of a silently ignored setting.
 */
#include "hw/hw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *driver, *prop; } known[] = {
    { "isa-debug-exit", "iobase" },
    { "isa-debug-exit", "iosize" },
};

#define MAX_GLOBALS 64

static struct global { char *driver, *prop, *value; } globals[MAX_GLOBALS];
static int nglobals;

static int known_index(const char *driver, const char *prop)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].driver, driver) && (!prop || !strcmp(known[i].prop, prop)))
            return (int)i;
    return -1;
}

static void list_known(char *out, size_t len, const char *driver)
{
    size_t off = 0;

    out[0] = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0] && off < len; i++) {
        if (driver && strcmp(known[i].driver, driver))
            continue;
        off += (size_t)snprintf(out + off, len - off, "%s%s.%s", off ? ", " : "",
                                known[i].driver, known[i].prop);
    }
}

int global_set(const char *arg, char *err, size_t errlen)
{
    const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
    char list[512];

    if (!dot || !eq || eq < dot || dot == arg || eq == dot + 1) {
        snprintf(err, errlen, "expected DRIVER.PROP=VALUE");
        return -1;
    }
    char *driver = strndup(arg, (size_t)(dot - arg));
    char *prop = strndup(dot + 1, (size_t)(eq - dot - 1));
    if (known_index(driver, NULL) < 0) {
        list_known(list, sizeof list, NULL);
        snprintf(err, errlen, "driver '%s' not found (drivers with properties: %s)", driver, list);
    } else if (known_index(driver, prop) < 0) {
        list_known(list, sizeof list, driver);
        snprintf(err, errlen, "driver '%s' has no property '%s' (properties: %s)", driver, prop,
                 list);
    } else if (nglobals == MAX_GLOBALS) {
        snprintf(err, errlen, "too many -global options (at most %d)", MAX_GLOBALS);
    } else {
        /* a later -global for the same property wins, as in QEMU */
        for (int i = 0; i < nglobals; i++) {
            if (!strcmp(globals[i].driver, driver) && !strcmp(globals[i].prop, prop)) {
                free(globals[i].value);
                globals[i].value = strdup(eq + 1);
                free(driver);
                free(prop);
                return 0;
            }
        }
        globals[nglobals++] = (struct global){ driver, prop, strdup(eq + 1) };
        return 0;
    }
    free(driver);
    free(prop);
    return -1;
}

const char *global_get(const char *driver, const char *prop)
{
    for (int i = 0; i < nglobals; i++)
        if (!strcmp(globals[i].driver, driver) && !strcmp(globals[i].prop, prop))
            return globals[i].value;
    return NULL;
}

void globals_clear(void)
{
    for (int i = 0; i < nglobals; i++) {
        free(globals[i].driver);
        free(globals[i].prop);
        free(globals[i].value);
    }
    nglobals = 0;
}
