package dev.custody.cli;

/** The documented exit codes of every custody command. CI relies on these; they never change meaning. */
public final class ExitCodes {
    /** Nothing was denied (and for validate: the policies are valid). */
    public static final int OK = 0;
    /** At least one workload was denied, or a verification failed. */
    public static final int DENIED = 1;
    /** Usage error, or input that cannot be read (malformed YAML, invalid policy, size limit). */
    public static final int INPUT_ERROR = 2;
    /** A bug in Custody; the message says how to get the stack trace. */
    public static final int INTERNAL_ERROR = 3;

    private ExitCodes() {}
}
