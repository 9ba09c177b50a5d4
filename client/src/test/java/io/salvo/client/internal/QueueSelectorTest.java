package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueueSelectorTest {

  @ParameterizedTest(name = "start {0}, {1} queues -> {2}")
  @CsvSource(delimiter = '|', value = {
      "0|4|0,1,2,3,0,1",
      "2|4|2,3,0,1,2,3",
      "-1|3|2,0,1,2,0,1",
      "7|1|0,0,0,0,0,0",
      "2147483647|2|1,0,1,0,1,0",
  })
  void rotatesOverTheQueuesOfATopic(int start, int queues, String expected) {
    QueueSelector selector = new QueueSelector(start);
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(String.valueOf(selector.select("T", queues)));
    }
    assertEquals(List.of(expected.split(",")), picked);
  }

  @Test
  void keepsOneRotationPerTopic() {
    QueueSelector selector = new QueueSelector(0);
    assertEquals(0, selector.select("A", 4));
    assertEquals(1, selector.select("A", 4));
    assertEquals(0, selector.select("B", 4));
    assertEquals(2, selector.select("A", 4));
  }

  @Test
  void followsAChangedQueueCount() {
    QueueSelector selector = new QueueSelector(0);
    selector.select("A", 8);
    selector.select("A", 8);
    assertEquals(0, selector.select("A", 2));
  }

  @Test
  void rejectsAnEmptyRoute() {
    assertThrows(IllegalArgumentException.class, () -> new QueueSelector(0).select("A", 0));
  }
}
