package dev.custody.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code custody serve} started as a process by a test: waits for its listening line, then keeps its output drained. */
final class ServeProcess {

    static final Pattern LISTENING = Pattern.compile("custody serve: https://127\\.0\\.0\\.1:(\\d+)/validate");

    private ServeProcess() {}

    /** The port the process listens on, once it says so within 60 s; the process is killed when it does not. */
    static int awaitPort(Process p) throws java.io.IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe from filling
                        }
                    } catch (java.io.IOException ignored) {
                        // process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        p.destroyForcibly();
        throw new AssertionError("custody serve did not start");
    }
}
