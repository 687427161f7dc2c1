/** The Google Gen AI Java SDK ({@code com.google.genai}): its retry loop groups Gemini attempts. */
package io.flowcost.agent.genai;
