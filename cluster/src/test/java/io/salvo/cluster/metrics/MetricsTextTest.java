package io.salvo.cluster.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.cluster.group.GroupLag;
import io.salvo.cluster.queue.WriteStats;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTextTest {
  /** A sample line of the text format: name, optional labels, a number. */
  private static final Pattern SAMPLE = Pattern.compile(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");

  @Test
  void writesFamiliesWithHelpAndTypeAndEscapedLabels() {
    String text = new PrometheusText()
        .family("salvo_x_total", "counter", "An example.")
        .sample("salvo_x_total", Map.of("topic", "a\"b\\c\nd"), 3)
        .sample("salvo_x_total", 0.25)
        .toString();
    assertEquals("# HELP salvo_x_total An example.\n# TYPE salvo_x_total counter\n"
        + "salvo_x_total{topic=\"a\\\"b\\\\c\\nd\"} 3\nsalvo_x_total 0.25\n", text);
  }

  @Test
  void histogramBucketsAreCumulativeWithInfSumAndCount() {
    String text = new PrometheusText().histogram("h", new double[] {0.00025, 0.01}, new long[] {2, 3, 1}, 0.5).toString();
    assertEquals("h_bucket{le=\"0.00025\"} 2\nh_bucket{le=\"0.01\"} 5\nh_bucket{le=\"+Inf\"} 6\nh_sum 0.5\nh_count 6\n",
        text);
  }

  @Test
  void rendersEveryFamilyAndOnlyWellFormedLines() {
    BrokerMetrics metrics = new BrokerMetrics();
    metrics.sent("Orders", 10, 1000);
    metrics.sent("Orders", 5, 500);
    metrics.delivered("Orders", 7, 700);
    metrics.streamStarted("G");
    metrics.waitedForDemand(1_500_000_000L);
    GroupLag.Lag lag = new GroupLag.Lag("G", 8, List.of(new GroupLag.QueueLag("Orders", 0, 7, 0, 15, 8, 0, "")));
    WriteStats.Snapshot writes = new WriteStats.Snapshot(3, 4, 15, new long[15], 900, 2400);
    String text = MetricsText.render(metrics, writes, List.of(lag));

    assertTrue(text.contains("salvo_topic_sent_messages_total{topic=\"Orders\"} 15\n"), text);
    assertTrue(text.contains("salvo_topic_sent_bytes_total{topic=\"Orders\"} 1500\n"), text);
    assertTrue(text.contains("salvo_topic_delivered_messages_total{topic=\"Orders\"} 7\n"), text);
    assertTrue(text.contains("salvo_group_lag_messages{group=\"G\",topic=\"Orders\",queue=\"0\"} 8\n"), text);
    assertTrue(text.contains("salvo_journal_messages_per_write 5\n"), text);
    assertTrue(text.contains("salvo_journal_write_seconds_sum 0.0024\n"), text);
    assertTrue(text.contains("salvo_delivery_streams_open 1\n"), text);
    assertTrue(text.contains("salvo_delivery_backpressure_seconds_total 1.5\n"), text);
    assertTrue(text.contains("# TYPE salvo_jvm_heap_used_bytes gauge\n"), text);
    for (String line : text.split("\n")) {
      assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || SAMPLE.matcher(line).matches(), line);
    }
  }
}
