package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;

/**
 * Encodes each batch from the {@code BatchSpanProcessor} as an OTLP/HTTP protobuf request and
 * hands it to the {@link SpanShipper}. Runs on the processor's worker thread; the network is only
 * touched by the shipper's own thread, so a slow or absent collector never holds up the export
 * pipeline, let alone the application.
 */
final class SpoolingSpanExporter implements SpanExporter {

  private final SpanShipper shipper;
  /**
   * OpenTelemetry's stateless OTLP encoder (internal API of opentelemetry-exporter-otlp-common):
   * the same bytes as {@code TraceRequestMarshaler}, without a marshaler object per span,
   * attribute and value. Reused, so guarded: the processor calls {@code export} from one thread.
   */
  private final LowAllocationTraceRequestMarshaler marshaler =
      new LowAllocationTraceRequestMarshaler();

  SpoolingSpanExporter(SpanShipper shipper) {
    this.shipper = shipper;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    byte[] body;
    try {
      body = encode(spans);
    } catch (IOException | RuntimeException e) {
      AgentLog.failure("span encoding", e);
      return CompletableResultCode.ofFailure();
    }
    shipper.enqueue(body, spans.size());
    return CompletableResultCode.ofSuccess();
  }

  /** The OTLP/HTTP protobuf request ({@code ExportTraceServiceRequest}) of these spans. */
  byte[] encode(Collection<SpanData> spans) throws IOException {
    synchronized (marshaler) {
      marshaler.initialize(spans);
      try {
        // encoded straight into a body of the exact size: no growing buffer, no copy
        byte[] body = new byte[marshaler.getBinarySerializedSize()];
        ExactOutput out = new ExactOutput(body);
        marshaler.writeBinaryTo(out);
        if (out.position != body.length) {
          throw new IOException("encoded " + out.position + " of " + body.length + " bytes");
        }
        return body;
      } finally {
        marshaler.reset();
      }
    }
  }

  /** Writes into a byte array of the size announced; more is an error, not a resize. */
  private static final class ExactOutput extends OutputStream {
    private final byte[] target;
    int position;

    ExactOutput(byte[] target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      if (position >= target.length) {
        throw new IOException("encoding longer than its announced size");
      }
      target[position++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > target.length - position) {
        throw new IOException("encoding longer than its announced size");
      }
      System.arraycopy(b, off, target, position, len);
      position += len;
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
