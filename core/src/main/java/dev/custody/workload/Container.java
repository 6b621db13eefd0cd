package dev.custody.workload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.imageref.ImageReference;
import dev.custody.manifest.FieldPath;

/**
 * One container of a workload with its image.
 *
 * @param list      which container list it is in
 * @param index     position in that list
 * @param name      the container name, or {@code "#index"} when the manifest omits it
 * @param node      the container object
 * @param path      field path of the container object
 * @param image     the image string as written, null when absent or not a string
 * @param imageRef  the parsed reference (or the reason it is malformed); null when {@code image} is null
 */
public record Container(ContainerList list, int index, String name, JsonNode node, FieldPath path,
                        String image, ImageReference.ParseResult imageRef) {

    /** Field path of the {@code image} field. */
    public FieldPath imagePath() {
        return path.child("image");
    }
}
