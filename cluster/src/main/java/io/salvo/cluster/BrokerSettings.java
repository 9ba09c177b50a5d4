package io.salvo.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** The broker's settings, read once from {@code salvo.broker} and validated with errors that name the key. */
public record BrokerSettings(
    String grpcHost,
    int grpcPort,
    String advertisedAddress,
    int maxMessageBytes,
    int maxBatchMessages,
    boolean autoCreateTopics,
    int defaultQueueCount,
    int maxQueueCount,
    QueueSettings queue,
    Duration storeTimeout,
    int publishParallelism,
    int deliveryMaxBatch,
    long deliveryMaxBatchBytes,
    int catchUpChunk,
    long catchUpMaxBytes,
    Duration sessionTimeout,
    Duration heartbeatInterval,
    TimerSettings timer,
    RetentionSettings retention,
    TransactionSettings transaction) {

  /** Settings of every queue entity. */
  public record QueueSettings(
      int groupCommitMaxMessages,
      int groupCommitMaxBytes,
      int tailCacheMaxMessages,
      long tailCacheMaxBytes,
      Duration longPollTimeout,
      Duration restartBackoffMin,
      Duration restartBackoffMax,
      int snapshotEvery) {}

  /** Time-based retention of messages and the message indexes ({@code salvo.broker.retention}). */
  public record RetentionSettings(
      Duration defaultRetention,
      Duration interval,
      long minStep,
      Duration indexMargin) {
    /** The retention of a topic whose route says {@code retentionMs} (0: this default). */
    public Duration retentionOf(long retentionMs) {
      return retentionMs > 0 ? Duration.ofMillis(retentionMs) : defaultRetention;
    }

    /** TTL of index rows of a topic kept for {@code retention}: the retention plus the margin, in seconds. */
    public int indexTtlSeconds(Duration retention) {
      return (int) Math.min(Integer.MAX_VALUE / 2, retention.plus(indexMargin).toSeconds());
    }
  }

  /** Settings of the durable timer of delayed messages ({@code salvo.broker.timer}). */
  public record TimerSettings(
      Duration maxDelay,
      int bucketPartitions,
      Duration lead,
      Duration tickInterval,
      int fireParallelism,
      Duration fireTimeout,
      Duration persistInterval) {}

  /** Settings of transactional messages ({@code salvo.broker.transaction}). */
  public record TransactionSettings(
      Duration timeout,
      Duration checkInterval,
      int maxChecks) {}

  public static BrokerSettings create(Config root) {
    Config c = root.getConfig("salvo.broker");
    String host = c.getString("grpc.host");
    int port = c.getInt("grpc.port");
    String advertised = c.getString("advertised-address");
    BrokerSettings s = new BrokerSettings(
        host,
        port,
        advertised.isEmpty() ? host + ":" + port : advertised,
        positive(c, "max-message-bytes"),
        positive(c, "max-batch-messages"),
        c.getBoolean("topics.auto-create"),
        positive(c, "topics.default-queue-count"),
        positive(c, "topics.max-queue-count"),
        new QueueSettings(
            positive(c, "queue.group-commit.max-messages"),
            positive(c, "queue.group-commit.max-bytes"),
            positive(c, "queue.tail-cache.max-messages"),
            c.getBytes("queue.tail-cache.max-bytes"),
            c.getDuration("queue.long-poll-timeout"),
            c.getDuration("queue.restart-backoff.min"),
            c.getDuration("queue.restart-backoff.max"),
            positive(c, "queue.snapshot-every")),
        c.getDuration("store-timeout"),
        positive(c, "publish-parallelism"),
        positive(c, "delivery.max-batch"),
        positiveBytes(c, "delivery.max-batch-bytes"),
        positive(c, "delivery.catch-up-chunk"),
        positiveBytes(c, "delivery.catch-up-max-bytes"),
        c.getDuration("groups.session-timeout"),
        c.getDuration("groups.heartbeat-interval"),
        new TimerSettings(
            positiveDuration(c, "timer.max-delay"),
            positive(c, "timer.bucket-partitions"),
            c.getDuration("timer.lead"),
            positiveDuration(c, "timer.tick-interval"),
            positive(c, "timer.fire-parallelism"),
            positiveDuration(c, "timer.fire-timeout"),
            positiveDuration(c, "timer.persist-interval")),
        new RetentionSettings(
            positiveDuration(c, "retention.default"),
            positiveDuration(c, "retention.interval"),
            positive(c, "retention.min-step"),
            c.getDuration("retention.index-margin")),
        new TransactionSettings(
            positiveDuration(c, "transaction.timeout"),
            positiveDuration(c, "transaction.check-interval"),
            positive(c, "transaction.max-checks")));
    if (s.timer.bucketPartitions() > 31) {
      throw new ConfigException.BadValue("salvo.broker.timer.bucket-partitions",
          "is " + s.timer.bucketPartitions() + "; at most 31");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException.BadValue("salvo.broker.grpc.port", "must be 0..65535, was " + port);
    }
    if (s.defaultQueueCount > s.maxQueueCount) {
      throw new ConfigException.BadValue("salvo.broker.topics.default-queue-count",
          "is " + s.defaultQueueCount + ", over topics.max-queue-count " + s.maxQueueCount);
    }
    if (s.queue.groupCommitMaxBytes < s.maxMessageBytes) {
      throw new ConfigException.BadValue("salvo.broker.queue.group-commit.max-bytes",
          "is " + s.queue.groupCommitMaxBytes + ", below max-message-bytes " + s.maxMessageBytes
              + ": a largest message could never be written");
    }
    return s;
  }

  private static Duration positiveDuration(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException.BadValue("salvo.broker." + key, "must be positive, was " + d);
    }
    return d;
  }

  private static long positiveBytes(Config c, String key) {
    long v = c.getBytes(key);
    if (v <= 0) {
      throw new ConfigException.BadValue("salvo.broker." + key, "must be positive, was " + v);
    }
    return v;
  }

  private static int positive(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new ConfigException.BadValue("salvo.broker." + key, "must be positive, was " + v);
    }
    return v;
  }

  /** One line for the start-up log. */
  public String describe() {
    return "grpc " + grpcHost + ":" + grpcPort + " (advertised " + advertisedAddress + "), max message "
        + maxMessageBytes + " B, auto-create topics " + (autoCreateTopics ? "on (" + defaultQueueCount + " queues)" : "off")
        + ", group commit <= " + queue.groupCommitMaxMessages + " msgs / " + queue.groupCommitMaxBytes + " B"
        + ", max delay " + timer.maxDelay.toDays() + " d, default retention " + retention.defaultRetention
        + ", transactions checked after " + transaction.timeout.toMillis() + " ms, every "
        + transaction.checkInterval.toMillis() + " ms, " + transaction.maxChecks + " times";
  }
}
