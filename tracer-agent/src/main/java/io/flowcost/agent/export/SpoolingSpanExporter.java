package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.trace.OtlpTraceEncoder;
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
   * The agent's own OTLP encoder: the same bytes as OpenTelemetry's {@code TraceRequestMarshaler},
   * written straight from the spans' fields into one reused array. Reused, so guarded: the
   * processor calls {@code export} from one thread.
   */
  private final OtlpTraceEncoder encoder = new OtlpTraceEncoder();

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
    synchronized (encoder) {
      int size = encoder.encode(spans);
      int start = encoder.start();
      RequestBuffer buffer = buffers.take();
      // no copy: the buffer takes the array the request was encoded into, and the encoder the
      // buffer's earlier array for the next request (the pool's arrays and the encoder's take
      // turns)
      byte[] request = encoder.array();
      encoder.handOver(buffer.adopt(request, start, size));
      return buffer;
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
