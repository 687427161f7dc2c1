package io.flowcost.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

class ZstdCodecFactoryTest {

  private static byte[] sample() {
    byte[] text = "workflow_id,call_id,model=gpt-5;".repeat(500).getBytes(StandardCharsets.UTF_8);
    byte[] noise = new byte[1000];
    new Random(42).nextBytes(noise);
    ByteBuffer b = ByteBuffer.allocate(text.length + noise.length).put(text).put(noise);
    return b.array();
  }

  @Test
  void compressesToPlainZstdFramesAndBack() throws Exception {
    ZstdCodecFactory factory = new ZstdCodecFactory();
    byte[] input = sample();
    BytesInputCompressor compressor = factory.getCompressor(CompressionCodecName.ZSTD);

    byte[] compressed = compressor.compress(BytesInput.from(input)).toByteArray();

    assertThat(compressor.getCodecName()).isEqualTo(CompressionCodecName.ZSTD);
    assertThat(compressed.length).isLessThan(input.length / 2);
    // Any zstd decoder reads it: Parquet ZSTD pages are single standard frames.
    assertThat(Zstd.decompress(compressed, input.length)).isEqualTo(input);

    BytesInputDecompressor decompressor = factory.getDecompressor(CompressionCodecName.ZSTD);
    assertThat(decompressor.decompress(BytesInput.from(compressed), input.length).toByteArray())
        .isEqualTo(input);

    ByteBuffer out = ByteBuffer.allocateDirect(input.length);
    decompressor.decompress(ByteBuffer.wrap(compressed), compressed.length, out, input.length);
    out.flip();
    byte[] viaBuffers = new byte[out.remaining()];
    out.get(viaBuffers);
    assertThat(viaBuffers).isEqualTo(input);
    factory.release();
  }

  @Test
  void uncompressedPassesThrough() throws Exception {
    ZstdCodecFactory factory = new ZstdCodecFactory(1);
    byte[] input = sample();
    BytesInputCompressor compressor = factory.getCompressor(CompressionCodecName.UNCOMPRESSED);
    assertThat(compressor.compress(BytesInput.from(input)).toByteArray()).isEqualTo(input);
    assertThat(compressor.getCodecName()).isEqualTo(CompressionCodecName.UNCOMPRESSED);
  }

  @Test
  void wrongSizeAndUnsupportedCodecsAreErrors() throws Exception {
    ZstdCodecFactory factory = new ZstdCodecFactory();
    byte[] input = sample();
    byte[] compressed = Zstd.compress(input);
    BytesInputDecompressor decompressor = factory.getDecompressor(CompressionCodecName.ZSTD);

    assertThatThrownBy(() -> decompressor.decompress(BytesInput.from(compressed), input.length + 7))
        .isInstanceOf(java.io.IOException.class);
    assertThatThrownBy(() -> factory.getCompressor(CompressionCodecName.SNAPPY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SNAPPY");
    assertThatThrownBy(() -> new ZstdCodecFactory(99)).isInstanceOf(IllegalArgumentException.class);
    factory.release();
  }
}
