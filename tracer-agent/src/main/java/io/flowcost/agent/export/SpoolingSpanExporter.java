package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
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

  /** Buffers the requests are encoded into, given back by the shipper once sent or spooled. */
  private final RequestBuffer.Pool buffers = new RequestBuffer.Pool();

  SpoolingSpanExporter(SpanShipper shipper) {
    this.shipper = shipper;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    RequestBuffer body;
    try {
      body = encode(spans);
    } catch (IOException | RuntimeException e) {
      AgentLog.failure("span encoding", e);
      return CompletableResultCode.ofFailure();
    }
    shipper.enqueue(body, spans.size()); // the shipper gives the buffer back when done with it
    return CompletableResultCode.ofSuccess();
  }

  /**
   * The OTLP/HTTP protobuf request ({@code ExportTraceServiceRequest}) of these spans, in a buffer
   * of {@link #buffers}: the caller hands it to the shipper, or {@linkplain RequestBuffer#release
   * releases} it.
   */
  RequestBuffer encode(Collection<SpanData> spans) throws IOException {
    synchronized (marshaler) {
      marshaler.initialize(spans);
      RequestBuffer buffer = buffers.take();
      try {
        // encoded straight into a reused buffer of at least the announced size: no copy
        int size = marshaler.getBinarySerializedSize();
        marshaler.writeBinaryTo(buffer.start(size));
        if (buffer.length() != size) {
          throw new IOException("encoded " + buffer.length() + " of " + size + " bytes");
        }
        return buffer;
      } catch (IOException | RuntimeException e) {
        buffer.release();
        throw e;
      } finally {
        marshaler.reset();
      }
    }
  }

  /** The buffers requests are encoded into (tests). */
  RequestBuffer.Pool buffers() {
    return buffers;
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
