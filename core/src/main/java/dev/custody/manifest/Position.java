package dev.custody.manifest;

/** A place in a source file: 1-based line and column. */
public record Position(String source, int line, int column) {

    @Override
    public String toString() {
        return column > 0 ? source + ":" + line + ":" + column : source + ":" + line;
    }
}
