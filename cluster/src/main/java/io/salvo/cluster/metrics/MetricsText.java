package io.salvo.cluster.metrics;

import io.salvo.cluster.group.GroupLag;
import io.salvo.cluster.queue.WriteStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;

/**
 * Renders a node's metrics ({@code GET /metrics}) in the Prometheus text format: {@code salvo_topic_*} per topic,
 * {@code salvo_group_lag_messages} per group, topic and queue, {@code salvo_journal_*} (write latency histogram,
 * messages per write), {@code salvo_delivery_*} (streams, backpressure) and {@code salvo_jvm_*}. Pure except for the
 * JVM's management beans.
 */
public final class MetricsText {
  private MetricsText() {}

  /** Renders everything; {@code lags} holds the groups whose lag was computed for this scrape. */
  public static String render(BrokerMetrics metrics, WriteStats.Snapshot writes, List<GroupLag.Lag> lags) {
    PrometheusText out = new PrometheusText();
    topics(out, metrics);
    groups(out, lags);
    journal(out, writes);
    delivery(out, metrics);
    jvm(out);
    return out.toString();
  }

  static void topics(PrometheusText out, BrokerMetrics metrics) {
    Map<String, BrokerMetrics.Counter> sent = metrics.sentByTopic();
    Map<String, BrokerMetrics.Counter> delivered = metrics.deliveredByTopic();
    out.family("salvo_topic_sent_messages_total", "counter", "Messages stored by this node's queues, by topic.");
    sent.forEach((topic, c) -> out.sample("salvo_topic_sent_messages_total", Map.of("topic", topic), c.messages()));
    out.family("salvo_topic_sent_bytes_total", "counter", "Body bytes of the messages stored by this node's queues.");
    sent.forEach((topic, c) -> out.sample("salvo_topic_sent_bytes_total", Map.of("topic", topic), c.bytes()));
    out.family("salvo_topic_delivered_messages_total", "counter",
        "Messages handed to consumers by this node's delivery streams, by topic (redeliveries included).");
    delivered.forEach((topic, c) ->
        out.sample("salvo_topic_delivered_messages_total", Map.of("topic", topic), c.messages()));
    out.family("salvo_topic_delivered_bytes_total", "counter", "Body bytes of the messages handed to consumers.");
    delivered.forEach((topic, c) -> out.sample("salvo_topic_delivered_bytes_total", Map.of("topic", topic), c.bytes()));
  }

  static void groups(PrometheusText out, List<GroupLag.Lag> lags) {
    out.family("salvo_group_lag_messages", "gauge",
        "Messages stored but not yet committed by the group, per queue; for groups consuming through this node lately.");
    for (GroupLag.Lag lag : lags) {
      for (GroupLag.QueueLag q : lag.queues()) {
        Map<String, String> labels = PrometheusText.labels("group", lag.group(), "topic", q.topic());
        labels.put("queue", String.valueOf(q.queueId()));
        out.sample("salvo_group_lag_messages", labels, q.lag());
      }
    }
  }

  static void journal(PrometheusText out, WriteStats.Snapshot s) {
    out.family("salvo_journal_write_seconds", "histogram",
        "Time from a queue's journal write (one group commit) to Cassandra's acknowledgement.");
    double[] boundsMillis = WriteStats.bucketBoundsMillis();
    double[] boundsSeconds = new double[boundsMillis.length];
    for (int i = 0; i < boundsMillis.length; i++) {
      boundsSeconds[i] = boundsMillis[i] / 1000.0;
    }
    out.histogram("salvo_journal_write_seconds", boundsSeconds, s.latencyBuckets(), s.totalLatencyMicros() / 1e6);
    one(out, "salvo_journal_writes_total", "counter", "Journal writes (group commits) by this node's queues.", s.writes());
    one(out, "salvo_journal_appends_total", "counter", "Sends (or Publish groups) those writes carried.", s.appends());
    one(out, "salvo_journal_messages_total", "counter", "Messages those writes carried.", s.messages());
    one(out, "salvo_journal_messages_per_write", "gauge", "Messages per journal write since the node started.",
        s.messagesPerWrite());
  }

  static void delivery(PrometheusText out, BrokerMetrics metrics) {
    one(out, "salvo_delivery_streams_open", "gauge", "Consumer delivery streams (one per consumed queue) open now.",
        metrics.streamsOpen());
    one(out, "salvo_delivery_streams_started_total", "counter", "Consumer delivery streams started.",
        metrics.streamsStarted());
    one(out, "salvo_delivery_backpressure_seconds_total", "counter",
        "Time ready batches waited for the consumer's demand (gRPC flow control), summed over streams.",
        metrics.demandWaitNanos() / 1e9);
  }

  /** A family with one sample and no labels. */
  private static void one(PrometheusText out, String name, String type, String help, double value) {
    out.family(name, type, help).sample(name, value);
  }

  static void jvm(PrometheusText out) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    one(out, "salvo_jvm_heap_used_bytes", "gauge", "JVM heap in use.", heap.getUsed());
    one(out, "salvo_jvm_heap_committed_bytes", "gauge", "JVM heap committed.", heap.getCommitted());
    one(out, "salvo_jvm_heap_max_bytes", "gauge", "JVM heap limit (-1: none).", heap.getMax());
    out.family("salvo_jvm_gc_collections_total", "counter", "Garbage collections, by collector.");
    List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    gcs.forEach(gc -> out.sample("salvo_jvm_gc_collections_total", Map.of("gc", gc.getName()),
        Math.max(0, gc.getCollectionCount())));
    out.family("salvo_jvm_gc_seconds_total", "counter", "Time spent in garbage collection, by collector.");
    gcs.forEach(gc -> out.sample("salvo_jvm_gc_seconds_total", Map.of("gc", gc.getName()),
        Math.max(0, gc.getCollectionTime()) / 1000.0));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    one(out, "salvo_jvm_threads", "gauge", "Live JVM threads.", threads.getThreadCount());
  }
}
