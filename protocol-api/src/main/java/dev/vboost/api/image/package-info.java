/**
 * Reference decoder of at-rest region images (spec/protocol.md §6): bytes in, decoded host header, guest
 * header and slots out, or the first rule broken and where. Pure: no memory ordering, no shared state; it
 * never throws on any byte content and every loop is bounded by the slot limit. Used by the {@code inspect}
 * tool, the golden-vector tests and the conformance suite.
 */
package dev.vboost.api.image;
