package dev.custody.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * What went wrong with a file, always with the file's name: the JDK's own messages for a directory ("Is a
 * directory") or some read errors leave the name out.
 */
final class FileMessages {

    private FileMessages() {}

    /** {@code "<path>: <what went wrong>"}, for an error reading {@code path}. */
    static String describe(String path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return path + ": no such file";
        }
        if (e instanceof AccessDeniedException) {
            return path + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return (f.getFile() != null ? f.getFile() : path) + ": " + f.getReason();
        }
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        return m.contains(path) ? m : path + ": " + (m.equals("Is a directory") ? "is a directory" : m);
    }
}
