package io.flowcost.collector.otlp;

/**
 * Input that cannot be accepted as a whole (malformed protobuf or JSON, invalid ids). Its message
 * names the problem and is safe to return to the sender: it never quotes payload text.
 */
public final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
