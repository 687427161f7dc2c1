package io.flowcost.lake.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * A {@link CompressionCodecFactory} for {@code ZSTD} (and {@code UNCOMPRESSED}) built directly on
 * zstd-jni.
 *
 * <p>It exists so that writing never reaches parquet-hadoop's {@code CodecFactory}, which goes
 * through Hadoop's {@code CompressionCodec} and a Hadoop {@code Configuration}. A Parquet ZSTD page
 * is one plain zstd frame, so nothing beyond zstd-jni is needed.
 *
 * <p>One factory serves one writer (or reader): compressors keep a native context and are not
 * thread-safe. {@link #release()} frees every context handed out.
 */
public final class ZstdCodecFactory implements CompressionCodecFactory {

  /** zstd's own default level: a good ratio at well over 100 MB/s per core. */
  public static final int DEFAULT_LEVEL = Zstd.defaultCompressionLevel();

  private final int level;
  private final List<AutoCloseable> handedOut = new ArrayList<>();

  /** A factory compressing at {@link #DEFAULT_LEVEL}. */
  public ZstdCodecFactory() {
    this(DEFAULT_LEVEL);
  }

  /** A factory compressing at {@code level} (zstd levels: negative = faster, up to 22). */
  public ZstdCodecFactory(int level) {
    if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException("zstd level out of range: " + level);
    }
    this.level = level;
  }

  @Override
  public synchronized BytesInputCompressor getCompressor(CompressionCodecName codecName) {
    switch (codecName) {
      case UNCOMPRESSED:
        return Uncompressed.INSTANCE;
      case ZSTD:
        ZstdCompressor compressor = new ZstdCompressor(level);
        handedOut.add(compressor);
        return compressor;
      default:
        throw new IllegalArgumentException("codec not supported without Hadoop: " + codecName);
    }
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codecName, int pageSize) {
    return getCompressor(codecName);
  }

  @Override
  public synchronized BytesInputDecompressor getDecompressor(CompressionCodecName codecName) {
    switch (codecName) {
      case UNCOMPRESSED:
        return Uncompressed.INSTANCE;
      case ZSTD:
        ZstdDecompressor decompressor = new ZstdDecompressor();
        handedOut.add(decompressor);
        return decompressor;
      default:
        throw new IllegalArgumentException("codec not supported without Hadoop: " + codecName);
    }
  }

  @Override
  public synchronized void release() {
    for (AutoCloseable c : handedOut) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e); // close() of our own types never throws
      }
    }
    handedOut.clear();
  }

  private static final class ZstdCompressor implements BytesInputCompressor, AutoCloseable {
    private final ZstdCompressCtx ctx;

    ZstdCompressor(int level) {
      this.ctx = new ZstdCompressCtx().setLevel(level);
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      // A fresh array per page: the page writer may hold the result until the row group flushes.
      return BytesInput.from(ctx.compress(bytes.toByteArray()));
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.ZSTD;
    }

    @Override
    public void release() {
      close();
    }

    @Override
    public void close() {
      ctx.close();
    }
  }

  private static final class ZstdDecompressor implements BytesInputDecompressor, AutoCloseable {
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      return BytesInput.from(decompressExact(bytes.toByteArray(), decompressedSize));
    }

    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
        throws IOException {
      // Copy through heap arrays so heap and direct buffers both work; pages are small.
      byte[] compressed = new byte[compressedSize];
      input.duplicate().get(compressed);
      output.put(decompressExact(compressed, decompressedSize));
    }

    private byte[] decompressExact(byte[] compressed, int decompressedSize) throws IOException {
      byte[] out = new byte[decompressedSize];
      int n = ctx.decompress(out, compressed);
      if (n != decompressedSize) {
        throw new IOException(
            "zstd page decompressed to " + n + " bytes, expected " + decompressedSize);
      }
      return out;
    }

    @Override
    public void release() {
      close();
    }

    @Override
    public void close() {
      ctx.close();
    }
  }

  private enum Uncompressed implements BytesInputCompressor, BytesInputDecompressor {
    INSTANCE;

    @Override
    public BytesInput compress(BytesInput bytes) {
      return bytes;
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.UNCOMPRESSED;
    }

    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) {
      return bytes;
    }

    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize) {
      ByteBuffer slice = input.duplicate();
      slice.limit(slice.position() + compressedSize);
      output.put(slice);
    }

    @Override
    public void release() {}
  }
}
