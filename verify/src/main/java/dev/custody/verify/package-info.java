/** Offline verification of Sigstore bundles against a trusted root. */
package dev.custody.verify;
