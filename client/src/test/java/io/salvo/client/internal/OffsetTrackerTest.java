package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OffsetTrackerTest {

  /**
   * Offsets 10..14 received in one element with next_offset 17 (15 and 16 filtered out); then acknowledged in the
   * given order; after each ack the commit offset must be the smallest unconsumed offset, or 17 at the end.
   */
  @ParameterizedTest(name = "acks {0} -> commits {1}")
  @CsvSource(delimiter = '|', value = {
      "10,11,12,13,14|11,12,13,14,17",
      "14,13,12,11,10|10,10,10,10,17",
      "12,10,14,11,13|10,11,11,13,17",
      "11,10,13,12,14|10,12,12,14,17",
  })
  void commitOffsetIsTheSmallestUnconsumedOffset(String acks, String commits) {
    OffsetTracker tracker = new OffsetTracker(10);
    tracker.register(List.of(10L, 11L, 12L, 13L, 14L), 17);
    List<Long> seen = new ArrayList<>();
    for (String ack : acks.split(",")) {
      tracker.ack(Long.parseLong(ack));
      seen.add(tracker.commitOffset());
    }
    assertEquals(Arrays.stream(commits.split(",")).map(Long::valueOf).toList(), seen);
    assertEquals(0, tracker.inFlightCount());
  }

  @Test
  void startsAtTheStartOffset() {
    OffsetTracker tracker = new OffsetTracker(42);
    assertEquals(42, tracker.commitOffset());
    assertEquals(42, tracker.fetchPosition());
  }

  @Test
  void elementWithOnlyFilteredMessagesMovesTheCommitOffset() {
    OffsetTracker tracker = new OffsetTracker(5);
    tracker.register(List.of(), 9);
    assertEquals(9, tracker.commitOffset());
    assertEquals(9, tracker.fetchPosition());
  }

  @Test
  void inFlightMessagesHoldTheCommitOffsetWhileLaterElementsArrive() {
    OffsetTracker tracker = new OffsetTracker(0);
    tracker.register(List.of(0L, 1L), 2);
    tracker.register(List.of(2L, 3L), 4);
    tracker.ack(1);
    tracker.ack(2);
    tracker.ack(3);
    assertEquals(0, tracker.commitOffset());
    tracker.ack(0);
    assertEquals(4, tracker.commitOffset());
  }

  @Test
  void dropsMessagesReceivedBeforeSoAReconnectCannotDuplicateThem() {
    OffsetTracker tracker = new OffsetTracker(0);
    assertEquals(List.of(0L, 1L, 2L), tracker.register(List.of(0L, 1L, 2L), 3));
    tracker.ack(0);
    assertEquals(List.of(3L), tracker.register(List.of(1L, 2L, 3L), 4));
    assertEquals(List.of(), tracker.register(List.of(3L), 4));
    assertEquals(3, tracker.inFlightCount());
    assertEquals(1, tracker.commitOffset());
  }

  @Test
  void fetchPositionCoversMessagesEvenWhenNextOffsetIsMissing() {
    OffsetTracker tracker = new OffsetTracker(0);
    tracker.register(List.of(0L, 1L), 0);
    assertEquals(2, tracker.fetchPosition());
  }

  @Test
  void unknownAcksAreIgnored() {
    OffsetTracker tracker = new OffsetTracker(3);
    tracker.register(List.of(3L), 4);
    tracker.ack(99);
    assertEquals(3, tracker.commitOffset());
  }
}
