package dev.custody.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Base64;
import java.util.Map;

/**
 * Finds the first JSON value that does not fit a protobuf message's JSON mapping, by path. protobuf-java's JSON
 * parser refuses the same values but does not say where ("Unrecognized character: !"); this walk runs only
 * after it did, to name the field.
 */
final class JsonShape {

    private JsonShape() {}

    /** The path and problem of the first misfit, e.g. {@code messageSignature.signature is not base64}, or null. */
    static String firstProblem(JsonElement json, Descriptor type) {
        return message(json, type, "");
    }

    private static String message(JsonElement json, Descriptor type, String path) {
        if (!json.isJsonObject()) {
            return name(path) + " must be an object";
        }
        for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
            FieldDescriptor field = field(type, e.getKey());
            if (field == null || e.getValue().isJsonNull() || field.isMapField()) {
                continue;
            }
            String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            String problem;
            if (field.isRepeated()) {
                if (!(e.getValue() instanceof JsonArray array)) {
                    return at + " must be an array";
                }
                problem = null;
                for (int i = 0; i < array.size() && problem == null; i++) {
                    problem = value(array.get(i), field, at + "[" + i + "]");
                }
            } else {
                problem = value(e.getValue(), field, at);
            }
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String value(JsonElement json, FieldDescriptor field, String at) {
        JsonPrimitive p = json.isJsonPrimitive() ? json.getAsJsonPrimitive() : null;
        return switch (field.getJavaType()) {
            case MESSAGE -> field.getMessageType().getFullName().startsWith("google.protobuf.") ? null : message(json, field.getMessageType(), at);
            case BYTE_STRING -> p != null && p.isString() && base64(p.getAsString()) ? null : at + " is not base64";
            case STRING -> p != null && p.isString() ? null : at + " must be a string";
            case BOOLEAN -> p != null && p.isBoolean() ? null : at + " must be true or false";
            case INT, LONG -> p != null && integer(p.getAsString()) && !p.isBoolean() ? null : at + " must be an integer";
            case FLOAT, DOUBLE -> p != null && !p.isBoolean() ? null : at + " must be a number";
            case ENUM -> p != null && !p.isBoolean() && (p.isNumber() || field.getEnumType().findValueByName(p.getAsString()) != null)
                    ? null : at + " is not one of the values of " + field.getEnumType().getName();
        };
    }

    /**
     * Removes line breaks from base64 values in place, and says whether there were any. Go's base64 decoder, and
     * with it cosign and sigstore-go, ignores CR and LF; protobuf-java's refuses them, yet `base64` wraps its
     * output at 76 columns and such values are found in bundles. The decoded bytes are the same either way.
     */
    static boolean unwrapBase64(JsonElement json, Descriptor type) {
        if (!json.isJsonObject()) {
            return false;
        }
        boolean changed = false;
        JsonObject object = json.getAsJsonObject();
        for (Map.Entry<String, JsonElement> e : object.entrySet()) {
            FieldDescriptor field = field(type, e.getKey());
            if (field == null || field.isMapField()) {
                continue;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (e.getValue() instanceof JsonArray array) {
                    for (JsonElement item : array) {
                        changed |= unwrapBase64(item, field.getMessageType());
                    }
                } else {
                    changed |= unwrapBase64(e.getValue(), field.getMessageType());
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING) {
                if (e.getValue() instanceof JsonArray array) {
                    for (int i = 0; i < array.size(); i++) {
                        String unwrapped = unwrapped(array.get(i));
                        if (unwrapped != null) {
                            array.set(i, new JsonPrimitive(unwrapped));
                            changed = true;
                        }
                    }
                } else {
                    String unwrapped = unwrapped(e.getValue());
                    if (unwrapped != null) {
                        e.setValue(new JsonPrimitive(unwrapped));
                        changed = true;
                    }
                }
            }
        }
        return changed;
    }

    private static String unwrapped(JsonElement value) {
        if (value instanceof JsonPrimitive p && p.isString()) {
            String s = p.getAsString();
            if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                return s.replace("\r", "").replace("\n", "");
            }
        }
        return null;
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        for (FieldDescriptor f : type.getFields()) {
            if (f.getJsonName().equals(name) || f.getName().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static boolean base64(String s) {
        try {
            Base64.getDecoder().decode(s);
            return true;
        } catch (IllegalArgumentException e) {
            try {
                Base64.getUrlDecoder().decode(s);
                return true;
            } catch (IllegalArgumentException e2) {
                return false;
            }
        }
    }

    private static boolean integer(String s) {
        try {
            new java.math.BigDecimal(s).toBigIntegerExact();
            return true;
        } catch (NumberFormatException | ArithmeticException e) {
            return false;
        }
    }

    private static String name(String path) {
        return path.isEmpty() ? "the document" : path;
    }
}
