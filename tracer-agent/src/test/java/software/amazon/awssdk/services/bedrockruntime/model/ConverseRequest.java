package software.amazon.awssdk.services.bedrockruntime.model;

/**
 * A stand-in for the AWS SDK's {@code ConverseRequest} (the agent's Bedrock unit recognises an
 * operation by its request class's name and reads {@code modelId()} reflectively): test scope
 * only, the real SDK runs in {@code BedrockEndToEndTest}.
 */
public final class ConverseRequest {
  private final String modelId;

  public ConverseRequest(String modelId) {
    this.modelId = modelId;
  }

  public String modelId() {
    return modelId;
  }
}
