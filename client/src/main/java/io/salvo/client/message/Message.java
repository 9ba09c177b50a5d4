package io.salvo.client.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message as a producer builds it: topic, an optional tag, optional keys, a body and user properties
 * (RocketMQ's {@code Message}). Names and sizes are validated when the message is sent, with the broker's error
 * codes.
 *
 * <p>Keys are one string of space-separated keys, as in RocketMQ; {@link #setKeys(Collection)} joins a collection.
 * Unlike RocketMQ, {@link #getProperties()} holds only user properties: tags and keys are separate fields.
 *
 * <p>Not thread safe: build a message in one thread, then hand it over (sending only reads it).
 */
public class Message {
  private static final int TO_STRING_BODY_BYTES = 32;

  private String topic;
  private String tags;
  private String keys;
  private String shardingKey;
  private byte[] body;
  private int delayTimeLevel;
  private long deliverTimeMs;
  private String transactionId;
  private final Map<String, String> properties = new LinkedHashMap<>();

  public Message() {}

  public Message(String topic, byte[] body) {
    this(topic, "", "", body);
  }

  public Message(String topic, String tags, byte[] body) {
    this(topic, tags, "", body);
  }

  public Message(String topic, String tags, String keys, byte[] body) {
    this.topic = topic;
    this.tags = tags;
    this.keys = keys;
    this.body = body;
  }

  /**
   * The transaction this message belongs to (its half message's id), set for a transactional message: on the message
   * given to {@code executeLocalTransaction} and on the one given to {@code checkLocalTransaction}; null otherwise.
   */
  public String getTransactionId() {
    return transactionId;
  }

  public void setTransactionId(String transactionId) {
    this.transactionId = transactionId;
  }

  public String getTopic() {
    return topic;
  }

  public void setTopic(String topic) {
    this.topic = topic;
  }

  /** The tag, or null or empty for none. */
  public String getTags() {
    return tags;
  }

  public void setTags(String tags) {
    this.tags = tags;
  }

  /** The keys as one space-separated string (possibly empty or null). */
  public String getKeys() {
    return keys;
  }

  /** Sets the keys as one space-separated string. */
  public void setKeys(String keys) {
    this.keys = keys;
  }

  /** Sets the keys from a collection, joined by single spaces. */
  public void setKeys(Collection<String> keys) {
    this.keys = String.join(" ", keys);
  }

  /** The keys split on whitespace, without empty entries; an immutable list. */
  public List<String> getKeysList() {
    if (keys == null || keys.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String k : keys.trim().split("\\s+")) {
      if (!k.isEmpty()) {
        out.add(k);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The sharding key, or null for none (see {@link #setShardingKey}). */
  public String getShardingKey() {
    return shardingKey;
  }

  /**
   * Sets a sharding key: the producer sends every message with the same key to the same queue of its topic (the
   * queue at the key's {@code String.hashCode()} modulo the queue count, while that count stays the same), so that an
   * orderly consumer sees one key's messages in send order. Null or empty: the producer's round-robin. Used by the
   * producer only, not stored with the message; an explicit queue or selector takes precedence.
   */
  public void setShardingKey(String shardingKey) {
    this.shardingKey = shardingKey;
  }

  public byte[] getBody() {
    return body;
  }

  public void setBody(byte[] body) {
    this.body = body;
  }

  /** The delay level (1..18), or 0 for none (see {@link #setDelayTimeLevel}). */
  public int getDelayTimeLevel() {
    return delayTimeLevel;
  }

  /**
   * Delays the message by one of RocketMQ's 18 levels: 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h
   * (level 1 is 1 s, level 18 is 2 h), counted from when the broker accepts the send; 0 for none. The broker
   * journals the message in its durable timer before it answers the send, and appends it to its queue when due,
   * also after restarts. A delayed message is sent alone (not in a batch); the send result's queue offset is -1.
   * Unlike RocketMQ, a level above 18 is an error (INVALID_DELAY), not clamped.
   */
  public void setDelayTimeLevel(int level) {
    this.delayTimeLevel = level;
  }

  /** The delivery time (ms since the epoch), or 0 for none (see {@link #setDeliverTimeMs}). */
  public long getDeliverTimeMs() {
    return deliverTimeMs;
  }

  /**
   * Delivers the message at {@code timeMs} (ms since the epoch, by the broker's clock), within the broker's maximum
   * delay ({@code salvo.broker.timer.max-delay}, 365 days by default; beyond it the send fails with INVALID_DELAY
   * naming the limit). A time that has passed means at once. Set this or a delay level, not both.
   */
  public void setDeliverTimeMs(long timeMs) {
    this.deliverTimeMs = timeMs;
  }

  /**
   * Sets a user property. Like RocketMQ, a null or blank name or a null value is rejected here with
   * IllegalArgumentException; the remaining rules (reserved names, sizes) are checked at send time.
   */
  public void putUserProperty(String name, String value) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("property name '" + name + "' must not be blank");
    }
    if (value == null) {
      throw new IllegalArgumentException("value of property '" + name + "' must not be null");
    }
    properties.put(name, value);
  }

  public String getUserProperty(String name) {
    return properties.get(name);
  }

  /** A copy of the user properties, in insertion order. */
  public Map<String, String> getProperties() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /** Replaces all user properties (package use: delivered messages). */
  void replaceProperties(Map<String, String> newProperties) {
    properties.clear();
    properties.putAll(newProperties);
  }

  @Override
  public String toString() {
    return "Message{topic='" + topic + "', tags='" + tags + "', keys='" + keys + "'"
        + (shardingKey == null ? "" : ", shardingKey='" + shardingKey + "'")
        + (delayTimeLevel == 0 ? "" : ", delayTimeLevel=" + delayTimeLevel)
        + (deliverTimeMs == 0 ? "" : ", deliverTimeMs=" + deliverTimeMs) + ", properties=" + properties
        + ", body=" + bodyToString(body) + "}";
  }

  static String bodyToString(byte[] body) {
    if (body == null) {
      return "null";
    }
    if (body.length <= TO_STRING_BODY_BYTES) {
      return Arrays.toString(body);
    }
    String head = Arrays.toString(Arrays.copyOf(body, TO_STRING_BODY_BYTES));
    return head.substring(0, head.length() - 1) + ", ... (" + body.length + " bytes)]";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Message m) || o.getClass() != getClass()) {
      return false;
    }
    return Objects.equals(topic, m.topic) && Objects.equals(tags, m.tags) && Objects.equals(keys, m.keys)
        && Objects.equals(shardingKey, m.shardingKey) && Arrays.equals(body, m.body)
        && delayTimeLevel == m.delayTimeLevel && deliverTimeMs == m.deliverTimeMs
        && properties.equals(m.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, tags, keys, shardingKey, Arrays.hashCode(body), properties, delayTimeLevel,
        deliverTimeMs);
  }
}
