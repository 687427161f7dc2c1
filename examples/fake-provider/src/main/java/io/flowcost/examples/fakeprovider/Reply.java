package io.flowcost.examples.fakeprovider;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The assistant turn the fake answers with: a canned text or one tool call. Never contains
 * request text; the reply tag is a digest of the last user message, so different prompts get
 * different (but stable) answers.
 *
 * @param toolCall whether this is a tool call
 * @param text the canned answer text (text replies)
 * @param tool the tool to call (tool calls)
 * @param toolCallId a stable id for the tool call
 */
record Reply(boolean toolCall, String text, Markers.ToolMarker tool, String toolCallId) {

  /** The canned prefix of every text answer, so tests can recognise them. */
  static final String TEXT_PREFIX = "[fake-reply ";

  /** What an {@code [off-policy]} answer says. */
  static final String OFF_POLICY = "OFF-POLICY";

  static Reply decide(ChatRequestView view, Markers markers, String idPrefix) {
    String tag = digest(view.lastUserText()).substring(0, 8);
    int done = view.toolTurnsDone();
    if (markers.loopTool() != null) {
      return new Reply(true, null,
          new Markers.ToolMarker(markers.loopTool(), JsonNodeFactory.instance.objectNode()),
          idPrefix + tag + "_" + done);
    }
    if (done < markers.tools().size()) {
      return new Reply(true, null, markers.tools().get(done), idPrefix + tag + "_" + done);
    }
    if (markers.badJson()) {
      return new Reply(false, "{\"fake-reply\": \"" + tag + "\", \"truncated\": ", null, null);
    }
    if (markers.offPolicy()) {
      return new Reply(false, TEXT_PREFIX + tag + "] " + OFF_POLICY + " answer.", null, null);
    }
    if (view.jsonAnswer() != null) {
      return new Reply(false, view.jsonAnswer(), null, null);
    }
    String text =
        done == 0
            ? TEXT_PREFIX + tag + "] The request was handled."
            : TEXT_PREFIX + tag + "] The request was handled after " + done + " tool call"
                + (done == 1 ? "" : "s") + ".";
    return new Reply(false, text, null, null);
  }

  static String digest(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
