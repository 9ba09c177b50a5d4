package io.salvo.persistence.events;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Journal events of a queue entity ({@code QueueEntity}). The journal of queue {@code T#i} is the queue's log:
 * one {@link MessageAppended} per message, so a message's queue offset is its sequence number minus one.
 * Serialized by {@link SalvoEventSerializer}; names and fields are part of the stored format.
 */
public sealed interface QueueEvent extends SalvoEvent {

  /** One message stored in the queue. */
  record MessageAppended(
      String messageId,
      String tags,
      List<String> keys,
      Map<String, String> properties,
      byte[] body,
      long bornTimestamp,
      String bornHost,
      long storeTimestamp,
      int reconsumeTimes)
      implements QueueEvent {
    public MessageAppended {
      keys = List.copyOf(keys);
      properties = Map.copyOf(properties);
    }

    /** This message as stored at {@code timestamp}: the queue entity stamps messages when it writes them. */
    public MessageAppended withStoreTimestamp(long timestamp) {
      return new MessageAppended(messageId, tags, keys, properties, body, bornTimestamp, bornHost, timestamp,
          reconsumeTimes);
    }

    /** Bytes this message takes in a journal write, roughly; used to cap group commits. */
    public int approximateSize() {
      int size = body.length + messageId.length() + 64;
      if (tags != null) {
        size += tags.length();
      }
      for (String k : keys) {
        size += k.length() + 4;
      }
      for (Map.Entry<String, String> e : properties.entrySet()) {
        size += e.getKey().length() + e.getValue().length() + 8;
      }
      return size;
    }

    /** Value equality, comparing {@code body} by content (records compare arrays by reference). */
    @Override
    public boolean equals(Object o) {
      return this == o
          || o instanceof MessageAppended m
              && bornTimestamp == m.bornTimestamp
              && storeTimestamp == m.storeTimestamp
              && reconsumeTimes == m.reconsumeTimes
              && Objects.equals(messageId, m.messageId)
              && Objects.equals(tags, m.tags)
              && keys.equals(m.keys)
              && properties.equals(m.properties)
              && Arrays.equals(body, m.body)
              && Objects.equals(bornHost, m.bornHost);
    }

    @Override
    public int hashCode() {
      return Objects.hash(messageId, tags, keys, properties, Arrays.hashCode(body), bornTimestamp, bornHost,
          storeTimestamp, reconsumeTimes);
    }

    /** Shows the body's length, not its bytes. */
    @Override
    public String toString() {
      return "MessageAppended[messageId=" + messageId + ", tags=" + tags + ", keys=" + keys + ", properties="
          + properties + ", body=" + (body == null ? "null" : body.length + " bytes") + ", bornTimestamp="
          + bornTimestamp + ", bornHost=" + bornHost + ", storeTimestamp=" + storeTimestamp + ", reconsumeTimes="
          + reconsumeTimes + "]";
    }
  }
}
