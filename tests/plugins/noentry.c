/*
** A shared library that is not a migsim plugin: it loads, but has no
** MIGRATOR_ENTRY symbol (tests/test_plugin.c: "not a plugin").
*/
int migsim_something_else(void);

int migsim_something_else(void) {
    return 42;
}
