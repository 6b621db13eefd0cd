package dev.custody.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A command line run in process, with what it printed. */
record CliResult(int code, String out, String err) {

    static CliResult run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliResult(code, out.toString(), err.toString());
    }
}
