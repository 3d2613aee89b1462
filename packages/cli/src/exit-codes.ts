/** Exit codes of the `assets` command. */
export const EXIT_OK = 0;
/** Some step failed (or the run was interrupted). */
export const EXIT_STEP_FAILED = 1;
/** Bad usage or bad input; also a run whose failed steps all failed on bad input (run/materialize.ts). */
export const EXIT_USAGE = 2;
/** Canceled by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
