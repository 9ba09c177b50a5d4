package io.salvo.client.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Round-robin over a topic's queues, one counter per topic, starting at a per-topic position so that several
 * producers do not all begin at queue 0. Not thread safe: owned by the {@link ProducerActor}.
 */
final class QueueSelector {
  private final Map<String, Integer> next = new HashMap<>();
  private final int firstPosition;

  /** {@code firstPosition}: where each topic's rotation starts (any int; taken modulo the queue count). */
  QueueSelector(int firstPosition) {
    this.firstPosition = firstPosition;
  }

  /** The next queue of {@code topic}, in {@code [0, queueCount)}. */
  int select(String topic, int queueCount) {
    if (queueCount <= 0) {
      throw new IllegalArgumentException("topic '" + topic + "' has queue count " + queueCount);
    }
    int position = next.getOrDefault(topic, firstPosition);
    next.put(topic, position + 1);
    return Math.floorMod(position, queueCount);
  }
}
