package io.salvo.client.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The client's settings, read from {@code salvo.client} (see reference.conf for each key's meaning). Public
 * setters of the producer and consumer override the matching values per instance. Immutable.
 */
public record ClientSettings(
    String namesrvAddr,
    int defaultPort,
    Duration requestTimeout,
    Producer producer,
    Consumer consumer) {

  public record Producer(
      Duration sendTimeout,
      Duration attemptTimeout,
      int retryTimesWhenSendFailed,
      int retryTimesWhenSendAsyncFailed,
      Duration retryBackoff,
      int maxMessageSize,
      int defaultTopicQueueNums,
      Duration routeRefreshInterval,
      int callbackThreads) {}

  public record Consumer(
      int consumeThreadMin,
      int consumeThreadMax,
      int consumeMessageBatchMaxSize,
      int pullThresholdForQueue,
      int receiveMaxBatch,
      Duration commitInterval,
      Duration heartbeatInterval,
      Duration reconsumeDelay,
      Duration suspendCurrentQueueTime,
      Duration consumeTimeout,
      Duration reconnectMinBackoff,
      Duration reconnectMaxBackoff,
      double reconnectRandomFactor,
      Duration receiveSilenceTimeout,
      Duration shutdownTimeout) {}

  /** Settings from the application's configuration ({@code ConfigFactory.load()}). */
  public static ClientSettings load() {
    return create(ConfigFactory.load());
  }

  /** Reads {@code salvo.client}; a missing or invalid key throws naming the key. */
  public static ClientSettings create(Config root) {
    Config c = root.getConfig("salvo.client");
    Config p = c.getConfig("producer");
    Config k = c.getConfig("consumer");
    ClientSettings s = new ClientSettings(
        c.getString("namesrv-addr"),
        positive(c, "default-port"),
        positiveDuration(c, "request-timeout"),
        new Producer(
            positiveDuration(p, "send-timeout"),
            positiveDuration(p, "attempt-timeout"),
            nonNegative(p, "retry-times-when-send-failed"),
            nonNegative(p, "retry-times-when-send-async-failed"),
            p.getDuration("retry-backoff"),
            (int) Math.min(Integer.MAX_VALUE, p.getBytes("max-message-size")),
            positive(p, "default-topic-queue-nums"),
            positiveDuration(p, "route-refresh-interval"),
            nonNegative(p, "callback-threads")),
        new Consumer(
            positive(k, "consume-thread-min"),
            positive(k, "consume-thread-max"),
            positive(k, "consume-message-batch-max-size"),
            positive(k, "pull-threshold-for-queue"),
            positive(k, "receive-max-batch"),
            positiveDuration(k, "commit-interval"),
            positiveDuration(k, "heartbeat-interval"),
            positiveDuration(k, "reconsume-delay"),
            positiveDuration(k, "suspend-current-queue-time"),
            positiveDuration(k, "consume-timeout"),
            positiveDuration(k, "reconnect-min-backoff"),
            positiveDuration(k, "reconnect-max-backoff"),
            k.getDouble("reconnect-random-factor"),
            positiveDuration(k, "receive-silence-timeout"),
            positiveDuration(k, "shutdown-timeout")));
    return s;
  }

  private static int positive(Config c, String key) {
    int v = c.getInt(key);
    if (v <= 0) {
      throw new ConfigException.BadValue(c.origin(), key, "must be positive, was " + v);
    }
    return v;
  }

  private static int nonNegative(Config c, String key) {
    int v = c.getInt(key);
    if (v < 0) {
      throw new ConfigException.BadValue(c.origin(), key, "must not be negative, was " + v);
    }
    return v;
  }

  private static Duration positiveDuration(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException.BadValue(c.origin(), key, "must be positive, was " + d);
    }
    return d;
  }
}
