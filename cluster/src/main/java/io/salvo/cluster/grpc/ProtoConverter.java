package io.salvo.cluster.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.core.protocol.v1.Message;
import io.salvo.core.protocol.v1.StoredMessage;
import io.salvo.persistence.events.QueueEvent.MessageAppended;

/** The only domain ↔ protocol conversion on the broker. */
public final class ProtoConverter {
  private ProtoConverter() {}

  /** A validated wire message as the queue entity takes it: not stored yet (store timestamp 0). */
  public static MessageAppended toUnstored(Message m) {
    return new MessageAppended(m.getMessageId(), m.getTags(), m.getKeysList(), m.getPropertiesMap(),
        m.getBody().toByteArray(), m.getBornTimestamp(), m.getBornHost(), 0, m.getReconsumeTimes());
  }

  public static StoredMessage toStoredMessage(String topic, int queueId, StoredEntry entry, String storeHost) {
    MessageAppended m = entry.message();
    Message.Builder message = Message.newBuilder()
        .setTopic(topic)
        .setTags(m.tags() == null ? "" : m.tags())
        .addAllKeys(m.keys())
        .setBody(wrap(m.body()))
        .putAllProperties(m.properties())
        .setMessageId(m.messageId())
        .setBornTimestamp(m.bornTimestamp())
        .setBornHost(m.bornHost() == null ? "" : m.bornHost())
        .setReconsumeTimes(m.reconsumeTimes());
    return StoredMessage.newBuilder()
        .setMessage(message)
        .setQueueId(queueId)
        .setQueueOffset(entry.offset())
        .setStoreTimestamp(m.storeTimestamp())
        .setStoreHost(storeHost)
        .build();
  }

  /** Stored bodies are never mutated, so the wire message may share the array. */
  private static ByteString wrap(byte[] body) {
    return UnsafeByteOperations.unsafeWrap(body);
  }
}
