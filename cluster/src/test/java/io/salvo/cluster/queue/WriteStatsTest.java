package io.salvo.cluster.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WriteStatsTest {

  @Test
  void countsWritesAndPlacesLatenciesInBuckets() {
    WriteStats stats = new WriteStats();
    for (int i = 0; i < 98; i++) {
      stats.record(2, 5, 800_000); // 0.8 ms: the 1 ms bucket
    }
    stats.record(1, 1, 30_000_000); // 30 ms: the 50 ms bucket
    stats.record(1, 1, 9_000_000_000L); // 9 s: beyond the last bound
    WriteStats.Snapshot s = stats.snapshot();
    assertEquals(100, s.writes());
    assertEquals(198, s.appends());
    assertEquals(492, s.messages());
    assertEquals(4.92, s.messagesPerWrite(), 1e-9);
    assertEquals(1.0, s.latencyPercentileMillis(50));
    assertEquals(50.0, s.latencyPercentileMillis(99));
    assertEquals(9000.0, s.latencyPercentileMillis(100));
    assertEquals(9_000_000, s.maxLatencyMicros());
  }

  @Test
  void noWritesMeansZeroes() {
    WriteStats.Snapshot s = new WriteStats().snapshot();
    assertEquals(0, s.messagesPerWrite());
    assertEquals(0, s.latencyPercentileMillis(99));
  }
}
