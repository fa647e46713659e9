/**
 * Role-named readers and writers of the four region lines (spec §3, §4): each writer is the single writer
 * of its line, each reader takes a bounded seqlock snapshot. Internal to {@code dev.vboost.impl}; users go
 * through {@link dev.vboost.api.role.GuestEndpoint} and {@link dev.vboost.api.role.HostEndpoint}.
 *
 * <p>Step names: W1..W4 (writer) and R1..R5 (reader) of spec §4.2/§4.3, H1..H4 (host header publication)
 * of spec §4.4. Every ordered access carries a comment naming its step and its partner.
 */
package dev.vboost.impl.line;
