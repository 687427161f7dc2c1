package io.flowcost.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LakeLocationTest {

  @Test
  void parsesBucketAndPrefix() {
    LakeLocation l = LakeLocation.parse("s3://lake/flowcost/prod/");
    assertThat(l.bucket()).isEqualTo("lake");
    assertThat(l.prefix()).isEqualTo("flowcost/prod");
    assertThat(l.objectKey("calls/date=2026-11-24/a.parquet"))
        .isEqualTo("flowcost/prod/calls/date=2026-11-24/a.parquet");
    assertThat(l.lakeKey("flowcost/prod/calls/x.parquet")).isEqualTo("calls/x.parquet");
    assertThat(l).hasToString("s3://lake/flowcost/prod");

    LakeLocation bare = LakeLocation.parse("s3://my-bucket");
    assertThat(bare.prefix()).isEmpty();
    assertThat(bare.objectKey("calls/x.parquet")).isEqualTo("calls/x.parquet");
    assertThat(bare).hasToString("s3://my-bucket");
  }

  @Test
  void rejectsWhatIsNotAnS3Lake() {
    assertThat(LakeLocation.isS3("./flowcost-lake")).isFalse();
    for (String bad : new String[] {"./lake", "s3://", "s3://Upper/x", "s3://a/x",
        "s3://ok-bucket/a/../b", "s3://ok-bucket/_tmp"}) {
      assertThatThrownBy(() -> LakeLocation.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
