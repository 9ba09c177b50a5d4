package io.salvo.cluster.admin;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import io.salvo.cluster.group.GroupLag;
import io.salvo.cluster.metrics.BrokerMetrics;
import io.salvo.cluster.metrics.MetricsText;
import io.salvo.cluster.queue.WriteStats;
import io.salvo.cluster.topic.Topics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The node and the cluster: {@code GET /cluster/queues} (which node holds which queue), {@code GET /stats} (JSON) and
 * {@code GET /metrics} (Prometheus text).
 */
final class ClusterRoutes extends JsonRoutes {
  /** Groups whose lag a scrape reports: those with a delivery stream started on this node within this window. */
  static final Duration LAG_ACTIVE_WINDOW = Duration.ofMinutes(10);
  /** At most this many groups per scrape (the first by name). */
  static final int LAG_MAX_GROUPS = 32;
  /** A group whose lag is not known within this time is left out of the scrape. */
  static final Duration LAG_TIMEOUT = Duration.ofSeconds(2);

  private final Topics topics;
  private final WriteStats writeStats;
  private final BrokerMetrics metrics;
  private final GroupLag groupLag;
  private final Placement placement;

  ClusterRoutes(Topics topics, WriteStats writeStats, BrokerMetrics metrics, GroupLag groupLag, Placement placement) {
    this.topics = topics;
    this.writeStats = writeStats;
    this.metrics = metrics;
    this.groupLag = groupLag;
    this.placement = placement;
  }

  Route routes() {
    return concat(
        path(PathMatchers.segment("cluster").slash("queues"), () -> get(() -> parameterOptional("topic", topic ->
            reply(StatusCodes.OK, () -> topic.isPresent() ? placement.of(List.of(topic.get()))
                : topics.list().thenCompose(placement::of))))),
        path("stats", () -> get(() -> reply(StatusCodes.OK, this::stats))),
        path("metrics", () -> get(() -> onSuccess(scrape(),
            text -> complete(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, text))))));
  }

  /**
   * The metrics text. Lag is computed at scrape time for the groups that consumed through this node lately (bounded
   * by {@link #LAG_MAX_GROUPS} and {@link #LAG_TIMEOUT}: one ask to each group and one per queue it has offsets for).
   */
  private CompletionStage<String> scrape() {
    List<String> groups = metrics.groupsActiveSince(System.currentTimeMillis() - LAG_ACTIVE_WINDOW.toMillis());
    List<CompletableFuture<GroupLag.Lag>> lags = new ArrayList<>();
    for (String group : groups.subList(0, Math.min(groups.size(), LAG_MAX_GROUPS))) {
      lags.add(groupLag.lag(group).toCompletableFuture()
          .exceptionally(e -> null)
          .completeOnTimeout(null, LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
    return CompletableFuture.allOf(lags.toArray(CompletableFuture[]::new)).thenApply(v -> MetricsText.render(metrics,
        writeStats.snapshot(), lags.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList()));
  }

  private CompletionStage<Map<String, Object>> stats() {
    WriteStats.Snapshot s = writeStats.snapshot();
    return CompletableFuture.completedFuture(Map.of("journalWrites", s.writes(), "appends", s.appends(),
        "messages", s.messages(), "messagesPerWrite", s.messagesPerWrite(),
        "journalWriteMillis", Map.of("p50", s.latencyPercentileMillis(50), "p99", s.latencyPercentileMillis(99),
            "max", s.maxLatencyMicros() / 1000.0, "bucketBounds", WriteStats.bucketBoundsMillis(),
            "buckets", s.latencyBuckets()),
        "heap", heap()));
  }

  /**
   * This JVM's heap: used, committed and max bytes now, and used bytes right after the most recent garbage collection
   * (-1 before the first).
   */
  private static Map<String, Long> heap() {
    MemoryUsage now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long afterLastGc = -1;
    long lastEnd = -1;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null
          && gc.getLastGcInfo().getEndTime() > lastEnd) {
        lastEnd = gc.getLastGcInfo().getEndTime();
        afterLastGc = gc.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> isHeapPool(pool.getKey()))
            .mapToLong(pool -> pool.getValue().getUsed())
            .sum();
      }
    }
    return Map.of("usedBytes", now.getUsed(), "committedBytes", now.getCommitted(), "maxBytes", now.getMax(),
        "usedAfterLastGcBytes", afterLastGc);
  }

  private static boolean isHeapPool(String name) {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getName().equals(name)) {
        return pool.getType() == MemoryType.HEAP;
      }
    }
    return false;
  }
}
