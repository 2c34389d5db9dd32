/**
 * The REST API as a whole: how every resource under {@code /api} answers when a request fails.
 * The resources themselves stay in their features ({@code threads.boundary}, {@code auth.boundary});
 * what they share is one JSON error body, with the field names of the WebSocket error frame, made
 * by the exception mappers here.
 */
package dev.agentwire.api.boundary;
