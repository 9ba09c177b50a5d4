package io.salvo.cluster.metrics;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@code GET /metrics} that are not the journal's ({@code WriteStats}): per topic, messages and
 * body bytes appended by this node's queues and delivered by this node's consumer streams; the delivery streams open
 * now and how long they waited for the consumer's demand; the groups that consumed through this node lately. One per
 * actor system (an Akka extension), so the queue entities and the gRPC layer reach it without wiring. Thread safe;
 * counting is a {@link LongAdder} increment.
 */
public final class BrokerMetrics implements Extension {
  /** Per topic: messages and body bytes. */
  public static final class Counter {
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    void add(long messageCount, long byteCount) {
      messages.add(messageCount);
      bytes.add(byteCount);
    }

    public long messages() {
      return messages.sum();
    }

    public long bytes() {
      return bytes.sum();
    }
  }

  private static final ExtensionId<BrokerMetrics> ID = new ExtensionId<>() {
    @Override
    public BrokerMetrics createExtension(ActorSystem<?> system) {
      return new BrokerMetrics();
    }
  };

  private final ConcurrentHashMap<String, Counter> sent = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> delivered = new ConcurrentHashMap<>();
  /** Group name → when a delivery stream of it last started on this node (ms since the epoch). */
  private final ConcurrentHashMap<String, Long> activeGroups = new ConcurrentHashMap<>();
  private final LongAdder streamsOpen = new LongAdder();
  private final LongAdder streamsStarted = new LongAdder();
  private final LongAdder demandWaitNanos = new LongAdder();

  /** For unit tests; brokers use {@link #get}. */
  public BrokerMetrics() {}

  public static BrokerMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** A queue of {@code topic} on this node stored {@code messages} messages of {@code bytes} body bytes. */
  public void sent(String topic, long messages, long bytes) {
    sent.computeIfAbsent(topic, t -> new Counter()).add(messages, bytes);
  }

  /** A delivery stream of this node handed {@code messages} messages of {@code bytes} body bytes to gRPC. */
  public void delivered(String topic, long messages, long bytes) {
    delivered.computeIfAbsent(topic, t -> new Counter()).add(messages, bytes);
  }

  /** A delivery stream of {@code group} started. Pair with {@link #streamStopped()}. */
  public void streamStarted(String group) {
    streamsOpen.increment();
    streamsStarted.increment();
    activeGroups.put(group, System.currentTimeMillis());
  }

  public void streamStopped() {
    streamsOpen.decrement();
  }

  /** A delivery stream held a ready element for {@code nanos} until the consumer (gRPC flow control) asked for it. */
  public void waitedForDemand(long nanos) {
    demandWaitNanos.add(nanos);
  }

  /** Sent counters by topic, sorted. */
  public Map<String, Counter> sentByTopic() {
    return new TreeMap<>(sent);
  }

  /** Delivered counters by topic, sorted. */
  public Map<String, Counter> deliveredByTopic() {
    return new TreeMap<>(delivered);
  }

  /** Groups with a delivery stream started on this node at or after {@code sinceMillis}, sorted. */
  public java.util.List<String> groupsActiveSince(long sinceMillis) {
    return activeGroups.entrySet().stream().filter(e -> e.getValue() >= sinceMillis).map(Map.Entry::getKey).sorted()
        .toList();
  }

  public long streamsOpen() {
    return streamsOpen.sum();
  }

  public long streamsStarted() {
    return streamsStarted.sum();
  }

  public long demandWaitNanos() {
    return demandWaitNanos.sum();
  }
}
