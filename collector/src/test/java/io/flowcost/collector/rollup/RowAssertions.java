package io.flowcost.collector.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL assertions the rollup tests share. */
final class RowAssertions {

  private RowAssertions() {}

  /** Both queries give the same multiset of rows (EXCEPT ALL both ways: exact, every column). */
  static void assertSameRows(Statement st, String actual, String expected) throws SQLException {
    assertThat(scalar(st, "SELECT count(*) FROM (" + actual + " EXCEPT ALL " + expected + ")"))
        .as("rows of [%s] not in [%s]", actual, expected).isZero();
    assertThat(scalar(st, "SELECT count(*) FROM (" + expected + " EXCEPT ALL " + actual + ")"))
        .as("rows of [%s] not in [%s]", expected, actual).isZero();
  }

  /** The first column of the one row {@code sql} returns. */
  static long scalar(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }
}
