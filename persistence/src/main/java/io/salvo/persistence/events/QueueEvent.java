package io.salvo.persistence.events;

import java.util.List;
import java.util.Map;

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
  }
}
