package io.salvo.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.SalvoException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueueIdAndMessageIdTest {

  @Test
  void queueEntityIdRoundTrips() {
    QueueId q = QueueId.of("%RETRY%g", 12);
    assertEquals("%RETRY%g#12", q.entityId());
    assertEquals(q, QueueId.parse(q.entityId()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"T", "#1", "T#", "T#x"})
  void rejectsMalformedQueueIds(String id) {
    assertThrows(SalvoException.class, () -> QueueId.parse(id));
  }

  @Test
  void messageIdsAreUniqueAndWellFormed() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = MessageId.next();
      assertTrue(MessageId.isWellFormed(id), id);
      ids.add(id);
    }
    assertEquals(100_000, ids.size());
    assertFalse(MessageId.isWellFormed("xyz"));
    assertFalse(MessageId.isWellFormed("0123456789abcdef0123456789ABCDEF"));
  }

  @Test
  void messageIdTellsTheSecondItWasMadeIn() {
    long before = System.currentTimeMillis() / 1000;
    String id = MessageId.next();
    long after = System.currentTimeMillis() / 1000;
    long second = MessageId.bornSecond(id);
    assertTrue(second >= before && second <= after, id + " -> " + second);
    assertEquals(0x5F5E1000L, MessageId.bornSecond("0123456789ABCDEF5F5E100000000007"));
  }
}
