package io.salvo.cluster.query;

import io.salvo.cluster.queue.StoredEntry;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A stored message as the admin API shows it (JSON): the whole message and where it is. */
public record MessageView(String topic, int queueId, long queueOffset, String messageId, String tags,
    List<String> keys, Map<String, String> properties, String body, String bodyEncoding, long bornTimestamp,
    String bornHost, long storeTimestamp, int reconsumeTimes) {

  public static MessageView of(String topic, int queueId, StoredEntry entry) {
    MessageAppended m = entry.message();
    Body body = Body.of(m.body());
    return new MessageView(topic, queueId, entry.offset(), m.messageId(), m.tags(), m.keys(),
        new TreeMap<>(m.properties()), body.text(), body.encoding(), m.bornTimestamp(), m.bornHost(),
        m.storeTimestamp(), m.reconsumeTimes());
  }

  /** A body for JSON: its UTF-8 text when it is valid UTF-8, else base64. */
  public record Body(String text, String encoding) {
    public static Body of(byte[] bytes) {
      byte[] body = bytes == null ? new byte[0] : bytes;
      String text = new String(body, StandardCharsets.UTF_8);
      return Arrays.equals(text.getBytes(StandardCharsets.UTF_8), body) ? new Body(text, "utf-8")
          : new Body(Base64.getEncoder().encodeToString(body), "base64");
    }
  }
}
