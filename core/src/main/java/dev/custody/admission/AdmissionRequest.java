package dev.custody.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of an admission.k8s.io/v1 AdmissionRequest that Custody reads.
 *
 * @param apiVersion  admission.k8s.io/v1 or v1beta1; the response uses the same
 * @param uid         echoed in the response
 * @param group       request.kind.group
 * @param version     request.kind.version
 * @param kind        request.kind.kind
 * @param subResource request.subResource, "" when none
 * @param name        request.name (may be empty for generateName)
 * @param namespace   request.namespace, "" for cluster-scoped objects
 * @param operation   CREATE, UPDATE, DELETE or CONNECT
 * @param dryRun      whether the API server will persist nothing; Custody then records nothing either
 * @param username    request.userInfo.username
 * @param object      the new object (null for DELETE and CONNECT)
 * @param oldObject   the old object for UPDATE and DELETE, else null
 * @param raw         the whole request, for CEL's {@code request} variable
 */
public record AdmissionRequest(String apiVersion, String uid, String group, String version, String kind, String subResource, String name,
                               String namespace, String operation, boolean dryRun, String username, JsonNode object,
                               JsonNode oldObject, JsonNode raw) {}
