package io.salvo.client.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageTest {

  @ParameterizedTest(name = "keys ''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "k1|k1",
      "k1 k2|k1,k2",
      "  k1   k2  |k1,k2",
      "''|",
  })
  void splitsSpaceSeparatedKeys(String keys, String expected) {
    Message m = new Message("T", "A", keys, new byte[] {1});
    assertEquals(expected == null ? List.of() : List.of(expected.split(",")), m.getKeysList());
  }

  @Test
  void setKeysFromACollectionJoinsWithSpaces() {
    Message m = new Message("T", new byte[] {1});
    m.setKeys(List.of("order-1", "user-2"));
    assertEquals("order-1 user-2", m.getKeys());
    assertEquals(List.of("order-1", "user-2"), m.getKeysList());
  }

  @Test
  void constructorsSetTopicTagsKeysAndBody() {
    byte[] body = "Hello".getBytes(StandardCharsets.UTF_8);
    Message m = new Message("TopicTest", "TagA", body);
    assertEquals("TopicTest", m.getTopic());
    assertEquals("TagA", m.getTags());
    assertEquals("", m.getKeys());
    assertEquals(body, m.getBody());
    Message plain = new Message("T", body);
    assertEquals("", plain.getTags());
  }

  @Test
  void userPropertiesKeepInsertionOrderAndAreCopiedOut() {
    Message m = new Message("T", new byte[] {1});
    m.putUserProperty("b", "2");
    m.putUserProperty("a", "1");
    assertEquals("1", m.getUserProperty("a"));
    Map<String, String> props = m.getProperties();
    assertEquals(List.of("b", "a"), List.copyOf(props.keySet()));
    assertThrows(UnsupportedOperationException.class, () -> props.put("c", "3"));
  }

  @ParameterizedTest(name = "property ''{0}''=''{1}'' is rejected")
  @CsvSource(value = {"'',v", "' ',v"})
  void rejectsBlankPropertyNames(String name, String value) {
    Message m = new Message("T", new byte[] {1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.putUserProperty(name, value));
    assertTrue(e.getMessage().contains("'" + name + "'"));
  }

  @Test
  void rejectsNullPropertyValues() {
    Message m = new Message("T", new byte[] {1});
    assertThrows(IllegalArgumentException.class, () -> m.putUserProperty("k", null));
  }

  @Test
  void messageExtToStringLooksLikeRocketMq() {
    MessageExt ext = new MessageExt("T", "A", "k", new byte[] {72, 105}, Map.of("p", "v"));
    ext.setMsgId("ID");
    ext.setQueueId(3);
    ext.setQueueOffset(7);
    String s = ext.toString();
    assertTrue(s.startsWith("MessageExt [brokerName="), s);
    assertTrue(s.contains("queueId=3, queueOffset=7"), s);
    assertTrue(s.contains("msgId=ID"), s);
    assertTrue(s.contains("body=[72, 105]"), s);
    assertEquals("v", ext.getUserProperty("p"));
  }

  @Test
  void messageQueueEqualityCoversTopicBrokerAndQueue() {
    assertEquals(new MessageQueue("T", "b", 1), new MessageQueue("T", "b", 1));
    assertEquals(new MessageQueue("T", "b", 1).hashCode(), new MessageQueue("T", "b", 1).hashCode());
    assertTrue(!new MessageQueue("T", "b", 1).equals(new MessageQueue("T", "b", 2)));
    assertEquals("MessageQueue [topic=T, brokerName=b, queueId=1]", new MessageQueue("T", "b", 1).toString());
  }
}
