/**
 * A small app on the Google Gen AI Java SDK ({@code com.google.genai:google-genai}) against the
 * fake provider's Gemini wire, for the agent's end-to-end tests ({@code GeminiEndToEndTest}).
 */
package io.flowcost.examples.genai;
