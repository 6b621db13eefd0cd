package dev.custody.verify;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Bounds on the untrusted files this module reads: size before reading, JSON nesting before parsing. */
final class Inputs {

    /** Bundles and trusted roots nest about 8 levels; in-toto predicates rarely beyond 20. */
    static final int MAX_JSON_DEPTH = 64;

    private Inputs() {}

    static byte[] readBounded(Path file, long max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (b.length > max) {
                throw new IOException(file + " is larger than the limit of " + max + " bytes");
            }
            return b;
        }
    }

    /**
     * Parses JSON as strictly as protobuf-java's parser does (no comments, no unquoted names, no NaN), so that
     * every part of this module reads a document the same way.
     */
    static JsonElement parseJson(String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        try {
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonSyntaxException("trailing content after the JSON value at " + reader.getPath());
            }
            return e;
        } catch (IOException e) {
            throw new JsonSyntaxException(e);
        }
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * Null when the JSON text nests at most {@link #MAX_JSON_DEPTH} arrays and objects, otherwise why not. Only
     * brackets outside strings count; a linear scan, so a hostile document costs no stack in the parsers after it.
     */
    static String checkJsonNesting(byte[] json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                if (++depth > MAX_JSON_DEPTH) {
                    return "JSON nested deeper than " + MAX_JSON_DEPTH + " levels at byte " + i;
                }
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return null;
    }
}
