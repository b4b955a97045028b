/* iasl (acpica-tools), run from an argv with its output captured. */
#ifndef MHP_IASL_H
#define MHP_IASL_H

/* Compiles the ASL or data-table source src into <prefix>.aml.  Returns 0;
 * -ENOENT when iasl is not installed; -EINVAL when it rejected the source;
 * -ECHILD when it crashed (it does, on some malformed input); other -errno.  *ret_log gets iasl's output either way (caller frees). */
int mhp_iasl_compile(const char *src, const char *prefix, char **ret_log);
/* Disassembles aml into <prefix>.dsl; same returns. */
int mhp_iasl_disassemble(const char *aml, const char *prefix, char **ret_log);
/* The last lines of iasl's output that say what went wrong (error lines and
 * what precedes them), in a new string: for one-line messages. */
char *mhp_iasl_summary(const char *log);

#endif
