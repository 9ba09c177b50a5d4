package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.message.Message;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.model.MessageId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageConverterTest {

  static Stream<Arguments> invalidMessages() {
    Message reserved = new Message("T", new byte[] {1});
    reserved.putUserProperty("UNIQ_KEY", "x");
    return Stream.of(
        Arguments.of(new Message("bad topic", new byte[] {1}), ErrorCode.INVALID_TOPIC, "bad topic"),
        Arguments.of(new Message("T", "a||b", new byte[] {1}), ErrorCode.INVALID_TAG, "a||b"),
        Arguments.of(new Message("T", new byte[0]), ErrorCode.EMPTY_BODY, "empty"),
        Arguments.of(new Message("T", null), ErrorCode.EMPTY_BODY, "empty"),
        Arguments.of(new Message("T", new byte[11]), ErrorCode.MESSAGE_TOO_LARGE, "11 bytes"),
        Arguments.of(reserved, ErrorCode.INVALID_PROPERTY, "UNIQ_KEY"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidMessages")
  void rejectsInvalidMessagesWithTheBrokersCode(Message m, ErrorCode code, String named) {
    SalvoException e = assertThrows(SalvoException.class, () -> MessageConverter.validate(m, 10));
    assertEquals(code, e.code());
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void acceptsABodyAtTheLimit() {
    assertDoesNotThrow(() -> MessageConverter.validate(new Message("T", "A", "k1 k2", new byte[10]), 10));
  }

  @Test
  void rejectsABatchMixingTopics() {
    SalvoException e = assertThrows(SalvoException.class, () -> MessageConverter.validateBatch(
        List.of(new Message("A", new byte[] {1}), new Message("B", new byte[] {1})), 10));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains("'A'") && e.getMessage().contains("'B'"), e.getMessage());
    assertThrows(SalvoException.class, () -> MessageConverter.validateBatch(List.of(), 10));
  }

  @Test
  void toProtoGivesEachMessageANewIdAndKeepsItsParts() {
    Message m = new Message("T", "A", "k1 k2", new byte[] {7});
    m.putUserProperty("p", "v");
    var a = MessageConverter.toProto(m, "10.0.0.1", 123);
    var b = MessageConverter.toProto(m, "10.0.0.1", 123);
    assertNotEquals(a.getMessageId(), b.getMessageId());
    assertTrue(MessageId.isWellFormed(a.getMessageId()));
    assertEquals(List.of("k1", "k2"), a.getKeysList());
    assertEquals("v", a.getPropertiesMap().get("p"));
    assertEquals(123, a.getBornTimestamp());
    assertEquals("10.0.0.1", a.getBornHost());
  }
}
