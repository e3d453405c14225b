package io.tunetrace.server.db.migration;

import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates the sequence {@code track_index_ids} that the index ids of tracks come from (before, the
 * Redis index handed them out, and a Redis that lost its data handed out old tracks' ids again).
 * It starts above every id already recorded in {@code tracks.index_id}. In Java because
 * PostgreSQL ({@code setval}) and H2 ({@code ALTER SEQUENCE ... RESTART WITH (query)}) have no
 * common statement that starts a sequence at a queried value.
 */
public final class V3__TrackIndexIds extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws Exception {
    try (Statement s = context.getConnection().createStatement()) {
      long start;
      try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(index_id), 0) + 1 FROM tracks")) {
        rs.next();
        start = rs.getLong(1);
      }
      s.execute("CREATE SEQUENCE track_index_ids START WITH " + start
          + " MINVALUE 1 MAXVALUE 2147483647 NO CYCLE");
    }
  }
}
