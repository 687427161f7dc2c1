package io.flowcost.agent.export;

import io.flowcost.agent.AgentLog;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
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

  SpoolingSpanExporter(SpanShipper shipper) {
    this.shipper = shipper;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    try {
      // OpenTelemetry's own OTLP encoder (internal API of opentelemetry-exporter-otlp-common)
      TraceRequestMarshaler request = TraceRequestMarshaler.create(spans);
      ByteArrayOutputStream out = new ByteArrayOutputStream(request.getBinarySerializedSize());
      request.writeBinaryTo(out);
      shipper.enqueue(out.toByteArray(), spans.size());
      return CompletableResultCode.ofSuccess();
    } catch (IOException | RuntimeException e) {
      AgentLog.failure("span encoding", e);
      return CompletableResultCode.ofFailure();
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
